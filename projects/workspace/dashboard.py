"""The workspace's home: my projects, what waits for my answer, my reviews."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from projects.models import JointProject, Partnership, Report, ReportKind
from projects.selectors import figures_by_project, visible_projects
from projects.workspace._common import (
    REVIEW_STATE_LABELS,
    CountedPaginator,
    badge,
    partnership_actions,
)
from projects.workspace.inbox import deadline_rows, reverse_or_project
from workflow import permissions
from workflow.inbox_selectors import deadlines_of, latest_unread
from workflow.models import Review
from workflow.scheduled import REPORT_DUE_DAYS
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

PAGE_SIZE = 50

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


def _state_order():
    return Case(
        *(When(state=state, then=Value(i)) for i, state in enumerate(HOME_ORDER)),
        default=Value(len(HOME_ORDER)),
        output_field=IntegerField(),
    )


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
            **_to_sign(user, roles, request),
            **_reports_due(roles, request),
            **_upcoming_deadlines(user),
            **_unread_notifications(user),
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
                "badge": badge(project["state"], labels.get(project["state"], project["state"])),
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
            "actions": partnership_actions(partnership, user),
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
            "id",
            "state",
            "due_date",
            "project_id",
            "project__title",
            "project__acronym",
            "project__call__title",
        )
    )
    labels = {value: str(label) for value, label in REVIEW_STATE_LABELS.items()}
    untitled = _("Untitled proposal")
    tones = {
        ReviewState.ASSIGNED: "warning",
        ReviewState.SUBMITTED: "success",
        ReviewState.DECLINED: "ended",
    }
    reviews, nav = _side_page(request, reviews, "reviews")
    rows = [
        {
            # The reviewer's own page of the review (scores, conflict declaration).
            "url": reverse("workspace:review", args=[review["id"]]),
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


# --- Inbox panels (issue 7): what to sign, reports due, deadlines, notifications ---------------

DEADLINES_SHOWN = 5
NOTIFICATIONS_SHOWN = 5


def _to_sign(user, roles, request):
    """Mandates and grant agreements waiting for a signature of a centre the user manages: the
    mandate of a confirmed centre while the proposal is editable, the agreement once the project
    is approved. Agreements first (the project cannot start without them), then the soonest
    call deadline; a page at a time."""
    managed = [centre for centre, role in roles.centres.items() if role == "manager"]
    if not managed:
        return {"to_sign": None, "to_sign_nav": {}}
    rows = (
        Partnership.objects.filter(centre_id__in=managed, state=PartnershipState.CONFIRMED)
        .filter(
            Q(project__state__in=ProjectState.editable(), mandate_signed_at__isnull=True)
            | Q(project__state=ProjectState.APPROVED, agreement_accepted_at__isnull=True)
        )
        .annotate(
            agreement_first=Case(
                When(project__state=ProjectState.APPROVED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("agreement_first", "project__call__deadline", "id")
        .values(
            "id",
            "project_id",
            "project__state",
            "project__title",
            "project__acronym",
            "project__call__deadline",
            "centre__name",
        )
    )
    rows, nav = _side_page(request, rows, "sign")
    untitled = _("Untitled proposal")
    items = []
    for row in rows:
        agreement = row["project__state"] == ProjectState.APPROVED
        if agreement:
            url = reverse_or_project(
                "workspace:grant_agreement", row["project_id"], row["project_id"]
            )
            what = _("Accept the grant agreement for %(centre)s")
        else:
            url = reverse_or_project(
                "workspace:project_partners", row["project_id"], row["project_id"]
            )
            what = _("Sign the mandate of %(centre)s")
        items.append(
            {
                "url": f"{url}#{'agreement' if agreement else 'mandate'}-{row['id']}",
                "title": row["project__title"] or untitled,
                "acronym": row["project__acronym"],
                "what": what % {"centre": row["centre__name"]},
                "deadline": None if agreement else row["project__call__deadline"],
            }
        )
    return {"to_sign": items, "to_sign_nav": nav}


def _reports_due(roles, request):
    """The final reports the user's centres owe: projects they lead in their reporting period,
    whose final report is not submitted yet (or came back), with its due date (the project's
    end + REPORT_DUE_DAYS, as the reminders count it); the soonest first, a page at a time."""
    if not roles.centres:
        return {"reports_due": None, "reports_due_nav": {}}
    final = Report.objects.filter(project=OuterRef("pk"), kind=ReportKind.FINAL)
    rows = (
        JointProject.objects.filter(
            lead_centre_id__in=list(roles.centres), state=ProjectState.REPORTING
        )
        .annotate(report_state=Subquery(final.values("state")[:1]))
        .order_by(F("end_date").asc(nulls_last=True), "id")
        .values("id", "title", "acronym", "end_date", "report_state")
    )
    rows, nav = _side_page(request, rows, "reports")
    today = timezone.localdate()
    untitled = _("Untitled proposal")
    progress = {
        None: _("Not started"),
        ReportState.DRAFT: _("Draft"),
        ReportState.RETURNED: _("Returned: changes needed"),
    }
    items = []
    for row in rows:
        due = row["end_date"] + timedelta(days=REPORT_DUE_DAYS) if row["end_date"] else None
        items.append(
            {
                "url": reverse_or_project("workspace:project_reports", row["id"], row["id"]),
                "title": row["title"] or untitled,
                "acronym": row["acronym"],
                "due": due,
                "overdue": due is not None and due < today,
                "days_left": (due - today).days if due else None,
                "progress": progress.get(row["report_state"], ""),
            }
        )
    return {"reports_due": items, "reports_due_nav": nav}


def _upcoming_deadlines(user):
    """The next few deadlines of every kind (calls, resubmissions, reviews, reports)."""
    now = timezone.now()
    deadlines = deadlines_of(user, since=now, limit=DEADLINES_SHOWN)
    return {"deadlines": deadline_rows(deadlines, today=timezone.localdate(now))}


def _unread_notifications(user):
    rows, more = latest_unread(user, limit=NOTIFICATIONS_SHOWN)
    for row in rows:
        row["url"] = reverse("workspace:notification_open", args=[row["id"]])
    return {"notifications": rows, "more_notifications": more}
