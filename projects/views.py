"""The workspace: server-rendered pages where members, partners and reviewers work.

Views read through the selectors, act through the services of `workflow.services`, and turn the
services' refusals into pages: NotVisible → 404; NotPermitted → a 403 page; WrongState → back to
the project with a message; ConditionsNotMet → the project page again (422) listing every
failure, the person's input kept; malformed input → the project page again (400).
"""

import re
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.models import JointProject, Partnership, Report
from projects.selectors import figures_by_project, visible_projects, with_partners
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
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

PAGE_SIZE = 50
COMMENT_MAX_LENGTH = 5000

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
# States off the main path: changes_requested returns to it, the others end the project.
SIDE_STATES = [
    ProjectState.CHANGES_REQUESTED,
    ProjectState.REJECTED,
    ProjectState.WITHDRAWN,
    ProjectState.TERMINATED,
]
# The order of the groups on the home page: what needs work first, what ended last.
HOME_ORDER = [
    ProjectState.DRAFT,
    ProjectState.OPEN_FOR_PARTNERS,
    ProjectState.CHANGES_REQUESTED,
    ProjectState.SUBMITTED,
    ProjectState.UNDER_REVIEW,
    ProjectState.APPROVED,
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.COMPLETED,
    ProjectState.REJECTED,
    ProjectState.WITHDRAWN,
    ProjectState.TERMINATED,
]
# The badge's family (its border colour); the badge always carries the state's name as text.
STATE_TONES = {
    ProjectState.DRAFT: "neutral",
    ProjectState.OPEN_FOR_PARTNERS: "active",
    ProjectState.SUBMITTED: "active",
    ProjectState.UNDER_REVIEW: "active",
    ProjectState.CHANGES_REQUESTED: "warning",
    ProjectState.APPROVED: "success",
    ProjectState.IN_PROGRESS: "success",
    ProjectState.REPORTING: "success",
    ProjectState.REPORT_SUBMITTED: "success",
    ProjectState.COMPLETED: "done",
    ProjectState.REJECTED: "ended",
    ProjectState.WITHDRAWN: "ended",
    ProjectState.TERMINATED: "ended",
    PartnershipState.INVITED: "warning",
    PartnershipState.REQUESTED: "warning",
    PartnershipState.CONFIRMED: "success",
    PartnershipState.DECLINED: "ended",
}

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
    "review": dict(ReviewState.choices),
    "report": dict(ReportState.choices),
}

# Amounts in EUR: digits, optionally spaced in thousands, and at most two decimals after a point
# or a comma. "20,000" is refused rather than guessed (twenty thousand, or twenty?).
AMOUNT = re.compile(r"^-?\d{1,12}(?:[.,]\d{1,2})?$")


class InvalidInput(ValueError):
    """Malformed input: the message says what to write instead."""

    def __init__(self, message, *, field):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_amount(raw, *, field="awarded_amount"):
    """A Decimal amount in EUR, None when empty; InvalidInput when it cannot be read."""
    text = re.sub(r"[\s\u00a0\u202f]", "", raw or "")
    if not text:
        return None
    if not AMOUNT.match(text):
        raise InvalidInput(
            _("Write the amount in euros with digits only, for example 20000 or 20000.50."),
            field=field,
        )
    return Decimal(text.replace(",", "."))


