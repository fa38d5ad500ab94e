"""Who may review what, and how busy each reviewer is: conflicts of interest, reviewers' loads,
and the planner that spreads a call's proposals over its reviewers.

The planner (`plan_assignments`) is pure: it takes ids and returns a plan, so it is tested on
hand-made inputs; the reads below gather its inputs in a fixed number of queries.
"""

import hashlib
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from workflow import permissions
from workflow.states import ProjectState, ReviewState

REVIEWABLE = [ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW]

# Why a reviewer may not review a proposal.
CENTRE = "centre"  # works for a centre of the project (whatever its partnership state)
COUNTRY = "country"  # works for a centre in a country of the project (calls that say so)


@dataclass(frozen=True)
class Conflict:
    reason: str  # CENTRE or COUNTRY
    centre: str  # the name of the reviewer's centre that causes it
    country: str  # that centre's country code

    @property
    def country_name(self):
        return countries.name(self.country) or self.country

    def describe(self):
        """Why, for a list of reviewers beside the proposal."""
        if self.reason == CENTRE:
            return _("Works for %(centre)s, a centre of this project") % {"centre": self.centre}
        return _("Works for %(centre)s in %(country)s, a country of this project") % {
            "centre": self.centre,
            "country": self.country_name,
        }

    def message(self, name):
        """The refusal, naming the reviewer."""
        if self.reason == CENTRE:
            return _("%(name)s works for a centre of this project and cannot review it.") % {
                "name": name
            }
        return _(
            "%(name)s works for a centre in %(country)s, a country of this project, and cannot "
            "review it: this call counts the same country as a conflict of interest."
        ) % {"name": name, "country": self.country_name}


class ConflictIndex:
    """Reviewers' memberships by centre and by country, so a project's conflicts are looked up
    from its partners instead of comparing every reviewer with every partner."""

    def __init__(self, memberships):
        """memberships: (user id, centre id, centre name, country code) rows."""
        self.by_centre = defaultdict(list)
        self.by_country = defaultdict(list)
        for user_id, centre_id, name, country in sorted(memberships, key=lambda m: m[:2]):
            self.by_centre[centre_id].append((user_id, name, country))
            self.by_country[str(country)].append((user_id, name, country))

    def conflicts(self, centres, *, same_country):
        """{reviewer id: Conflict} for a project whose centres are `centres` ((centre id,
        country code) pairs). Working for one of the centres wins over sharing a country."""
        found = {}
        centres = sorted((centre_id, str(country)) for centre_id, country in centres)
        for centre_id, _country in centres:
            for user_id, name, country in self.by_centre.get(centre_id, ()):
                found.setdefault(user_id, Conflict(CENTRE, name, str(country)))
        if same_country:
            for country in sorted({country for _centre, country in centres}):
                for user_id, name, _code in self.by_country.get(country, ()):
                    found.setdefault(user_id, Conflict(COUNTRY, name, country))
        return found


# --- Reads ------------------------------------------------------------------------------------


def display_name(user):
    return user.get_full_name() or user.username


def reviewer_memberships(reviewer_ids=None):
    """The ConflictIndex of the active reviewers (or of these users), in one query."""
    from projects.models import Membership

    memberships = Membership.objects.order_by()
    if reviewer_ids is None:
        memberships = memberships.filter(
            user__groups__name=permissions.REVIEWERS, user__is_active=True
        )
    else:
        memberships = memberships.filter(user_id__in=list(reviewer_ids))
    return ConflictIndex(
        memberships.values_list("user_id", "centre_id", "centre__name", "centre__country")
    )


def project_conflicts(project, index):
    """{reviewer id: Conflict} for one project, from its partnerships (prefetched with their
    centres on the pages and services that call this)."""
    centres = [(p.centre_id, p.centre.country.code) for p in project.partnerships.all()]
    return index.conflicts(centres, same_country=project.call.conflict_same_country)


