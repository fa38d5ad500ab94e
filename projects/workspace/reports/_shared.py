"""What the report pages share: the project and report as the user may read them, a report's
state badge, due date and the network's feedback."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone

from projects import uploads
from projects.models import JointProject, Report
from projects.selectors import with_partners
from workflow.scheduled import report_due_date
from workflow.selectors import history_visible_to
from workflow.states import ReportState

REPORT_TONES = {
    ReportState.DRAFT: "neutral",
    ReportState.SUBMITTED: "active",
    ReportState.ACCEPTED: "success",
    ReportState.RETURNED: "warning",
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
