"""Named querysets: every read of the domain goes through here, with its joins decided once."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from cms.cache import LocalMemo
from projects.models import Call, Centre, JointProject, Network, Partnership
from projects.models._fields import ZERO
from workflow.permissions import PUBLIC_STATES, roles_of
from workflow.states import PartnershipState


def centres_for_admin():
    """The coordinators' centre list: network and member count in the same query."""
    return Centre.objects.select_related("network").annotate(
        member_count=Count("memberships", distinct=True)
    )


def calls_for_admin():
    return Call.objects.select_related("network")


def open_calls(at=None):
    at = at or timezone.now()
    return (
        Call.objects.filter(opens_at__lte=at, deadline__gte=at)
        .select_related("network")
        .order_by("deadline")
    )


# This process's copies of the two entries below (cms.cache.LocalMemo): another worker shows a
# change at most five seconds late, on top of the entries' own expiry.
_home_memo = LocalMemo(seconds=5)

HOME_OPEN_CALLS_KEY = "projects:home-open-calls"
HOME_OPEN_CALLS_LIMIT = 3
# An upper bound only: the entry expires exactly when its list can change with the clock.
HOME_OPEN_CALLS_TIMEOUT = 60


def home_open_calls():
    """The first open calls (by deadline) of the public home page, with their network, from
    Django's cache: the anonymous home page ran this query on every request. The list can
    change with the clock only when its first deadline passes (the earliest of every open call)
    or when a future call opens, so the entry expires then (at most after a minute); saving or
    deleting a call or network clears it (network_figures_changed)."""
    from django.core.cache import cache

    calls = _home_memo.get(HOME_OPEN_CALLS_KEY)
    if calls is not None:
        return calls
    calls = cache.get(HOME_OPEN_CALLS_KEY)
    if calls is not None:
        # Rounded down like the shared entry's timeout; at most the memo's five seconds.
        _home_memo.set(HOME_OPEN_CALLS_KEY, calls, seconds=_seconds_to_change(calls))
    else:
        at = timezone.now()
        calls = list(open_calls(at)[:HOME_OPEN_CALLS_LIMIT])
        next_opening = (
            Call.objects.filter(opens_at__gt=at)
            .order_by("opens_at")
            .values_list("opens_at", flat=True)
            .first()
        )
        changes = [c for c in (calls[0].deadline if calls else None, next_opening) if c]
        # Rounded down: a second early is harmless, a second late would show a closed call.
        timeout = int(min([HOME_OPEN_CALLS_TIMEOUT, *((c - at).total_seconds() for c in changes)]))
        if timeout > 0:
            cache.set(HOME_OPEN_CALLS_KEY, calls, timeout=timeout)
            _home_memo.set(HOME_OPEN_CALLS_KEY, calls, seconds=timeout)
    return calls


def _seconds_to_change(calls):
    """Seconds until the first of these calls closes (a call opening with the clock is bounded
    by the memo's own five seconds)."""
    if not calls:
        return _home_memo.seconds
    return max(0, int((calls[0].deadline - timezone.now()).total_seconds()))


NETWORK_FIGURES_KEY = "projects:network-figures"
# Saving or deleting a centre, network or call clears the figures at once (receivers in
# ProjectsConfig.ready); a call opening or closing with the clock fires no signal, so the
# figures also expire after a minute: "open calls" is at most 60 s behind the time.
NETWORK_FIGURES_TIMEOUT = 60


def network_figures():
    """Headline figures of the public home page, from Django's cache (Redis in production:
    shared by every worker). Computed at most once a minute, or after a change."""
    from django.core.cache import cache

    figures = _home_memo.get(NETWORK_FIGURES_KEY)
    if figures is None:
        figures = cache.get(NETWORK_FIGURES_KEY)
        if figures is None:
            figures = compute_network_figures()
            cache.set(NETWORK_FIGURES_KEY, figures, timeout=NETWORK_FIGURES_TIMEOUT)
        _home_memo.set(NETWORK_FIGURES_KEY, figures)
    return figures


def network_figures_changed(**kwargs):
    """A centre, network or call was saved or deleted: forget the figures. Also once the
    transaction commits, in case a request re-cached the old figures in between (it read
    before the commit); bulk updates fire no signal and wait for the timeout."""
    from django.core.cache import cache
    from django.db import transaction

    keys = [NETWORK_FIGURES_KEY, HOME_OPEN_CALLS_KEY]

    def forget():
        cache.delete_many(keys)
        _home_memo.clear()

    forget()
    transaction.on_commit(forget)


