"""Business rules of the domain records: creating and editing proposals."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from projects import uploads
from projects.models import (
    JointProject,
    Partnership,
    PartnershipOrigin,
    PartnershipRole,
    Report,
    ReportAttachment,
    RevisionReason,
)
from projects.revisions import revision_record
from workflow import permissions
from workflow.conditions import Failure
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.services._core import write_log
from workflow.services.projects import lock_part, lock_project, project_is_editable_or_409
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
        revision_record(project=project, actor=actor, reason=RevisionReason.SAVED)
    return project


def project_update(*, project_id, actor, themes=None, **fields):
    """Edit a proposal's content: only its lead centre, only while it is editable. `themes` (an
    iterable of Theme, or None to leave them) is set with the fields, in one revision."""
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
        if themes is not None:
            project.themes.set(themes)
        revision_record(project=project, actor=actor, reason=RevisionReason.SAVED)
    return project


# --- Report attachments ------------------------------------------------------------------------


def _lock_editable_report(report_id, actor):
    """The report locked (its project first), for the lead centre while it is editable."""
    project, report = lock_part(Report, report_id)
    # Attachments are private files: who may not read them does not learn the report exists.
    if project is None or not uploads.can_read_private_files(actor, project):
        raise NotVisible("No such report.")
    if not permissions.can_write_report(actor, project):
        raise NotPermitted("Only the lead centre writes reports and their attachments.")
    if not report.is_editable:
        raise WrongState(f"The report is {report.state}.", state=report.state)
    return project, report


def report_attachment_add(*, report_id, actor, file, title=""):
    """Attach a PDF or image to a draft or returned report (the lead centre's members)."""
    # Checked before the lock: parsing a 10 MB PDF must not hold the project row.
    try:
        kind = uploads.check(
            file, kinds=uploads.ATTACHMENT_KINDS, max_bytes=uploads.ATTACHMENT_MAX_BYTES
        )
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
    title = (title or "").strip()
    if len(title) > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    filename = uploads.display_name(getattr(file, "name", ""), kind, default="attachment")
    with transaction.atomic():
        _project, report = _lock_editable_report(report_id, actor)
        if report.attachments.count() >= uploads.MAX_ATTACHMENTS_PER_REPORT:
            raise ConditionsNotMet(
                [
                    Failure(
                        "too_many_attachments",
                        _("A report has at most %(count)s attachments.")
                        % {"count": uploads.MAX_ATTACHMENTS_PER_REPORT},
                    )
                ]
            )
        size = file.size
        attachment = ReportAttachment(
            report=report,
            title=title or filename,
            file=uploads.prepare(file, kind),
            filename=filename,
            content_type=kind.content_type,
            size=size,
            uploaded_by=actor,
        )
        attachment.full_clean()
        attachment.save()
    return attachment


def report_attachment_remove(*, report_id, attachment_id, actor):
    """Remove an attachment from a draft or returned report; its file goes after the commit."""
    with transaction.atomic():
        _project, report = _lock_editable_report(report_id, actor)
        attachment = report.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotVisible("No such attachment.")
        attachment.delete()  # the post_delete receiver deletes the file once committed
