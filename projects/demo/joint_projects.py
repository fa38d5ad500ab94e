"""The demo's joint projects: one in every state, with partners, budgets and payments."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from projects.models import (
    BudgetCategory,
    BudgetLine,
    CallKind,
    CallTier,
    JointProject,
    Partnership,
    PartnershipOrigin,
    PartnershipRole,
    Payment,
    PaymentKind,
)
from workflow.states import PartnershipState, ProjectState

from .data import PROJECT_TITLE_WORDS
from .stories import STORIES_PER_SCALE

PROJECTS_PER_SCALE = 400
BATCH = 2000

# Every project state, in the order the demo cycles through them.
STATE_CYCLE = list(ProjectState)
EARLY_STATES = {
    ProjectState.DRAFT,
    ProjectState.OPEN_FOR_PARTNERS,
    ProjectState.SUBMITTED,
    ProjectState.UNDER_REVIEW,
    ProjectState.CHANGES_REQUESTED,
    ProjectState.REJECTED,
    ProjectState.WITHDRAWN,
}
STARTED_STATES = {
    ProjectState.IN_PROGRESS,
    ProjectState.REPORTING,
    ProjectState.REPORT_SUBMITTED,
    ProjectState.TERMINATED,
    ProjectState.COMPLETED,
}


# --- Projects -------------------------------------------------------------------------------

CALL_FOR_STATE = {
    **dict.fromkeys(EARLY_STATES, "joint-projects-2027"),
    ProjectState.APPROVED: "joint-projects-2026",
    ProjectState.IN_PROGRESS: "joint-projects-2026",
    ProjectState.REPORTING: "joint-projects-2026",
    ProjectState.REPORT_SUBMITTED: "joint-projects-2025",
    ProjectState.TERMINATED: "joint-projects-2025",
    ProjectState.COMPLETED: "joint-projects-2025",
}
# (start, end) in days from today, by state.
DATES_FOR_STATE = {
    ProjectState.APPROVED: (30, 570),
    ProjectState.IN_PROGRESS: (-200, 300),
    ProjectState.REPORTING: (-600, -30),
    ProjectState.REPORT_SUBMITTED: (-700, -60),
    ProjectState.TERMINATED: (-700, -60),
    ProjectState.COMPLETED: (-900, -100),
}


def _money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def _budget(rng, mobility):
    if mobility:
        lines = [
            (
                BudgetCategory.TRAVEL,
                "Travel and stay of the exchanged staff",
                rng.randrange(800, 2000, 50),
            ),
            (BudgetCategory.STAFF, "Hosting and mentoring time", rng.randrange(500, 1500, 50)),
        ]
    else:
        lines = [
            (
                BudgetCategory.STAFF,
                "Project coordination and artistic team",
                rng.randrange(4000, 12000, 50),
            ),
            (
                BudgetCategory.TRAVEL,
                "Travel between partner centres",
                rng.randrange(1500, 5000, 50),
            ),
            (
                BudgetCategory.PRODUCTION,
                "Production and technical costs",
                rng.randrange(3000, 10000, 50),
            ),
        ]
        if rng.random() < 0.4:
            lines.append(
                (
                    BudgetCategory.DISSEMINATION,
                    "Communication and documentation",
                    rng.randrange(500, 3000, 50),
                )
            )
    total = sum(amount for _c, _d, amount in lines)
    own = _money(Decimal(total) * Decimal("0.25"))
    return [(c, d, _money(a)) for c, d, a in lines], own


def project_spec(j, centre_count):
    """The j-th demo project: its state, call, centres and budgets, all derived from j.

    Its shape (state, number of partners, budget lines, payments) depends only on
    j % PROJECTS_PER_SCALE, so `--scale 2` makes exactly twice the rows of `--scale 1`.
    """
    k = j % PROJECTS_PER_SCALE
    rng = random.Random(f"project-{k}")
    state = STATE_CYCLE[k % len(STATE_CYCLE)]
    size = 2 + k % 3
    if j == len(STATE_CYCLE):
        lead, partners = 1, [3, 0, 4, 5]  # a draft inviting the demo lead's centre
    elif j == len(STATE_CYCLE) + 1:
        lead, partners = 2, [4, 5, 0, 6]  # the demo lead's centre asked to join
    else:
        lead = (j * 7) % centre_count
        partners = [(lead + offset) % centre_count for offset in (1, 2, 3, 4)]
    mobility = state in EARLY_STATES and k % 5 == 0
    partners = partners[: 1 if mobility else size]
    first, second = PROJECT_TITLE_WORDS
    title = f"{first[j % len(first)]} {second[(j // len(first)) % len(second)]}"
    acronym = "".join(word[0] for word in title.replace(",", "").split() if word[0].isupper())[:6]
    acronym = f"{acronym}{j % 100:02d}"
    return {
        "j": j,
        "rng": rng,
        "state": state,
        "mobility": mobility,
        "lead": lead,
        "partners": partners,
        "title": title,
        "acronym": acronym,
        "slug": f"{slugify(title)}-{j + 1}",
    }


def _partner_states(state, count):
    if state in (ProjectState.DRAFT, ProjectState.WITHDRAWN):
        return [PartnershipState.CONFIRMED] + [PartnershipState.INVITED] * (count - 1)
    if state == ProjectState.OPEN_FOR_PARTNERS:
        return (
            [PartnershipState.CONFIRMED, PartnershipState.INVITED]
            + [PartnershipState.REQUESTED] * count
        )[:count]
    return [PartnershipState.CONFIRMED] * count


def _tier_for(call, partner_count, tiers):
    if call.kind == CallKind.MOBILITY or call.pk not in tiers:
        return None
    name = "Large" if partner_count >= 5 else "Medium"
    return tiers[call.pk][name]


def ensure_projects(count, centres, managers, calls, themes, now, progress, *, coordinator_id):
    tiers = {}
    for tier in CallTier.objects.filter(call__in=calls.values()):
        tiers.setdefault(tier.call_id, {})[tier.name] = tier
    # The first STORIES_PER_SCALE of every 400 are told through the services (stories.py).
    specs = [
        project_spec(j, len(centres))
        for j in range(count)
        if j % PROJECTS_PER_SCALE >= STORIES_PER_SCALE
    ]
    existing = set(JointProject.objects.values_list("slug", flat=True))
    missing = [spec for spec in specs if spec["slug"] not in existing]
    today = now.date()
    totals = {"projects": 0, "partnerships": 0, "budget_lines": 0, "payments": 0}
    batch_size = 500
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        with transaction.atomic():
            _create_project_batch(
                batch, centres, managers, calls, tiers, themes, now, today, totals
            )
            _write_histories(batch_projects(batch), managers, coordinator_id, now)
        progress("projects", min(start + batch_size, len(missing)), len(missing))
    return totals


def _create_project_batch(batch, centres, managers, calls, tiers, themes, now, today, totals):
    projects, plans = [], []
    for spec in batch:
        rng, state = spec["rng"], spec["state"]
        call = calls["staff-mobility-2027" if spec["mobility"] else CALL_FOR_STATE[state]]
        lead_centre = centres[spec["lead"]]
        partner_centres = [centres[i] for i in spec["partners"]]
        member_states = [PartnershipState.CONFIRMED, *_partner_states(state, len(partner_centres))]
        members = [
            (lead_centre, PartnershipRole.LEAD),
            *((c, PartnershipRole.PARTNER) for c in partner_centres),
        ]
        budgets = [_budget(rng, spec["mobility"]) for _ in members]
        confirmed = [
            (lines, own)
            for (lines, own), s in zip(budgets, member_states, strict=True)
            if s == PartnershipState.CONFIRMED
        ]
        requested = sum(
            (sum(a for _c, _d, a in lines) - own for lines, own in confirmed), Decimal(0)
        )
        start_days, end_days = DATES_FOR_STATE.get(
            state, (120, 120 + (120 if spec["mobility"] else 540))
        )
        awarded = None
        if state == ProjectState.APPROVED or state in STARTED_STATES:
            awarded = _money(int(requested) // 100 * 100)
        countries = sorted({c.country.name for c, _role in members})
        projects.append(
            JointProject(
                call=call,
                tier=_tier_for(call, len(members), tiers),
                lead_centre=lead_centre,
                title=spec["title"],
                acronym=spec["acronym"],
                slug=spec["slug"],
                summary=(
                    f"{len(members)} cultural centres from {', '.join(countries)} "
                    f"share their stages, archives and audiences: {spec['title'].lower()} "
                    "becomes a season of performances, workshops and encounters."
                ),
                description=(
                    f"Led by {lead_centre.name}, the partners co-create new work with local "
                    "artists and residents, exchange staff and tour the results between their "
                    "venues. Each centre hosts at least one public event and documents it for the "
                    "others."
                ),
                start_date=today + timedelta(days=start_days),
                end_date=today + timedelta(days=end_days),
                sought_partner_profile=(
                    "A centre with experience of participatory projects with young people, ideally "
                    "in a country not yet represented."
                    if state == ProjectState.OPEN_FOR_PARTNERS
                    else ""
                ),
                state=state,
                awarded_amount=awarded,
                resubmission_date=now + timedelta(days=21)
                if state == ProjectState.CHANGES_REQUESTED
                else None,
                created_by_id=managers.get(lead_centre.pk),
            )
        )
        plans.append((spec, members, member_states, budgets, awarded, call))
    JointProject.objects.bulk_create(projects)

    theme_links, partnerships, line_plans, payments = [], [], [], []
    for project, (spec, members, member_states, budgets, awarded, call) in zip(
        projects, plans, strict=True
    ):
        rng, state = spec["rng"], spec["state"]
        for theme in rng.sample(themes, 2):
            theme_links.append(
                JointProject.themes.through(jointproject_id=project.pk, theme_id=theme.pk)
            )
        signed_at = now - timedelta(days=60)
        for index, ((centre, role), pstate, (lines, own)) in enumerate(
            zip(members, member_states, budgets, strict=True)
        ):
            confirmed = pstate == PartnershipState.CONFIRMED
            agreement = state in STARTED_STATES or (
                state == ProjectState.APPROVED and index % 2 == 0
            )
            partnerships.append(
                Partnership(
                    project=project,
                    centre=centre,
                    role=role,
                    state=pstate,
                    origin=(
                        PartnershipOrigin.LEAD
                        if role == PartnershipRole.LEAD
                        else PartnershipOrigin.REQUEST
                        if pstate == PartnershipState.REQUESTED
                        else PartnershipOrigin.INVITATION
                    ),
                    own_contribution=own,
                    mandate_signed_by_id=managers.get(centre.pk) if confirmed else None,
                    mandate_signed_at=signed_at if confirmed else None,
                    agreement_accepted_by_id=managers.get(centre.pk)
                    if confirmed and agreement
                    else None,
                    agreement_accepted_at=signed_at + timedelta(days=30)
                    if confirmed and agreement
                    else None,
                )
            )
            line_plans.append(lines)
        pre_submission = (
            ProjectState.DRAFT,
            ProjectState.OPEN_FOR_PARTNERS,
            ProjectState.WITHDRAWN,
        )
        if state not in pre_submission and spec["j"] % 4 == 0:
            # An invitation left unanswered when the proposal was submitted: declined then.
            extra = centres[(spec["lead"] + 5) % len(centres)]
            if extra not in {c for c, _r in members}:
                partnerships.append(
                    Partnership(
                        project=project,
                        centre=extra,
                        role=PartnershipRole.PARTNER,
                        state=PartnershipState.DECLINED,
                    )
                )
                line_plans.append([])
        if state in STARTED_STATES:
            prefinancing = _money(awarded * call.prefinancing_rate)
            payments.append(
                Payment(
                    project=project,
                    kind=PaymentKind.PREFINANCING,
                    amount=prefinancing,
                    due_date=project.start_date + timedelta(days=15),
                    paid_at=now + timedelta(days=(project.start_date - now.date()).days + 10),
                )
            )
            if state == ProjectState.COMPLETED:
                payments.append(
                    Payment(
                        project=project,
                        kind=PaymentKind.BALANCE,
                        amount=_money(awarded - prefinancing),
                        due_date=project.end_date + timedelta(days=90),
                        paid_at=now - timedelta(days=5) if spec["j"] % 2 else None,
                    )
                )
            if state == ProjectState.TERMINATED:
                final_grant = _money(awarded * Decimal("0.40"))
                payments.append(
                    Payment(
                        project=project,
                        kind=PaymentKind.RECOVERY,
                        amount=_money(prefinancing - final_grant),
                        due_date=today + timedelta(days=30),
                    )
                )
    JointProject.themes.through.objects.bulk_create(theme_links)
    Partnership.objects.bulk_create(partnerships)
    budget_lines = [
        BudgetLine(
            partnership=partnership, category=category, description=description, amount=amount
        )
        for partnership, lines in zip(partnerships, line_plans, strict=True)
        for category, description, amount in lines
    ]
    BudgetLine.objects.bulk_create(budget_lines, batch_size=BATCH)
    Payment.objects.bulk_create(payments)
    for spec, project in zip(batch, projects, strict=True):
        spec["project"] = project
    totals["projects"] += len(projects)
    totals["partnerships"] += len(partnerships)
    totals["budget_lines"] += len(budget_lines)
    totals["payments"] += len(payments)


# The path each state was reached by, for the bulk projects' timelines: (transition, from, to).
_MAIN = [
    ("submit", "draft", "submitted"),
    ("start_review", "submitted", "under_review"),
    ("approve", "under_review", "approved"),
    ("start", "approved", "in_progress"),
    ("begin_reporting", "in_progress", "reporting"),
    ("submit_report", "reporting", "report_submitted"),
    ("complete", "report_submitted", "completed"),
]
_UP_TO = {step[2]: _MAIN[: index + 1] for index, step in enumerate(_MAIN)}
PATHS = {
    ProjectState.DRAFT: [],
    ProjectState.OPEN_FOR_PARTNERS: [("open_partner_search", "draft", "open_for_partners")],
    ProjectState.WITHDRAWN: [("withdraw", "draft", "withdrawn")],
    ProjectState.CHANGES_REQUESTED: [
        *_UP_TO["under_review"],
        ("request_changes", "under_review", "changes_requested"),
    ],
    ProjectState.REJECTED: [*_UP_TO["under_review"], ("reject", "under_review", "rejected")],
    ProjectState.TERMINATED: [*_UP_TO["in_progress"], ("terminate", "in_progress", "terminated")],
    **{ProjectState(state): path for state, path in _UP_TO.items()},
}
COORDINATOR_TRANSITIONS = {
    "start_review",
    "approve",
    "start",
    "request_changes",
    "reject",
    "terminate",
    "complete",
}
COMMENTS = {
    "request_changes": "Please detail the budget of the touring programme.",
    "reject": "The European dimension is not developed enough.",
    "terminate": "The partners agreed to end the project early.",
}


def batch_projects(batch):
    return [spec["project"] for spec in batch]


def _write_histories(projects, managers, coordinator_id, now):
    """A timeline for each bulk project: its creation and the transitions that led to its state,
    spread between the call's opening and today."""
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import TransitionLog

    content_type = ContentType.objects.get_for_model(JointProject)
    rows = []
    for project in projects:
        path = [("create", "", "draft"), *PATHS[project.state]]
        start = project.call.opens_at + timedelta(days=3)
        end = min(now - timedelta(hours=1), start + timedelta(days=30 * len(path)))
        step = (end - start) / max(len(path), 1)
        lead_manager = managers.get(project.lead_centre_id)
        for index, (name, source, target) in enumerate(path):
            actor = (
                None
                if name == "begin_reporting"
                else coordinator_id
                if name in COORDINATOR_TRANSITIONS
                else lead_manager
            )
            rows.append(
                TransitionLog(
                    content_type=content_type,
                    object_id=project.pk,
                    project=project,
                    transition=name,
                    from_state=source,
                    to_state=target,
                    actor_id=actor,
                    at=start + step * index,
                    comment=COMMENTS.get(name, ""),
                )
            )
    TransitionLog.objects.bulk_create(rows, batch_size=BATCH)
