"""A proposal's past on its admin page: the workflow tracker and the history table, both read
from the one list of transition-log rows the page loads."""

from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from projects.admin._common import state_label, transition_label
from projects.models import JointProject
from projects.workspace.proposals import _tracker as workspace_tracker
from workflow.conditions import money
from workflow.states import (
    PartnershipState,
    ProjectState,
    ReportState,
    ReviewState,
)

# The states of each kind of object in the transition log, to name them in the history.
STATES_BY_MODEL = {
    "jointproject": ProjectState,
    "partnership": PartnershipState,
    "review": ReviewState,
    "report": ReportState,
}


def log_details(payload):
    """The decision's figures a transition log carries, worded for people."""
    details = []
    for key, label in (
        ("awarded_amount", _("Awarded")),
        ("final_grant", _("Final grant")),
        ("accepted_costs", _("Accepted costs")),
    ):
        if payload.get(key) not in (None, "", "None"):
            details.append((label, money(Decimal(payload[key]))))
    if payload.get("override_reason"):
        details.append((_("Override reason"), payload["override_reason"]))
    if payload.get("resubmission_date"):
        date = timezone.localtime(datetime.fromisoformat(payload["resubmission_date"]))
        details.append((_("Resubmit by"), date_format(date, "DATETIME_FORMAT")))
    if payload.get("file"):
        details.append((_("Signed PDF"), _("uploaded")))
    if payload.get("automatic"):
        details.append((_("Automatic"), _("when the proposal was submitted")))
    return details


def history_rows(logs):
    rows = []
    for log in logs:
        # Django's per-process cache of content types: no query per row.
        content_type = ContentType.objects.get_for_id(log.content_type_id)
        states = STATES_BY_MODEL.get(content_type.model)
        rows.append(
            {
                "log": log,
                "subject": content_type.name,
                "transition": transition_label(log.transition),
                "from_state": state_label(states, log.from_state) if states else "",
                "to_state": state_label(states, log.to_state) if states else log.to_state,
                "details": log_details(log.payload or {}),
            }
        )
    return rows


def tracker_steps(project, logs):
    """The lifecycle steps as the workspace's tracker computes them (the main path; a side
    exit after the last step reached), plus the earlier rounds of "changes requested" the
    proposal came back from, noted on the step it left (the workspace shows only the current
    one)."""
    steps = workspace_tracker(project, logs)
    project_type = ContentType.objects.get_for_model(JointProject).pk
    rounds = [
        log
        for log in logs
        if log.content_type_id == project_type
        and log.to_state == ProjectState.CHANGES_REQUESTED
        and log.from_state != log.to_state
    ]
    if project.state == ProjectState.CHANGES_REQUESTED:
        rounds = rounds[:-1]  # the current round is the tracker's own side step
    by_state = {step["state"]: step for step in steps if step["status"] not in ("side", "ended")}
    for log in rounds:
        step = by_state.get(log.from_state)
        if step is not None:
            step.setdefault("changes_requested", []).append(timezone.localtime(log.at))
    return steps


def last_entered(project, logs, state):
    """When the project last entered `state` (None if never)."""
    project_type = ContentType.objects.get_for_model(JointProject).pk
    for log in reversed(logs):
        if log.content_type_id == project_type and log.to_state == state:
            return log.at
    return None