def parse_date(raw, *, field="resubmission_date"):
    """An aware end-of-day datetime for a date in the future, None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Write the date as year-month-day, for example 2027-03-31."), field=field
        ) from None
    if day <= timezone.localdate():
        raise InvalidInput(_("The date must be in the future."), field=field)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def parse_comment(raw, *, field="comment"):
    text = (raw or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise InvalidInput(
            _("The comment is too long (at most %(limit)s characters).")
            % {"limit": COMMENT_MAX_LENGTH},
            field=field,
        )
    return text


class CountedPaginator(Paginator):
    """A paginator told its total (from the per-state counts) instead of asking the database."""

    def __init__(self, object_list, per_page, *, total):
        super().__init__(object_list, per_page)
        self._total = total

    @cached_property
    def count(self):
        return self._total


def _state_order():
    return Case(
        *(When(state=state, then=Value(i)) for i, state in enumerate(HOME_ORDER)),
        default=Value(len(HOME_ORDER)),
        output_field=IntegerField(),
    )


def _badge(state, label):
    return {"state": state, "label": label, "tone": STATE_TONES.get(state, "neutral")}


def _safe_next(request, default):
    """Back to the workspace page the form was on, never elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith("/workspace/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Home: my projects, what waits for me, my reviews ----------------------------------------


@require_GET
@login_required
def home(request):
    user = request.user
    roles = permissions.roles_of(user)
    scope = "all" if roles.is_coordinator and request.GET.get("scope") == "all" else "mine"
    state = request.GET.get("state", "")
    if state not in ProjectState.values:
        state = ""

    if scope == "all":
        projects = visible_projects(user)
    elif roles.centres:
        # The projects the user's centres take part in (any partnership state). Every one of
        # them is visible to the user (visible_projects includes them), so the visibility's OR
        # of subqueries, which makes PostgreSQL read the whole table, is left out.
        projects = JointProject.objects.filter(
            pk__in=Partnership.objects.filter(centre_id__in=list(roles.centres)).values(
                "project_id"
            )
        )
    else:
        projects = JointProject.objects.none()

    counts = dict(projects.order_by().values_list("state").annotate(n=Count("id")))
    state_filters = [
        {"value": value, "label": ProjectState(value).label, "count": counts.get(value, 0)}
        for value in HOME_ORDER
        if counts.get(value) or value == state
    ]
    if state:
        projects = projects.filter(state=state)
    total = counts.get(state, 0) if state else sum(counts.values())
    # A card shows the call, tier and lead centre, and counts (countries, confirmed partners)
    # that come in one query for the page: no partnership or budget line is loaded. The rows
    # are dicts: calls and centres are ClusterableModels, costly to build 50 at a time.
    projects = projects.annotate(state_order=_state_order()).values(
        "id", "state", "title", "acronym", "call__title", "tier__name", "lead_centre__name"
    )
    paginator = CountedPaginator(
        projects.order_by("state_order", "-created_at", "-id"), PAGE_SIZE, total=total
    )
    page = paginator.get_page(request.GET.get("page"))
    rows = _home_cards(page.object_list)

    return render(
        request,
        "projects/workspace/home.html",
        {
            "roles": roles,
            "scope": scope,
            "state": state,
            "state_label": ProjectState(state).label if state else "",
            "state_filters": state_filters,
            "total": total,
            "all_total": sum(counts.values()),
            "page_obj": page,
            "rows": rows,
            **_waiting_for(user, roles, request),
            **_review_queue(user, roles, request),
        },
    )


def _home_cards(projects):
    """What each card of the home page shows, computed once a page rather than by template tags
    once a card: each state's name, the title's fallback, the "n confirmed centres" phrase per
    distinct n (the template's blocktranslate did the same translation)."""
    projects = list(projects)
    figures = figures_by_project([project["id"] for project in projects])
    labels = {value: str(label) for value, label in ProjectState.choices}
    untitled = _("Untitled proposal")
    partners_text = {}
    cards = []
    for project in projects:
        figure = figures[project["id"]]
        if figure.partners not in partners_text:
            partners_text[figure.partners] = ngettext(
                "%(counter)s confirmed centre", "%(counter)s confirmed centres", figure.partners
            ) % {"counter": figure.partners}
        cards.append(
            {
                "pk": project["id"],
                "state": project["state"],
                "url": reverse("workspace:project", args=[project["id"]]),
                "title": project["title"] or untitled,
                "acronym": project["acronym"],
                "call": project["call__title"],
                "tier": project["tier__name"],
                "lead_centre": project["lead_centre__name"],
                "badge": _badge(project["state"], labels.get(project["state"], project["state"])),
                "partners": partners_text[figure.partners],
                "countries": ", ".join(figure.countries),
            }
        )
    return cards


SIDE_PAGE_SIZE = 20


def _side_page(request, rows, param):
    """One page of a side panel's list (waiting answers, reviews), so the home page does not
    grow with a person's history. Not counted: one row more than shown says whether there is a
    next page. The links keep the rest of the address (scope, state, page of projects)."""
    try:
        number = max(1, int(request.GET.get(param, "1")))
    except ValueError:
        number = 1
    start = (number - 1) * SIDE_PAGE_SIZE
    found = list(rows[start : start + SIDE_PAGE_SIZE + 1])

    def link(target):
        query = request.GET.copy()
        query[param] = target
        return "?" + query.urlencode()

    nav = {
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if len(found) > SIDE_PAGE_SIZE else "",
    }
    return found[:SIDE_PAGE_SIZE], nav


class _MergedNewestFirst:
    """Querysets ordered newest first, sliced as one list ordered the same way."""

    def __init__(self, querysets):
        self.querysets = querysets

    def __getitem__(self, window):
        rows = [row for q in self.querysets for row in q[: window.stop]]
        rows.sort(key=lambda row: (row.created_at, row.pk), reverse=True)
        return rows[window]


def _waiting_for(user, roles, request):
    """Invitations to centres the user manages, and requests to join the projects they lead
    (newest first, a page at a time)."""
    managed = [centre for centre, role in roles.centres.items() if role == "manager"]
    if not roles.centres:
        return {"waiting": {"invitations": [], "requests": []}, "waiting_nav": {}}
    # Two queries PostgreSQL answers from indexes (an OR across the join would read every
    # partnership), merged newest first; each brings at most what the page can show. The
    # centres' names come as columns: centres are ClusterableModels, costly to build.
    names = {"centre_name": F("centre__name"), "lead_name": F("project__lead_centre__name")}
    invitations = Partnership.objects.filter(state=PartnershipState.INVITED, centre_id__in=managed)
    requests = Partnership.objects.filter(
        state=PartnershipState.REQUESTED, project__lead_centre_id__in=list(roles.centres)
    )
    pending, nav = _side_page(
        request,
        _MergedNewestFirst(
            [
                q.select_related("project").annotate(**names).order_by("-created_at", "-id")
                for q in (invitations, requests)
            ]
        ),
        "waiting",
    )
    waiting = {"invitations": [], "requests": []}
    untitled = _("Untitled proposal")
    for partnership in pending:
        project = partnership.project
        item = {
            "url": reverse("workspace:project", args=[partnership.project_id]),
            "title": project.title or untitled,
            "acronym": project.acronym,
            "centre_name": partnership.centre_name,
            "lead_name": partnership.lead_name,
            "actions": _partnership_actions(partnership, user),
        }
        key = "invitations" if partnership.state == PartnershipState.INVITED else "requests"
        waiting[key].append(item)
    return {"waiting": waiting, "waiting_nav": nav}


def _review_queue(user, roles, request):
    """The reviewer's reviews, open ones first, a page at a time."""
    if not roles.is_reviewer:
        return {"reviews": None, "reviews_nav": {}}
    # Rows as dicts: a review, its project and call as model instances (calls are
    # ClusterableModels) cost more to build than the query.
    reviews = (
        Review.objects.filter(reviewer=user)
        .annotate(
            open_first=Case(
                When(state=ReviewState.ASSIGNED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "due_date", "-assigned_at", "-id")
        .values(
            "state",
            "due_date",
            "project_id",
            "project__title",
            "project__acronym",
            "project__call__title",
        )
    )
    labels = {value: str(label) for value, label in ReviewState.choices}
    untitled = _("Untitled proposal")
    tones = {
        ReviewState.ASSIGNED: "warning",
        ReviewState.SUBMITTED: "success",
        ReviewState.DECLINED: "ended",
    }
    reviews, nav = _side_page(request, reviews, "reviews")
    rows = [
        {
            "url": reverse("workspace:project", args=[review["project_id"]]),
            "title": review["project__title"] or untitled,
            "acronym": review["project__acronym"],
            "call": review["project__call__title"],
            "due_date": review["due_date"],
            "badge": {
                "state": review["state"],
                "label": labels.get(review["state"], review["state"]),
                "tone": tones.get(review["state"], "neutral"),
            },
        }
        for review in reviews
    ]
    return {"reviews": rows, "reviews_nav": nav}


# --- The project page ------------------------------------------------------------------------


def _load_project(user, pk):
    """The project with everything its page shows, or 404 when the user may not see it."""
    project = with_partners(JointProject.objects.filter(pk=pk)).prefetch_related("payments").first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404("No such project.")
    return project


def _partnership_label(name, *, state, centre_id, user):
    """An answer named from the point of view of who gives it."""
    roles = permissions.roles_of(user)
    invited = state == PartnershipState.INVITED
    if name == "accept":
        return _("Accept the invitation") if invited else _("Accept the request")
    if name == "decline":
        if invited:
            return (
                _("Decline the invitation")
                if roles.manager_of(centre_id)
                else _("Take the invitation back")
            )
        return _("Take the request back") if roles.member_of(centre_id) else _("Refuse the request")
    if name == "withdraw":
        return _("Leave the project") if roles.manager_of(centre_id) else _("Remove this partner")
    return name.replace("_", " ").capitalize()


def _partnership_actions(partnership, user):
    """The answers a user may give for one partnership, without those that can never succeed
    now (the lead never leaves; partners no longer change once the proposal is submitted)."""
    project = partnership.project
    names = services.partnership_available_transitions(partnership=partnership, user=user)
    actions = []
    for name in names:
        if name == "withdraw" and partnership.is_lead:
            continue
        if name in ("accept", "withdraw") and project.state not in ProjectState.editable():
            continue
        actions.append(
            {
                "name": name,
                "label": _partnership_label(
                    name, state=partnership.state, centre_id=partnership.centre_id, user=user
                ),
                "url": reverse("workspace:partnership_transition", args=[partnership.pk, name]),
                "dangerous": name in ("decline", "withdraw"),
            }
        )
    return actions


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
            "badge": _badge(partnership.state, partnership.get_state_display()),
            "transitions": _partnership_actions(partnership, user),
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
    steps = []
    for i, step in enumerate(MAIN_PATH):
        if side is None:
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
    project = _load_project(user, pk)
    history = list(project_history(project, user=user))
    confirmed = project.confirmed_partnerships()
    countries = sorted({_country_name(p.centre.country) for p in confirmed}, key=str)
    partners = [
        {
            "partnership": p,
            "country": _country_name(p.centre.country),
            "badge": _badge(p.state, p.get_state_display()),
            "total_cost": p.total_cost,
        }
        for p in project.partnerships.all()
    ]
    rate = project.cofinancing_rate
    context = {
        "project": project,
        "badge": _badge(project.state, project.get_state_display()),
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


def _forbidden(request, exc, *, project_id=None):
    return render(
        request,
        "projects/workspace/forbidden.html",
        {"project_url": reverse("workspace:project", args=[project_id]) if project_id else ""},
        status=403,
    )


def _anchor(posted, field=None):
    """Where an error in the summary leads: the form (or the field) the person used."""
    kind, _sep, rest = posted["action"].partition(":")
    if kind == "project":
        return f"{rest}-{field}" if field else f"action-{rest}"
    if kind == "partnership":
        return f"centre-{rest.rpartition(':')[2]}"
    return f"{kind}-{rest}-{field}" if field else f"{kind}-{rest}"


def _refused(request, exc, *, project_id, posted, action_label):
    """The refusals every action view maps the same way."""
    project_url = reverse("workspace:project", args=[project_id])
    if isinstance(exc, (NotVisible, UnknownTransition)):
        raise Http404(str(exc))
    if isinstance(exc, NotPermitted):
        return _forbidden(request, exc, project_id=project_id)
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


def _invalid(request, exc, *, project_id, posted, action_label):
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
    project = _load_project(user, pk)  # 404 before anything is read from the form
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
            return _invalid(request, exc, project_id=project.pk, posted=posted, action_label=label)
        data = {}  # the service refuses this person first (403 or 404), whatever they typed
    try:
        services.project_transition(project_id=project.pk, name=name, actor=user, **data)
    except (NotVisible, UnknownTransition, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused(request, exc, project_id=project.pk, posted=posted, action_label=label)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect(_safe_next(request, reverse("workspace:project", args=[project.pk])))


def _partnership_row(pk):
    """(project id, state, centre id) of a partnership; whether the user may see it is the
    service's to decide."""
    row = Partnership.objects.filter(pk=pk).values_list("project_id", "state", "centre_id").first()
    if row is None:
        raise Http404("No such partnership.")
    return row


def _partnership_project_id(pk):
    return _partnership_row(pk)[0]


@require_POST
@login_required
def partnership_transition(request, pk, name):
    project_id, state, centre_id = _partnership_row(pk)
    label = _partnership_label(name, state=state, centre_id=centre_id, user=request.user)
    posted = {"action": f"partnership:{name}:{pk}"}
    try:
        services.partnership_transition(partnership_id=pk, name=name, actor=request.user)
    except (NotVisible, UnknownTransition, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect(_safe_next(request, reverse("workspace:project", args=[project_id])))


def _ticked(request, name):
    return request.POST.get(name, "").lower() in ("on", "yes", "true", "1")


@require_POST
@login_required
def partnership_mandate(request, pk):
    project_id = _partnership_project_id(pk)
    label = _("Sign the mandate")
    posted = {"action": f"mandate:{pk}"}
    if not _ticked(request, "declaration"):
        _load_project(request.user, project_id)  # 404 first, for a project the user cannot see
        exc = InvalidInput(
            _("Tick the declaration to sign the mandate for your centre."), field="declaration"
        )
        return _invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_sign_mandate(partnership_id=pk, actor=request.user, declaration=True)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The mandate is signed."))
    return redirect(_safe_next(request, reverse("workspace:project", args=[project_id])))


@require_POST
@login_required
def partnership_agreement(request, pk):
    project_id = _partnership_project_id(pk)
    label = _("Accept the grant agreement")
    posted = {"action": f"agreement:{pk}"}
    if not _ticked(request, "accept"):
        _load_project(request.user, project_id)
        exc = InvalidInput(
            _("Tick the box to accept the grant agreement for your centre."), field="accept"
        )
        return _invalid(request, exc, project_id=project_id, posted=posted, action_label=label)
    try:
        services.partnership_accept_agreement(partnership_id=pk, actor=request.user)
    except (NotVisible, NotPermitted, WrongState, ConditionsNotMet) as exc:
        return _refused(request, exc, project_id=project_id, posted=posted, action_label=label)
    messages.success(request, _("The grant agreement is accepted."))
    return redirect(_safe_next(request, reverse("workspace:project", args=[project_id])))
