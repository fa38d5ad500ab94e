"""The project page (step tracker, figures, partners, timeline, the actions a person may take)
and the project's transitions.

Action views act through the services of `workflow.services` and turn the services' refusals
into pages: NotVisible → 404; NotPermitted → a 403 page; WrongState → back to the project with a
message; ConditionsNotMet → the project page again (422) listing every failure, the person's
input kept; malformed input → the project page again (400).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.models import JointProject, Partnership, Report
from projects.workspace._common import (
    REVIEW_STATE_LABELS,
    InvalidInput,
    badge,
    forbidden,
    load_project,
    parse_amount,
    parse_comment,
    parse_date,
    partnership_actions,
    safe_next,
)
from workflow import permissions, services
from workflow.exceptions import (
    ConditionsNotMet,
    NotPermitted,
    NotVisible,
    UnknownTransition,
    WrongState,
)
from workflow.models import Review
from workflow.selectors import project_history
from workflow.states import PartnershipState, ProjectState, ReportState

# The main path of a proposal's life, as the step tracker shows it.
MAIN_PATH = [
    ProjectState.DRAFT,
    ProjectState.OPEN_FOR_PARTNERS,
    ProjectState.SUBMITTED,
    ProjectState.UNDER_REVIEW,
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
]
# Steps of the main path a proposal may pass by.
OPTIONAL_STEPS = {ProjectState.OPEN_FOR_PARTNERS}
# States off the main path: changes_requested returns to it, the others end the project.
SIDE_STATES = [
    ProjectState.CHANGES_REQUESTED,
    ProjectState.REJECTED,
    ProjectState.WITHDRAWN,
    ProjectState.TERMINATED,
]


# What each project transition is called on its button, and what it does.
PROJECT_ACTIONS = {
    "open_partner_search": (
        gettext_lazy("Open the partner search"),
        gettext_lazy("The proposal appears in the Project Fair; other centres may ask to join."),
    ),
    "submit": (
        gettext_lazy("Submit the proposal"),
        gettext_lazy(
            "The proposal goes to the network for review. Pending invitations and requests to "
            "join are declined."
        ),
    ),
    "start_review": (
        gettext_lazy("Start the review"),
        gettext_lazy("The proposal is checked as eligible and goes to its reviewers."),
    ),
    "request_changes": (
        gettext_lazy("Request changes"),
        gettext_lazy("The lead centre may change the proposal and submit it again."),
    ),
    "approve": (
        gettext_lazy("Approve and award a grant"),
        gettext_lazy("The project is funded and published in the showcase."),
    ),
    "reject": (gettext_lazy("Reject the proposal"), gettext_lazy("This ends the proposal.")),
    "withdraw": (
        gettext_lazy("Withdraw the proposal"),
        gettext_lazy("This ends the proposal; it cannot be undone."),
    ),
    "start": (
        gettext_lazy("Start the project"),
        gettext_lazy("Every partner has accepted the grant agreement; the pre-financing is due."),
    ),
    "begin_reporting": (
        gettext_lazy("Begin reporting"),
        gettext_lazy("The partners write their final report."),
    ),
    "submit_report": (
        gettext_lazy("Submit the final report"),
        gettext_lazy("The final report goes to the network secretariat."),
    ),
    "return_report": (
        gettext_lazy("Return the report"),
        gettext_lazy("The partners correct the final report and submit it again."),
    ),
    "terminate": (
        gettext_lazy("Terminate the project"),
        gettext_lazy("The grant agreement ends early; the final grant is settled."),
    ),
    "complete": (
        gettext_lazy("Complete the project"),
        gettext_lazy("The final report is accepted and the balance is settled."),
    ),
}
COMMENT_REQUIRED = {"request_changes", "reject", "return_report", "terminate"}
COMMENT_OPTIONAL = {"submit", "withdraw", "approve", "start_review", "submit_report", "complete"}
DANGEROUS = {"reject", "withdraw", "terminate"}


# The timeline's wording: (kind of object, transition) → what happened.
EVENTS = {
    ("project", "create"): gettext_lazy("Proposal created"),
    ("project", "open_partner_search"): gettext_lazy("Partner search opened"),
    ("project", "submit"): gettext_lazy("Proposal submitted"),
    ("project", "start_review"): gettext_lazy("Review started"),
    ("project", "request_changes"): gettext_lazy("Changes requested"),
    ("project", "approve"): gettext_lazy("Approved"),
    ("project", "reject"): gettext_lazy("Rejected"),
    ("project", "withdraw"): gettext_lazy("Proposal withdrawn"),
    ("project", "start"): gettext_lazy("Project started"),
    ("project", "begin_reporting"): gettext_lazy("Reporting began"),
    ("project", "submit_report"): gettext_lazy("Final report submitted"),
    ("project", "return_report"): gettext_lazy("Final report returned"),
    ("project", "terminate"): gettext_lazy("Project terminated"),
    ("project", "complete"): gettext_lazy("Project completed"),
    ("partnership", "create"): gettext_lazy("Lead centre"),
    ("partnership", "invite"): gettext_lazy("Invited"),
    ("partnership", "request"): gettext_lazy("Asked to join"),
    ("partnership", "accept"): gettext_lazy("Joined"),
    ("partnership", "decline"): gettext_lazy("Declined"),
    ("partnership", "withdraw"): gettext_lazy("Left the project"),
    ("partnership", "sign_mandate"): gettext_lazy("Mandate signed"),
    ("partnership", "accept_agreement"): gettext_lazy("Grant agreement accepted"),
    ("review", "assign"): gettext_lazy("Reviewer assigned"),
    ("review", "submit"): gettext_lazy("Review submitted"),
    ("review", "decline"): gettext_lazy("Review declined (conflict of interest)"),
    ("report", "create"): gettext_lazy("Report started"),
    ("report", "submit"): gettext_lazy("Report submitted"),
    ("report", "accept"): gettext_lazy("Report accepted"),
    ("report", "return"): gettext_lazy("Report returned"),
}
STATE_LABELS = {
    "project": dict(ProjectState.choices),
    "partnership": dict(PartnershipState.choices),
    "review": REVIEW_STATE_LABELS,
    "report": dict(ReportState.choices),
}


# --- The project page -----------------------------------------------------------------------------


def _project_actions(project, user, posted):
    actions = []
    for name in services.project_available_transitions(project=project, user=user):
        label, help_text = PROJECT_ACTIONS.get(name, (name.replace("_", " ").capitalize(), ""))
        key = f"project:{name}"
        actions.append(
            {
                "key": key,
                "name": name,
                "label": label,
                "help": help_text,
                "url": reverse("workspace:project_transition", args=[project.pk, name]),
                "comment": "required"
                if name in COMMENT_REQUIRED
                else "optional"
                if name in COMMENT_OPTIONAL
                else "",
                "amount": name == "approve",
                "override": name == "approve",
                "resubmission": name == "request_changes",
                "dangerous": name in DANGEROUS,
                "values": posted if posted and posted.get("action") == key else {},
            }
        )
    return actions


def _centre_actions(project, user, posted):
    """Per partnership the user answers for: accept/decline/withdraw, mandate, agreement."""
    rows = []
    for partnership in project.partnerships.all():
        manages = permissions.can_manage_partnership(user, partnership)
        row = {
            "partnership": partnership,
            "badge": badge(partnership.state, partnership.get_state_display()),
            "transitions": partnership_actions(partnership, user),
            "mandate": manages
            and not partnership.mandate_signed
            and project.state in ProjectState.editable()
            and partnership.state in (*PartnershipState.pending(), PartnershipState.CONFIRMED),
            "agreement": manages
            and project.state == ProjectState.APPROVED
            and partnership.state == PartnershipState.CONFIRMED
            and not partnership.agreement_accepted,
            "posted": posted
            if posted and posted.get("action", "").endswith(f":{partnership.pk}")
            else {},
        }
        if row["transitions"] or row["mandate"] or row["agreement"]:
            rows.append(row)
    return rows


def _tracker(project, history):
    """The main path with each step done, current or upcoming; a side state is shown after the
    last main step the project reached (read from its history)."""
    state = project.state
    if state in MAIN_PATH:
        reached = MAIN_PATH.index(state)
        side = None
    else:
        side = state
        reached = 0
        project_type = ContentType.objects.get_for_model(JointProject).pk
        # The last time the project left the main path: the step it had reached.
        for entry in reversed(history):
            if entry.content_type_id == project_type and entry.from_state in MAIN_PATH:
                reached = MAIN_PATH.index(entry.from_state)
                break
    # An optional step passed by (a proposal submitted straight from its draft never opened
    # for partners) is "not reached", not "done".
    project_type = ContentType.objects.get_for_model(JointProject).pk
    entered = {entry.to_state for entry in history if entry.content_type_id == project_type}
    steps = []
    for i, step in enumerate(MAIN_PATH):
        if i < reached and step in OPTIONAL_STEPS and step not in entered:
            status = "skipped"
            current = False
        elif side is None:
            status = (
                "done"
                if i < reached or (i == reached and state == ProjectState.COMPLETED)
                else "current"
                if i == reached
                else "upcoming"
            )
            current = i == reached
        else:
            if i <= reached:
                status = "done"
            else:
                status = "upcoming" if side == ProjectState.CHANGES_REQUESTED else "skipped"
            current = False
        steps.append(
            {"state": step, "label": ProjectState(step).label, "status": status, "current": current}
        )
        if side is not None and i == reached:
            steps.append(
                {
                    "state": side,
                    "label": ProjectState(side).label,
                    "status": "side" if side == ProjectState.CHANGES_REQUESTED else "ended",
                    "current": True,
                }
            )
    return steps


def _timeline(project, history):
    """The project's history in words (`history` is already what the user may see: reviewers
    stay anonymous, see workflow.selectors.history_visible_to)."""
    types = ContentType.objects.get_for_models(JointProject, Partnership, Review, Report)
    kinds = {
        types[JointProject].pk: "project",
        types[Partnership].pk: "partnership",
        types[Review].pk: "review",
        types[Report].pk: "report",
    }
    centres = {p.pk: p.centre.name for p in project.partnerships.all()}
    # The dates formatted here, the format looked up once: what `|date:"c"` and
    # `|date:"DATETIME_FORMAT"` printed, without two filter calls per entry in the template.
    datetime_format = get_format("DATETIME_FORMAT")
    entries = []
    for entry in history:
        kind = kinds.get(entry.content_type_id, "")
        at = timezone.localtime(entry.at)
        labels = STATE_LABELS.get(kind, {})
        entries.append(
            {
                "entry": entry,
                "kind": kind,
                "subject": centres.get(entry.object_id, "") if kind == "partnership" else "",
                "what": EVENTS.get((kind, entry.transition))
                or entry.transition.replace("_", " ").capitalize(),
                "from": labels.get(entry.from_state, entry.from_state),
                "to": labels.get(entry.to_state, entry.to_state),
                "changed": entry.from_state != entry.to_state,
                "who": (entry.actor.get_full_name() or entry.actor.get_username())
                if entry.actor_id
                else "",
                "at_iso": at.isoformat(),
                "at_label": dateformat.format(at, datetime_format),
            }
        )
    return entries


# Country names per language, kept for the process: django-countries translates its whole
# list (≈ 250 names) the first time a request asks a country's name.
_COUNTRY_NAMES = {}


def _country_name(country):
    key = (get_language(), country.code)
    name = _COUNTRY_NAMES.get(key)
    if name is None:
        name = _COUNTRY_NAMES[key] = country.name
    return name


def _render_project(request, pk, *, status=200, errors=None, error_title="", posted=None):
    user = request.user
    project = load_project(user, pk)
    history = list(project_history(project, user=user))
    confirmed = project.confirmed_partnerships()
    countries = sorted({_country_name(p.centre.country) for p in confirmed}, key=str)
    partners = [
        {
            "partnership": p,
            "country": _country_name(p.centre.country),
            "badge": badge(p.state, p.get_state_display()),
            "total_cost": p.total_cost,
        }
        for p in project.partnerships.all()
    ]
    rate = project.cofinancing_rate
    context = {
        "project": project,
        "badge": badge(project.state, project.get_state_display()),
        "steps": _tracker(project, history),
        "figures": {
            "total_cost": project.total_cost,
            "requested_grant": project.requested_grant,
            "rate_percent": rate * 100 if rate is not None else None,
            "awarded": project.awarded_amount,
            "final_grant": project.final_grant,
            "countries": countries,
        },
        "partners": partners,
        "payments": list(project.payments.all()),
        "timeline": _timeline(project, history),
        "actions": _project_actions(project, user, posted),
        "centre_actions": _centre_actions(project, user, posted),
        "errors": errors or [],
        "error_title": error_title,
        "is_coordinator": permissions.is_coordinator(user),
        "side_state": project.state in SIDE_STATES,
    }
    return render(request, "projects/workspace/project.html", context, status=status)


@require_GET
@login_required
def project_detail(request, pk):
    return _render_project(request, pk)


# --- Actions: thin views over the services ----------------------------------------------------


def _anchor(posted, field=None):
    """Where an error in the summary leads: the form (or the field) the person used."""
    kind, _sep, rest = posted["action"].partition(":")
    if kind == "project":
        return f"{rest}-{field}" if field else f"action-{rest}"
    if kind == "partnership":
        return f"centre-{rest.rpartition(':')[2]}"
    return f"{kind}-{rest}-{field}" if field else f"{kind}-{rest}"


def refused(request, exc, *, project_id, posted, action_label):
    """The refusals every action view maps the same way."""
    project_url = reverse("workspace:project", args=[project_id])
    if isinstance(exc, (NotVisible, UnknownTransition)):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return forbidden(request, exc, project_id=project_id)
    if isinstance(exc, WrongState):
        messages.error(request, _("This was no longer possible: %(reason)s") % {"reason": str(exc)})
        return redirect(project_url)
    if isinstance(exc, ConditionsNotMet):
        return _render_project(
            request,
            project_id,
            status=422,
            errors=[
                {"code": failure.code, "message": str(failure.message), "anchor": _anchor(posted)}
                for failure in exc.failures
            ],
            error_title=_("“%(action)s” was not possible yet:") % {"action": action_label},
            posted=posted,
        )
    raise exc


def invalid(request, exc, *, project_id, posted, action_label):
    posted = {**posted, "error_field": exc.field, "error_message": exc.message}
    return _render_project(
        request,
        project_id,
        status=400,
        errors=[{"code": "invalid", "message": exc.message, "anchor": _anchor(posted, exc.field)}],
        error_title=_("Check what you entered for “%(action)s”:") % {"action": action_label},
        posted=posted,
    )


@require_POST
@login_required
def project_transition(request, pk, name):
    user = request.user
    project = load_project(user, pk)  # 404 before anything is read from the form
    label = PROJECT_ACTIONS.get(name, (name,))[0]
    posted = {
        "action": f"project:{name}",
        "comment": request.POST.get("comment", ""),
        "awarded_amount": request.POST.get("awarded_amount", ""),
        "override_reason": request.POST.get("override_reason", ""),
        "resubmission_date": request.POST.get("resubmission_date", ""),
    }
    try:
        data = {
            "comment": parse_comment(posted["comment"]),
            "override_reason": parse_comment(posted["override_reason"], field="override_reason"),
            "awarded_amount": parse_amount(posted["awarded_amount"]),
            "resubmission_date": parse_date(posted["resubmission_date"]),
        }
    except InvalidInput as exc:
        if permissions.can_run_project_transition(user, project, name):
            return invalid(request, exc, project_id=project.pk, posted=posted, action_label=label)
        data = {}  # the service refuses this person first (403 or 404), whatever they typed
    try:
        services.project_transition(project_id=project.pk, name=name, actor=user, **data)
    except (NotVisible, UnknownTransition, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return refused(request, exc, project_id=project.pk, posted=posted, action_label=label)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect(safe_next(request, reverse("workspace:project", args=[project.pk])))
