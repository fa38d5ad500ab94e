"""Reports: interim reports have their own lifecycle; the final one drives the project's."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import permissions
from workflow.conditions import Failure, TransitionInput
from workflow.exceptions import ConditionsNotMet, NotPermitted, NotVisible, WrongState
from workflow.notifications import notify
from workflow.states import PartnershipState, ProjectState

from . import _core
from .projects import lock_part, lock_project, project_transition

REPORTING_STATES = [ProjectState.IN_PROGRESS, ProjectState.REPORTING]
# The final report's transitions are the project's: one service call moves both.
FINAL_REPORT_DRIVES = {"submit": "submit_report", "accept": "complete", "return": "return_report"}


def report_create(*, project_id, actor, kind):
    from projects.models import Report

    with transaction.atomic():
        project = lock_project(project_id)
        if not permissions.can_view_project(actor, project):
            raise NotVisible("No such project.")
        if not permissions.can_write_report(actor, project):
            raise NotPermitted("Only the lead centre writes reports.")
        if project.state not in REPORTING_STATES:
            raise WrongState("Reports are written while the project runs.", state=project.state)
        try:
            with transaction.atomic():
                report = Report.objects.create(project=project, kind=kind, created_by=actor)
        except IntegrityError:
            raise ConditionsNotMet(
                [Failure("report_exists", _("The project already has its final report."))]
            ) from None
    return report


def _lock_report(report_id, actor):
    from projects.models import Report

    project, report = lock_part(Report, report_id)
    if project is None or (actor is not None and not permissions.can_view_project(actor, project)):
        raise NotVisible("No such report.")
    return project, report


def report_update(*, report_id, actor, narrative=None, indicators=None, costs=None):
    """costs: [{"partnership": id, "amount": Decimal}] replacing the reported actual costs."""
    from projects.models import ReportCost

    with transaction.atomic():
        project, report = _lock_report(report_id, actor)
        if not permissions.can_write_report(actor, project):
            raise NotPermitted("Only the lead centre writes reports.")
        if not report.is_editable:
            raise WrongState(f"The report is {report.state}.", state=report.state)
        if narrative is not None:
            report.narrative = narrative
        if indicators is not None:
            report.indicators = indicators
        report.save()
        if costs is not None:
            partners = {
                p.pk for p in project.partnerships.all() if p.state == PartnershipState.CONFIRMED
            }
            unknown = [c["partnership"] for c in costs if c["partnership"] not in partners]
            if unknown:
                raise ValidationError(
                    {"costs": f"Not confirmed partners of this project: {unknown}."}
                )
            report.costs.all().delete()
            ReportCost.objects.bulk_create(
                ReportCost(report=report, partnership_id=c["partnership"], amount=c["amount"])
                for c in costs
            )
    return report


def report_available_transitions(*, report, user):
    return _core.available_transitions(
        report, allowed=lambda name: permissions.can_run_report_transition(user, report, name)
    )


def report_transition(*, report_id, name, actor, comment=""):
    data = TransitionInput(comment=comment or "")
    with transaction.atomic():
        project, report = _lock_report(report_id, actor)
        if report.is_final and name in FINAL_REPORT_DRIVES:
            # The project's transition checks permission, state and conditions (the final
            # report's completeness) and moves the report with it.
            project_transition(
                project_id=project.pk, name=FINAL_REPORT_DRIVES[name], actor=actor, comment=comment
            )
            report.refresh_from_db()
            return report
        method = _core.check(
            kind="report",
            obj=report,
            name=name,
            visible=True,
            permitted=permissions.can_run_report_transition(actor, report, name),
            data=data,
        )
        run_report_transition(report, name, project=project, actor=actor, data=data, method=method)
    return report


def run_report_transition(report, name, *, project, actor, data, method=None):
    """Inside a transaction that holds the project lock (the project's own transitions call it)."""
    from . import _core as core

    if report is None:
        return None
    method = method or getattr(report, core.transition_methods(type(report))[name])
    log = core.run(
        obj=report,
        method=method,
        name=name,
        project=project,
        actor=actor,
        data=data,
        kwargs={"at": timezone.now()},
    )
    if name == "accept":
        for cost in report.costs.filter(accepted_amount__isnull=True):
            cost.accepted_amount = cost.amount
            cost.save(update_fields=["accepted_amount"])
    if not report.is_final:  # the final report's news is the project's (no double email)
        notify(kind="report", name=name, obj=report, project=project, actor=actor, log=log)
    return log
