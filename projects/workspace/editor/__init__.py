"""The proposal editor (issue 7, item 2): GOV.UK's "complete multiple tasks" pattern.

- Start a proposal (/workspace/proposals/new/): an open call (and tier), one of the person's
  centres as lead, a working title → `projects.services.project_create`.
- The task list (/workspace/projects/<pk>/edit/): one section per part of the proposal, each
  with a status (not started, in progress, completed, cannot start yet), and the live
  eligibility panel.
- One page per section (/workspace/projects/<pk>/edit/<section>/), saved through
  `projects.editor_services.project_section_save` (which calls `project_update`): save and
  come back.
- Check your answers and submit (/workspace/projects/<pk>/edit/check/) →
  `workflow.services.project_transition(name="submit")`.

The eligibility panel runs the submit transition's own rules (`workflow.conditions.RULES`, as
`conditions.failures` does for the service) and only adds the figures a person needs to act
("2 more countries needed", "requested … of max …").

Views stay thin: forms check what was typed, services decide. Refusals: not visible → 404; not
a member of the lead centre → 403 page; no longer editable → 409 page; conditions not met →
the check page again (422) listing every one.

One module per job: `start` (start a proposal), `sections` (the task list, a section's page,
the eligibility panel), `eligibility` (the call's conditions as the submit transition checks
them), `check` (check your answers and submit); `_shared` holds what they share, `urls` the
routes.
"""

from projects.workspace.editor.urls import urlpatterns

__all__ = ["urlpatterns"]
