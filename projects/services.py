"""Business rules of the domain records: creating and editing proposals."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from projects.models import JointProject, Partnership, PartnershipOrigin, PartnershipRole
from workflow import permissions
from workflow.exceptions import NotPermitted, NotVisible
from workflow.services._core import write_log
from workflow.services.projects import lock_project, project_is_editable_or_409
from workflow.states import PartnershipState

EDITABLE_FIELDS = {
    "title",
    "acronym",
    "summary",
    "description",
    "start_date",
    "end_date",
    "tier",
    "sought_partner_profile",
}


def unique_slug(text, *, exclude_pk=None):
    base = slugify(text)[:200] or "project"
    slug, n = base, 1
    while JointProject.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def project_create(*, actor, call, lead_centre, title="", tier=None, **fields):
    """A draft proposal, with its lead centre's partnership confirmed from the start."""
    if not permissions.roles_of(actor).member_of(lead_centre.pk):
        raise NotPermitted("You can only propose a project for a centre you work for.")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        project = JointProject(
            call=call,
            tier=tier,
            lead_centre=lead_centre,
            title=title,
            slug=unique_slug(fields.get("acronym") or title),
            created_by=actor,
            **fields,
        )
        project.full_clean()
        project.save()
        lead = Partnership.objects.create(
            project=project,
            centre=lead_centre,
            role=PartnershipRole.LEAD,
            state=PartnershipState.CONFIRMED,
            origin=PartnershipOrigin.LEAD,
        )
        write_log(
            obj=project,
            project=project,
            name="create",
            from_state="",
            to_state=project.state,
            actor=actor,
        )
        write_log(
            obj=lead,
            project=project,
            name="create",
            from_state="",
            to_state=lead.state,
            actor=actor,
        )
    return project


def project_update(*, project_id, actor, **fields):
    """Edit a proposal's content: only its lead centre, only while it is editable."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        project = lock_project(project_id)
        if not permissions.can_view_project(actor, project):
            raise NotVisible("No such project.")
        if not permissions.can_edit_project(actor, project):
            raise NotPermitted("Only the lead centre edits the proposal.")
        project_is_editable_or_409(project)
        for name, value in fields.items():
            setattr(project, name, value)
        project.full_clean()
        project.save()
    return project