def call_conflicts(call, index):
    """{project id: {reviewer id: Conflict}} for every proposal of the call in review, in one
    query of the proposals' partner centres."""
    from projects.models import Partnership

    centres = defaultdict(list)
    rows = Partnership.objects.filter(project__call=call, project__state__in=REVIEWABLE)
    for project_id, centre_id, country in rows.order_by().values_list(
        "project_id", "centre_id", "centre__country"
    ):
        centres[project_id].append((centre_id, country))
    return {
        project_id: index.conflicts(project_centres, same_country=call.conflict_same_country)
        for project_id, project_centres in centres.items()
    }


def reviewers_with_load(*, call=None):
    """The active reviewers, by name, each with `open_reviews` (assigned, not submitted, on a
    proposal still in review: what they have to do now, across every call), `all_reviews`
    (ever assigned) and, given a call, `call_open_reviews` (the open ones in that call). One
    query."""
    open_review = Q(reviews__state=ReviewState.ASSIGNED, reviews__project__state__in=REVIEWABLE)
    annotations = {
        "open_reviews": Count("reviews", filter=open_review, distinct=True),
        "all_reviews": Count("reviews", distinct=True),
    }
    if call is not None:
        annotations["call_open_reviews"] = Count(
            "reviews", filter=open_review & Q(reviews__project__call=call), distinct=True
        )
    return (
        get_user_model()
        .objects.filter(groups__name=permissions.REVIEWERS, is_active=True)
        .annotate(**annotations)
        .order_by("last_name", "first_name", "username", "pk")
    )


@dataclass
class CallAssignmentData:
    """What the bulk assignment of a call reads: its proposals in review, the active reviewers
    with their loads, the conflicts, and the reviews the proposals already have."""

    proposals: list  # dicts: pk, title, acronym, state
    reviewers: list  # users with open_reviews, all_reviews, call_open_reviews
    conflicts: dict  # project id → {reviewer id: Conflict}
    existing: dict  # (project id, reviewer id) → review state
    names: dict  # reviewer id → name, for everyone holding an existing review


def call_assignment_data(call):
    """Everything the bulk assignment of `call` needs, in five queries whatever its size."""
    from projects.models import JointProject
    from workflow.models import Review

    proposals = list(
        JointProject.objects.filter(call=call, state__in=REVIEWABLE)
        .order_by("pk")
        .values("pk", "title", "acronym", "state")
    )
    reviewers = list(reviewers_with_load(call=call))
    conflicts = call_conflicts(call, reviewer_memberships())
    existing, names = {}, {}
    reviews = Review.objects.filter(project__call=call, project__state__in=REVIEWABLE).order_by()
    for project_id, reviewer_id, state, first, last, username in reviews.values_list(
        "project_id",
        "reviewer_id",
        "state",
        "reviewer__first_name",
        "reviewer__last_name",
        "reviewer__username",
    ):
        existing[(project_id, reviewer_id)] = state
        names[reviewer_id] = f"{first} {last}".strip() or username
    return CallAssignmentData(proposals, reviewers, conflicts, existing, names)


# --- The planner (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    before: int  # open reviews of the call the reviewer already has
    added: int  # given by the plan

    @property
    def after(self):
        return self.before + self.added


@dataclass
class Plan:
    per_proposal: int
    assignments: dict  # project id → [reviewer ids given by the plan]
    shortages: dict  # project id → reviews still missing after the plan
    loads: dict = field(default_factory=dict)  # reviewer id → Load

    @property
    def pairs(self):
        return sorted(
            (project, reviewer)
            for project, reviewers in self.assignments.items()
            for reviewer in reviewers
        )

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    @property
    def fingerprint(self):
        """Names the plan's assignments: a confirmation commits only the plan it previewed."""
        text = ";".join(f"{project}:{reviewer}" for project, reviewer in self.pairs)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def spread(self):
        """Most loaded minus least loaded reviewer, after the plan (0 without reviewers)."""
        after = [load.after for load in self.loads.values()]
        return max(after) - min(after) if after else 0

    @property
    def balanced(self):
        return self.spread <= 1


