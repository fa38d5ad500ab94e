"""Business rules of the proposal editor (issue 7, item 2): saving one section of a proposal.

A section is saved through `projects.services.project_update` (lead centre only, only while
the proposal is editable, the model validated, the themes with the fields, one revision).
"""

from django.db import transaction

from projects.services import project_update


def project_section_save(*, project_id, actor, themes=None, **fields):
    """Save a section's answers at once: everything or nothing.

    `themes` (an iterable of Theme, or None to leave them as they are) is set only once the
    update's checks (visibility, lead centre, editable state, model validation) have passed."""
    with transaction.atomic():
        return project_update(project_id=project_id, actor=actor, themes=themes, **fields)
