"""A report's attachments: PDFs and images, added and removed through
`projects.services.report_attachment_add` / `_remove` (checked by content)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import services as project_services
from projects.workspace._common import forbidden
from projects.workspace.reports._shared import _report
from projects.workspace.reports.form import _field_errors, _render_report, _wrong_state
from projects.workspace.reports_forms import AttachmentForm
from workflow import permissions
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState


@require_POST
@login_required
def report_attachment_add(request, pk):
    user = request.user
    report = _report(user, pk)  # 404 before the file is read
    label = _("Attach a file")
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")

    def invalid():
        return _render_report(
            request,
            report,
            status=400,
            attachment_form=form,
            errors=_field_errors(form),
            error_title=_("The file was not attached:"),
        )

    if not permissions.can_write_report(user, report.project):
        return forbidden(request, None, project_id=report.project_id)
    if not report.is_editable:
        return _wrong_state(request, report, action=label)
    if not form.is_valid():
        return invalid()
    try:
        attachment = project_services.report_attachment_add(
            report_id=report.pk,
            actor=user,
            file=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
    except NotVisible:
        raise Http404("No such report.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=report.project_id)
    except WrongState:
        return _wrong_state(request, report, action=label)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return invalid()
    except ConditionsNotMet as exc:
        return _render_report(
            request,
            report,
            status=422,
            attachment_form=form,
            errors=[
                {"code": f.code, "message": str(f.message), "anchor": "attachments-title"}
                for f in exc.failures
            ],
            error_title=_("The file was not attached:"),
        )
    messages.success(request, _("“%(title)s” is attached.") % {"title": attachment.title})
    return redirect(reverse("workspace:report", args=[report.pk]) + "#attachments-title")


@require_POST
@login_required
def report_attachment_remove(request, pk, attachment_id):
    user = request.user
    report = _report(user, pk)
    try:
        project_services.report_attachment_remove(
            report_id=report.pk, attachment_id=attachment_id, actor=user
        )
    except NotVisible:
        raise Http404("No such attachment.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=report.project_id)
    except WrongState:
        return _wrong_state(request, report, action=_("Remove the file"))
    messages.success(request, _("The file is removed."))
    return redirect(reverse("workspace:report", args=[report.pk]) + "#attachments-title")
