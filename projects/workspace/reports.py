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
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from projects import services as project_services
from projects import uploads
from projects.models import JointProject, Report, ReportKind
from projects.selectors import with_partners
from projects.workspace._common import CountedPaginator, forbidden
from projects.workspace.reports_forms import (
    COUNTS,
    EXTRA_ROWS,
    AttachmentForm,
    AudienceFormSet,
    OutputFormSet,
    ReportForm,
    StartReportForm,
)
from workflow import permissions, services
from workflow.conditions import failures
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.scheduled import report_due_date
from workflow.selectors import history_visible_to
from workflow.services.reports import REPORTING_STATES
from workflow.states import ProjectState, ReportState

REPORTS_PER_PAGE = 20
REPORT_TONES = {
    ReportState.DRAFT: "neutral",
    ReportState.SUBMITTED: "active",
    ReportState.ACCEPTED: "success",
    ReportState.RETURNED: "warning",
}
START_LABELS = {
    ReportKind.INTERIM: gettext_lazy("Start the interim report"),
    ReportKind.FINAL: gettext_lazy("Start the final report"),
}


# --- Reading ------------------------------------------------------------------------------------


def _project(user, pk, *, figures=True):
    """The project with its partners (for the permission checks, and with their centres and
    budgets for the report's figures), or 404 for anyone who may not read its reports."""
    projects = JointProject.objects.filter(pk=pk)
    if figures:
        projects = with_partners(projects)
    else:
        projects = projects.select_related("lead_centre").prefetch_related("partnerships")
    project = projects.first()
    # Stricter than seeing the project (which is public once funded): its centres' members and
    # the coordinators, as for the report's files.
    if project is None or not uploads.can_read_private_files(user, project):
        raise Http404("No such project.")
    return project


def _report(user, pk):
    report = Report.objects.prefetch_related("costs", "attachments").filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    report.project = _project(user, report.project_id)
    return report


def _badge(report):
    return {
        "state": report.state,
        "label": report.get_state_display(),
        "tone": REPORT_TONES.get(report.state, "neutral"),
    }


def _due(report, project):
    """The final report's due date (60 days after the project's end); interim reports have
    none."""
    if not report.is_final or not project.end_date:
        return None
    due = report_due_date(project)
    return {"date": due, "late": report.is_editable and due < timezone.localdate()}


