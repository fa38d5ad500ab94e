"""The report form (/workspace/reports/<pk>/): the lead centre's members write it
(`report_update`, one transaction: bad input saves nothing); a manager of the lead centre
submits it (`report_transition`); the other partners and the coordinators read it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from projects import uploads
from projects.workspace._common import forbidden
from projects.workspace.reports._shared import _badge, _due, _feedback, _report, _who
from projects.workspace.reports_forms import (
    COUNTS,
    EXTRA_ROWS,
    AttachmentForm,
    AudienceFormSet,
    OutputFormSet,
    ReportForm,
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
from workflow.states import ProjectState, ReportState


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
