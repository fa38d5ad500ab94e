"""A project's reports (/workspace/projects/<pk>/reports/): their states, due dates and the
network's feedback on a returned report; the lead centre starts a report
(`workflow.services.report_create`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from projects.models import ReportKind
from projects.workspace._common import CountedPaginator, forbidden
from projects.workspace.reports._shared import _badge, _due, _feedback, _project, _who
from projects.workspace.reports_forms import StartReportForm
from workflow import permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.services.reports import REPORTING_STATES
from workflow.states import ReportState

REPORTS_PER_PAGE = 20
START_LABELS = {
    ReportKind.INTERIM: gettext_lazy("Start the interim report"),
    ReportKind.FINAL: gettext_lazy("Start the final report"),
}


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