def _feedback(project, user, report_ids):
    """The latest "return" of each report with the coordinator's comment, as `user` may read
    the transition log (workflow.selectors.history_visible_to)."""
    if not report_ids:
        return {}
    logs = (
        history_visible_to(user)
        .filter(
            project=project,
            content_type=ContentType.objects.get_for_model(Report),
            object_id__in=report_ids,
            transition="return",
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    latest = {}
    for log in logs:
        latest.setdefault(log.object_id, log)
    return latest


def _who(log):
    if log is None or log.actor is None:
        return ""
    return log.actor.get_full_name() or log.actor.get_username()


def _starts(project, user, has_final):
    """The reports the user may start now: an interim report any time the project runs, the
    final one once (workflow.services.report_create's rules)."""
    if project.state not in REPORTING_STATES or not permissions.can_write_report(user, project):
        return []
    kinds = [ReportKind.INTERIM] + ([] if has_final else [ReportKind.FINAL])
    return [{"kind": kind, "label": START_LABELS[kind]} for kind in kinds]


def _render_list(request, project, *, status=200, errors=None, error_title=""):
    user = request.user
    # How many reports, and whether the final one is among them, in one query.
    totals = project.reports.aggregate(
        total=Count("id"), finals=Count("id", filter=Q(kind=ReportKind.FINAL))
    )
    paginator = CountedPaginator(
        project.reports.order_by("created_at", "id"), REPORTS_PER_PAGE, total=totals["total"]
    )
    page = paginator.get_page(request.GET.get("page"))
    reports = list(page.object_list)
    feedback = _feedback(project, user, [r.pk for r in reports if r.state == ReportState.RETURNED])
    has_final = bool(totals["finals"])
    rows = [
        {
            "report": report,
            "badge": _badge(report),
            "due": _due(report, project),
            "feedback": feedback.get(report.pk),
            "feedback_by": _who(feedback.get(report.pk)),
        }
        for report in reports
    ]
    context = {
        "project": project,
        "rows": rows,
        "page_obj": page,
        "starts": _starts(project, user, has_final),
        "may_write": permissions.can_write_report(user, project),
        "running": project.state in REPORTING_STATES,
        "errors": errors or [],
        "error_title": error_title,
    }
    return render(request, "projects/workspace/reports/list.html", context, status=status)


def _partner_countries(project):
    names = {}
    for partnership in project.confirmed_partnerships():
        country = partnership.centre.country
        names[country.code] = str(country.name)
    return sorted(names.items(), key=lambda item: item[1])


def _initial(report, partner_codes):
    indicators = report.indicators or {}
    audience = indicators.get("audience") or {}
    initial = {"narrative": report.narrative}
    for name, _label, _help in COUNTS:
        initial[name] = indicators.get(name)
    for code in partner_codes:
        initial[f"audience_{code}"] = audience.get(code)
    for cost in report.costs.all():
        initial[f"cost_{cost.partnership_id}"] = f"{cost.amount:.2f}"
    other_audience = [
        {"country": code, "count": count}
        for code, count in sorted(audience.items())
        if code not in partner_codes
    ]
    outputs = [
        {"title": output.get("title", ""), "url": output.get("url", "")}
        for output in indicators.get("outputs") or []
    ]
    return initial, other_audience, outputs


def _forms(report, data=None):
    """The report form and its two lists (audience elsewhere, outputs), bound to `data` or
    filled from the report."""
    project = report.project
    partner_countries = _partner_countries(project)
    codes = [code for code, _name in partner_countries]
    partnerships = project.confirmed_partnerships()
    initial, other_audience, outputs = _initial(report, codes)
    if data is not None:
        form = ReportForm(data, countries=partner_countries, partnerships=partnerships)
        audience = AudienceFormSet(data, prefix="audience", partner_codes=codes)
        output_rows = OutputFormSet(data, prefix="outputs")
    else:
        form = ReportForm(initial=initial, countries=partner_countries, partnerships=partnerships)
        audience = AudienceFormSet(initial=other_audience, prefix="audience", partner_codes=codes)
        audience.extra = EXTRA_ROWS
        output_rows = OutputFormSet(initial=outputs, prefix="outputs")
        output_rows.extra = EXTRA_ROWS
    return form, audience, output_rows


def _field_errors(form, *, prefix_label=""):
    errors = []
    for name, messages_ in form.errors.items():
        if name == "__all__":
            errors.extend({"code": "invalid", "message": str(m), "anchor": ""} for m in messages_)
            continue
        field = form[name]
        label = f"{prefix_label}{field.label}"
        errors.extend(
            {"code": "invalid", "message": f"{label}: {m}", "anchor": field.id_for_label}
            for m in messages_
        )
    return errors


def _form_errors(form, audience, output_rows):
    errors = _field_errors(form)
    for i, row in enumerate(audience.forms, start=1):
        errors += _field_errors(row, prefix_label=_("Audience elsewhere, row %(n)s, ") % {"n": i})
    for i, row in enumerate(output_rows.forms, start=1):
        errors += _field_errors(row, prefix_label=_("Output %(n)s, ") % {"n": i})
    for formset in (audience, output_rows):
        errors += [
            {"code": "invalid", "message": str(m), "anchor": ""} for m in formset.non_form_errors()
        ]
    return errors


def _may_submit(report, user):
    """Whether the user may submit the report now (permission and states): the final report's
    submission is the project's `submit_report`, possible once reporting has begun."""
    if "submit" not in services.report_available_transitions(report=report, user=user):
        return False
    return not report.is_final or report.project.state == ProjectState.REPORTING


def _render_report(
    request,
    report,
    *,
    status=200,
    forms=None,
    attachment_form=None,
    errors=None,
    error_title="",
):
    user = request.user
    project = report.project
    may_write = permissions.can_write_report(user, project)
    editable = may_write and report.is_editable
    form, audience, output_rows = forms or _forms(report)
    costs = {cost.partnership_id: cost for cost in report.costs.all()}
    feedback = _feedback(project, user, [report.pk]).get(report.pk)
    indicators = report.indicators or {}
    audience_values = indicators.get("audience") or {}
    country_names = dict(_partner_countries(project))
    missing = []
    if editable and report.is_final:
        missing = [str(f.message) for f in failures("report", "submit", report)]
    cost_rows = [
        {
            "partnership": p,
            "country": str(p.centre.country.name),
            "planned": p.total_cost,
            "cost": costs.get(p.pk),
            "field": form[f"cost_{p.pk}"],
        }
        for p in project.confirmed_partnerships()
    ]
    context = {
        "project": project,
        "report": report,
        "badge": _badge(report),
        "due": _due(report, project),
        "feedback": feedback,
        "feedback_by": _who(feedback),
        "may_write": may_write,
        "editable": editable,
        "may_submit": editable and _may_submit(report, user),
        "manager_submits": editable
        and report.state in ReportState.editable()
        and not permissions.is_lead_manager(user, project),
        "begin_reporting": editable
        and report.is_final
        and project.state == ProjectState.IN_PROGRESS
        and permissions.can_run_project_transition(user, project, "begin_reporting"),
        "missing": missing,
        "form": form,
        "audience": audience,
        "outputs": output_rows,
        "cost_rows": cost_rows,
        "total_costs": sum((row["cost"].amount for row in cost_rows if row["cost"]), 0),
        "attachments": list(report.attachments.all()),
        "attachment_form": attachment_form or AttachmentForm(prefix="attachment"),
        "max_attachments": uploads.MAX_ATTACHMENTS_PER_REPORT,
        "counts": [
            (label, indicators[name]) for name, label, _help in COUNTS if name in indicators
        ],
        "audience_rows": sorted(
            (
                (country_names.get(code) or str(countries.name(code)) or code, count)
                for code, count in audience_values.items()
            ),
            key=lambda row: str(row[0]),
        ),
        "output_list": indicators.get("outputs") or [],
        "errors": errors or [],
        "error_title": error_title,
    }
    return render(request, "projects/workspace/reports/report.html", context, status=status)


# --- Pages --------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@login_required
def project_reports(request, pk):
    return _render_list(request, _project(request.user, pk, figures=False))


@require_POST
@login_required
def report_start(request, pk):
    user = request.user
    project = _project(user, pk, figures=False)
    form = StartReportForm(request.POST)
    if not form.is_valid():
        if not permissions.can_write_report(user, project):
            return forbidden(request, None, project_id=project.pk)
        return _render_list(
            request,
            project,
            status=400,
            errors=[{"code": "invalid", "message": _("Choose an interim or a final report.")}],
        )
    kind = form.cleaned_data["kind"]
    label = START_LABELS[kind]
    try:
        report = services.report_create(project_id=project.pk, actor=user, kind=kind)
    except (NotVisible, UnknownTransition):
        raise Http404("No such project.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=project.pk)
    except WrongState:
        return _render_list(
            request,
            project,
            status=409,
            errors=[
                {
                    "code": "wrong_state",
                    "message": _("Reports are written while the project runs."),
                }
            ],
            error_title=_("“%(action)s” was not possible:") % {"action": label},
        )
    except ConditionsNotMet as exc:
        return _render_list(
            request,
            project,
            status=422,
            errors=[{"code": f.code, "message": str(f.message)} for f in exc.failures],
            error_title=_("“%(action)s” was not possible:") % {"action": label},
        )
    messages.success(request, _("The report is started: write it below and save it."))
    return redirect("workspace:report", report.pk)


def _wrong_state(request, report, *, action):
    report.refresh_from_db(fields=["state", "submitted_at", "decided_at"])
    if report.is_final and report.is_editable and report.project.state != ProjectState.REPORTING:
        message = _(
            "The final report is submitted once reporting has begun (after the project's end)."
        )
    else:
        message = _("The report is %(state)s: it can no longer change.") % {
            "state": report.get_state_display().lower()
        }
    return _render_report(
        request,
        report,
        status=409,
        errors=[{"code": "wrong_state", "message": message, "anchor": ""}],
        error_title=_("“%(action)s” was not possible:") % {"action": action},
    )


def _save(request, report, *, action):
    """Validate the posted report and save it through the service: None when it is saved, else
    the page to show again (nothing saved)."""
    user = request.user
    forms = _forms(report, request.POST)
    form, audience, output_rows = forms
    valid = all([form.is_valid(), audience.is_valid(), output_rows.is_valid()])
    if not valid:
        return _render_report(
            request,
            report,
            status=400,
            forms=forms,
            errors=_form_errors(*forms),
            error_title=_("Check what you entered; nothing was saved:"),
        )
    try:
        services.report_update(
            report_id=report.pk,
            actor=user,
            narrative=form.cleaned_data["narrative"],
            indicators=form.indicators(audience.audience(), output_rows.outputs()),
            costs=form.costs(),
        )
    except NotVisible:
        raise Http404("No such report.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=report.project_id)
    except WrongState:
        return _wrong_state(request, report, action=action)
    except ValidationError as exc:
        return _render_report(
            request,
            report,
            status=400,
            forms=forms,
            errors=[{"code": "invalid", "message": m, "anchor": ""} for m in exc.messages],
            error_title=_("Check what you entered; nothing was saved:"),
        )
    return None


@require_http_methods(["GET", "POST"])
@login_required
def report_detail(request, pk):
    user = request.user
    report = _report(user, pk)
    if request.method == "GET":
        return _render_report(request, report)
    action = _("Save the report")
    if not permissions.can_write_report(user, report.project):
        return forbidden(request, None, project_id=report.project_id)
    if not report.is_editable:
        return _wrong_state(request, report, action=action)
    response = _save(request, report, action=action)
    if response is not None:
        return response
    messages.success(request, _("The report is saved."))
    return redirect("workspace:report", report.pk)


@require_POST
@login_required
def report_submit(request, pk):
    """Save what the form holds, then submit: the changes are kept even when something the
    submission needs is still missing (422 lists every missing item)."""
    user = request.user
    report = _report(user, pk)
    label = _("Submit the report")
    if not permissions.can_run_report_transition(user, report, "submit"):
        return forbidden(request, None, project_id=report.project_id)
    if not _may_submit(report, user):
        return _wrong_state(request, report, action=label)
    response = _save(request, report, action=label)
    if response is not None:
        return response
    try:
        services.report_transition(report_id=report.pk, name="submit", actor=user)
    except (NotVisible, UnknownTransition):
        raise Http404("No such report.") from None
    except NotPermitted as exc:
        return forbidden(request, exc, project_id=report.project_id)
    except WrongState:
        return _wrong_state(request, _report(user, pk), action=label)
    except ConditionsNotMet as exc:
        return _render_report(
            request,
            _report(user, pk),
            status=422,
            errors=[
                {"code": f.code, "message": str(f.message), "anchor": "report-form"}
                for f in exc.failures
            ],
            error_title=_("Your changes are saved, but the report cannot be submitted yet:"),
        )
    messages.success(request, _("The report is submitted to the network secretariat."))
    return redirect("workspace:report", report.pk)


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


urlpatterns = [
    path("projects/<int:pk>/reports/", project_reports, name="project_reports"),
    path("projects/<int:pk>/reports/start/", report_start, name="report_start"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/submit/", report_submit, name="report_submit"),
    path("reports/<int:pk>/attachments/", report_attachment_add, name="report_attachment_add"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/remove/",
        report_attachment_remove,
        name="report_attachment_remove",
    ),
]
