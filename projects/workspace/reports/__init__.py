"""Workspace: reports (issue 7, item 9). Views stay thin: forms validate, services decide.

- /workspace/projects/<pk>/reports/: a project's interim and final reports, their states, due
  dates and the network's feedback on a returned report; the lead centre starts a report
  (`workflow.services.report_create`).
- /workspace/reports/<pk>/: the report form. The lead centre's members write it
  (`report_update`, one transaction: bad input saves nothing) and attach PDFs and images
  (`projects.services.report_attachment_add` / `_remove`, checked by content); a manager of the
  lead centre submits it (`report_transition`); the other partners and the coordinators read it.

Who sees a report: the members of the project's centres and the coordinators, as for the
report's files (`uploads.can_read_private_files`); anyone else gets 404, even on a public
project. Refusals: NotVisible → 404, NotPermitted → the 403 page, WrongState → the page again
with status 409, ConditionsNotMet → the page again with status 422 listing every failure,
malformed input → the page again with status 400, the fields marked and nothing saved.

One module per job: `listing` (a project's reports, starting one), `form` (the report form:
save, submit), `attachments` (attach and remove files); `_shared` holds what they share, `urls`
the routes.
"""

from projects.workspace.reports.urls import urlpatterns

__all__ = ["urlpatterns"]