def plan_assignments(proposals, reviewers, conflicts, existing, per_proposal):
    """Give each proposal `per_proposal` reviews, spreading the work evenly.

    proposals: project ids, in the order they are served when everything else is equal.
    reviewers: the ids of the reviewers taking part; earlier ones win ties.
    conflicts: {project id: reviewer ids who may not review it}.
    existing: {(project id, reviewer id): review state} for the reviews the proposals have:
        never assigned twice; assigned and submitted ones count toward `per_proposal`, and the
        assigned (open) ones count in their reviewer's load; declined ones count for neither.

    Each proposal first gets, round after round, its least-loaded eligible reviewer (ties: the
    earlier reviewer); then assignments are handed along chains of reviewers, from a most loaded
    one to one with at least two fewer, until no chain narrows the spread. Reviewers have no
    cap, so a proposal is short only when fewer reviewers than it needs may review it; the
    spread ends above one only when the conflicts or the existing loads leave no way to narrow
    it (a reviewer's existing reviews are never moved).
    """
    order = {reviewer: index for index, reviewer in enumerate(reviewers)}
    load = dict.fromkeys(reviewers, 0)
    taken = defaultdict(set)
    counted = Counter()
    for (project, reviewer), state in existing.items():
        taken[project].add(reviewer)
        if state != ReviewState.DECLINED:
            counted[project] += 1
        if state == ReviewState.ASSIGNED and reviewer in load:
            load[reviewer] += 1
    before = dict(load)

    need = {project: max(0, per_proposal - counted[project]) for project in proposals}
    eligible = {
        project: [
            reviewer
            for reviewer in reviewers
            if reviewer not in taken[project] and reviewer not in conflicts.get(project, ())
        ]
        for project in proposals
    }
    chosen = {project: [] for project in proposals}
    # The proposals fewest reviewers may review choose first in each round.
    queue = sorted(
        (project for project in proposals if need[project]),
        key=lambda project: len(eligible[project]),
    )
    for _round in range(per_proposal):
        for project in queue:
            if len(chosen[project]) >= need[project]:
                continue
            candidates = [r for r in eligible[project] if r not in chosen[project]]
            if candidates:
                best = min(candidates, key=lambda r: (load[r], order[r]))
                chosen[project].append(best)
                load[best] += 1

    _rebalance(chosen, eligible, load, order)
    return Plan(
        per_proposal=per_proposal,
        assignments={project: picked for project, picked in chosen.items() if picked},
        shortages={
            project: need[project] - len(chosen[project])
            for project in proposals
            if len(chosen[project]) < need[project]
        },
        loads={r: Load(before=before[r], added=load[r] - before[r]) for r in reviewers},
    )


def _rebalance(chosen, eligible, load, order):
    """Hand assignments along chains of reviewers (x gives proposal p to y, who may review it
    and does not yet) from a most loaded reviewer to one with at least two fewer. Each chain
    lowers the sum of squared loads, so this ends; when no chain exists the spread is as narrow
    as the conflicts allow."""
    while True:
        holders = defaultdict(list)  # reviewer → proposals the plan gives them
        for project in sorted(chosen):
            for reviewer in chosen[project]:
                holders[reviewer].append(project)
        by_load = sorted(load, key=lambda r: (-load[r], order[r]))
        if not by_load or load[by_load[0]] - load[by_load[-1]] < 2:
            return
        for source in by_load:
            if load[source] - load[by_load[-1]] < 2:
                return
            path = _chain(source, holders, eligible, chosen, load)
            if path:
                for giver, taker, project in path:
                    picked = chosen[project]
                    picked[picked.index(giver)] = taker
                load[path[0][0]] -= 1
                load[path[-1][1]] += 1
                break
        else:
            return


def _chain(source, holders, eligible, chosen, load):
    """The shortest chain of hand-overs from `source` to a reviewer with at least two fewer
    assignments, as [(giver, taker, project)], or None. Breadth first, in a fixed order."""
    parent = {source: None}
    queue = deque([source])
    while queue:
        giver = queue.popleft()
        for project in holders[giver]:
            for taker in eligible[project]:
                if taker in parent or taker in chosen[project]:
                    continue
                parent[taker] = (giver, project)
                if load[taker] <= load[source] - 2:
                    path = []
                    node = taker
                    while parent[node] is not None:
                        previous, via = parent[node]
                        path.append((previous, node, via))
                        node = previous
                    return list(reversed(path))
                queue.append(taker)
    return None