def compute_network_figures():
    """The figures (centres, countries, networks, open calls), in one query instead of three:
    the networks' aggregate, with the centres' and the open calls' counts as scalar
    subqueries. Every centre and call belongs to a network, so with no network every figure
    is 0."""
    from django.db.models import Func, Max, Subquery, Value

    def scalar(queryset, expression):
        # An aggregate written as a plain function: no GROUP BY, one row. Max() only lifts
        # that one-row subquery into the networks' aggregate.
        rows = queryset.order_by().annotate(n=expression).values("n")
        return Max(Subquery(rows[:1]))

    count_all = Func(Value(1), function="COUNT")
    figures = Network.objects.aggregate(
        networks=Count("id"),
        centres=scalar(Centre.objects.all(), count_all),
        countries=scalar(
            Centre.objects.all(),
            Func("country", function="COUNT", template="%(function)s(DISTINCT %(expressions)s)"),
        ),
        open_calls=scalar(open_calls().select_related(None), count_all),
    )
    return {key: value or 0 for key, value in figures.items()}


def visible_projects(user):
    """The projects a user may see (PRODUCT.md §1): coordinators all; members their centres'
    (any partnership state); reviewers those assigned to them; everyone the public ones."""
    roles = roles_of(user)
    projects = JointProject.objects.all()
    if roles.is_coordinator:
        return projects
    visible = Q(state__in=PUBLIC_STATES)
    if roles.centres:
        visible |= _of_centres(roles)
    if roles.is_reviewer:
        visible |= _reviewed_by(roles)
    return projects.filter(visible)


def count_visible(user, narrow=None):
    """How many projects `user` may see, after `narrow` (a list's filters), as
    visible_projects(user) would count them, but in disjoint parts PostgreSQL counts from
    indexes: the public ones, then the user's centres' other ones, then those they review. One
    COUNT over visible_projects' OR of subqueries reads the whole table instead."""
    narrow = narrow or (lambda projects: projects)
    roles = roles_of(user)
    if roles.is_coordinator:
        return narrow(JointProject.objects.all()).count()
    public = Q(state__in=PUBLIC_STATES)
    total = narrow(JointProject.objects.filter(public)).count()
    private = JointProject.objects.exclude(public)
    if roles.centres:
        total += narrow(private.filter(_of_centres(roles))).count()
    if roles.is_reviewer:
        reviewed = private.filter(_reviewed_by(roles))
        if roles.centres:
            reviewed = reviewed.exclude(_of_centres(roles))
        total += narrow(reviewed).count()
    return total


def _of_centres(roles):
    return Q(
        pk__in=Partnership.objects.filter(centre_id__in=list(roles.centres)).values("project_id")
    )


def _reviewed_by(roles):
    from workflow.models import Review

    return Q(pk__in=Review.objects.filter(reviewer_id=roles.user_id).values("project_id"))


def with_partners(projects):
    """Everything the derived figures (countries, totals) need, in a fixed number of queries."""
    partnerships = Partnership.objects.select_related("centre").prefetch_related("budget_lines")
    return projects.select_related("call", "tier", "lead_centre").prefetch_related(
        Prefetch("partnerships", queryset=partnerships)
    )


@dataclass
class ProjectFigures:
    """A project's derived figures (JointProject.countries, total_cost, requested_grant,
    cofinancing_rate and the number of confirmed partners), computed the same way."""

    countries: list = field(default_factory=list)
    total_cost: Decimal = ZERO
    requested_grant: Decimal = ZERO
    partners: int = 0

    @property
    def cofinancing_rate(self):
        if not self.total_cost:
            return None
        return (self.requested_grant / self.total_cost).quantize(Decimal("0.0001"))


def project_figures(projects):
    """Attach `figures` (ProjectFigures) to each project of a page, in one query of one row per
    confirmed partnership (its budget summed in SQL) instead of loading every partnership and
    budget line as objects. Returns the projects."""
    projects = list(projects)
    figures = figures_by_project([project.pk for project in projects])
    for project in projects:
        project.figures = figures[project.pk]
    return projects


def figures_by_project(project_ids):
    """{project id: ProjectFigures} for a page of ids, in the one query of project_figures (for
    lists that read their rows with values(), without model instances)."""
    figures = {pk: ProjectFigures() for pk in project_ids}
    countries = {pk: set() for pk in figures}
    rows = (
        Partnership.objects.filter(project_id__in=figures, state=PartnershipState.CONFIRMED)
        .order_by()
        .values("id", "project_id", "own_contribution", "centre__country")
        .annotate(cost=Sum("budget_lines__amount", default=ZERO))
        .values_list("project_id", "own_contribution", "centre__country", "cost")
    )
    for project_id, own, country, cost in rows:
        figure = figures[project_id]
        figure.partners += 1
        figure.total_cost += cost
        figure.requested_grant += max(cost - own, ZERO)
        countries[project_id].add(country)
    for pk, figure in figures.items():
        figure.countries = sorted(countries[pk])
    return figures


def calls_with_rules():
    return Call.objects.prefetch_related("tiers", "criteria")


def centre_directory(*, country=None, query=None):
    centres = Centre.objects.select_related("network")
    if country:
        centres = centres.filter(country=country.upper())
    if query:
        centres = centres.filter(Q(name__icontains=query) | Q(city__icontains=query))
    return centres
