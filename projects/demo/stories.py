"""Demo projects told through the services: one in every state, with a real history.

Each story runs the same service calls people make (create, invite, sign, submit, review,
approve, start, report, complete…), so states, logs, reviews, payments and notifications are
exactly what the product makes. A demo clock sets "now" for each step, so the timeline shows
plausible dates (a submission before the deadline, a decision weeks later).
"""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model

from projects.models import BudgetCategory, JointProject, ReportKind
from projects.services import project_create
from workflow import services
from workflow.notifications import muted
from workflow.states import ProjectState as S

# (state reached, title, acronym)
STORIES = [
    (S.DRAFT, "Rivers of Europe: a sound archive", "RIVERS"),
    (S.OPEN_FOR_PARTNERS, "Small Towns, Big Stories", "STBS"),
    (S.SUBMITTED, "Night Voices", "NIGHT"),
    (S.UNDER_REVIEW, "Living Archives of the Old Factories", "LIVARC"),
    (S.CHANGES_REQUESTED, "Public Kitchens", "KITCH"),
    (S.APPROVED, "Green Stages", "GREEN"),
    (S.REJECTED, "Street Atlas", "ATLAS"),
    (S.WITHDRAWN, "Hidden Songs of the Borderlands", "HIDDEN"),
    (S.IN_PROGRESS, "Open Doors", "OPEN"),
    (S.REPORTING, "Shared Stages", "SHARED"),
    (S.REPORT_SUBMITTED, "Echoes of the Danube", "ECHOES"),
    (S.TERMINATED, "Moving Borders", "MOVING"),
    (S.COMPLETED, "Crossroads of the Mediterranean", "CROSS"),
]
STORIES_PER_SCALE = len(STORIES)
LINES = [
    (BudgetCategory.STAFF, "Artistic team and coordination", Decimal("8000.00")),
    (BudgetCategory.TRAVEL, "Travel between the partner centres", Decimal("3000.00")),
    (BudgetCategory.PRODUCTION, "Production and technical costs", Decimal("6000.00")),
]
OWN_CONTRIBUTION = Decimal("4250.00")  # 25 % of 17,000: a 75 % co-financing rate
AWARDED = Decimal("38000.00")


@contextmanager
def demo_clock(moment):
    """Within the block, Django's timezone.now() answers `moment` (demo data only)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class Story:
    def __init__(self, *, state, title, acronym, cast, call, now):
        self.state, self.title, self.acronym = state, title, acronym
        self.cast, self.call, self.now = cast, call, now
        self.project = None

    # One step = one service call at a moment of the demo's history.
    def at(self, moment, service, **kwargs):
        with demo_clock(moment):
            return service(**kwargs)

    def run(self):
        cast, state = self.cast, self.state
        funded = state in (
            S.APPROVED,
            S.IN_PROGRESS,
            S.REPORTING,
            S.REPORT_SUBMITTED,
            S.TERMINATED,
            S.COMPLETED,
        )
        deadline = self.call.deadline
        opening = self.call.opens_at
        start = deadline.date() + timedelta(days=60)
        if state == S.IN_PROGRESS or state == S.TERMINATED or state == S.APPROVED:
            end = self.now.date() + timedelta(days=150)
        elif funded:
            end = self.now.date() - timedelta(days=60)
        else:
            start, end = deadline.date() + timedelta(days=90), deadline.date() + timedelta(days=450)
        begin = opening + timedelta(days=5)
        self.project = self.at(
            begin,
            project_create,
            actor=cast["lead"],
            call=self.call,
            tier=self.call.tiers.filter(name="Medium").first(),
            lead_centre=cast["lead_centre"],
            title=self.title,
            acronym=self.acronym,
            summary=(
                f"{cast['lead_centre'].name} and its partners in {cast['countries']} share stages, "
                "archives and audiences: a season of performances, workshops and encounters."
            ),
            description=(
                "Each centre hosts at least one public event and documents it for the others."
            ),
            start_date=start,
            end_date=end,
            sought_partner_profile=(
                "A centre working with young people, in a country not yet on board."
            ),
        )
        pid = self.project.pk
        lead_partnership = self.project.partnerships.get()
        self.budget(begin, lead_partnership.pk, cast["lead"])
        self.at(
            begin,
            services.partnership_sign_mandate,
            partnership_id=lead_partnership.pk,
            actor=cast["lead"],
            declaration=True,
        )
        if state == S.WITHDRAWN:
            self.at(
                begin + timedelta(days=2),
                services.project_transition,
                project_id=pid,
                name="withdraw",
                actor=cast["lead"],
                comment="We will apply to the next call with a larger partnership.",
            )
            return self.project
        for index, (centre, manager) in enumerate(cast["partners"]):
            moment = begin + timedelta(days=2 + index)
            partnership = self.at(
                moment,
                services.partnership_invite,
                project_id=pid,
                centre_id=centre.pk,
                actor=cast["lead"],
            )
            if state == S.DRAFT and index == 1:
                continue  # the invitation still waits for an answer
            self.at(
                moment + timedelta(days=1),
                services.partnership_transition,
                partnership_id=partnership.pk,
                name="accept",
                actor=manager,
            )
            self.budget(moment + timedelta(days=2), partnership.pk, manager)
            self.at(
                moment + timedelta(days=2),
                services.partnership_sign_mandate,
                partnership_id=partnership.pk,
                actor=manager,
                declaration=True,
            )
        if state == S.DRAFT:
            return self.project
        if state == S.OPEN_FOR_PARTNERS:
            self.at(
                begin + timedelta(days=8),
                services.project_transition,
                project_id=pid,
                name="open_partner_search",
                actor=cast["lead"],
            )
            centre, member = cast["joiner"]
            self.at(
                begin + timedelta(days=9),
                services.partnership_request,
                project_id=pid,
                centre_id=centre.pk,
                actor=member,
            )
            return self.project
        submitted = deadline - timedelta(days=5)
        if deadline > self.now:  # an open call: the proposal went in recently
            submitted = self.now - timedelta(days=10)
        self.at(
            submitted,
            services.project_transition,
            project_id=pid,
            name="submit",
            actor=cast["lead"],
        )
        if state == S.SUBMITTED:
            return self.project
        decided = submitted + timedelta(days=40)
        if deadline > self.now:  # an open call: decisions are being made now
            decided = self.now - timedelta(hours=1)
        self.at(
            submitted + timedelta(days=8),
            services.project_transition,
            project_id=pid,
            name="start_review",
            actor=cast["coordinator"],
        )
        for index, reviewer in enumerate(cast["reviewers"]):
            if state == S.UNDER_REVIEW and index == 1:
                self.at(
                    submitted + timedelta(days=9),
                    services.review_assign,
                    project_id=pid,
                    reviewer=reviewer,
                    actor=cast["coordinator"],
                )
                continue
            self.review(submitted + timedelta(days=9 + index), reviewer, strong=state != S.REJECTED)
        if state == S.UNDER_REVIEW:
            return self.project
        if state == S.CHANGES_REQUESTED:
            self.at(
                decided,
                services.project_transition,
                project_id=pid,
                name="request_changes",
                actor=cast["coordinator"],
                comment="Please detail the budget of the touring programme.",
                resubmission_date=self.now + timedelta(days=21),
            )
            return self.project
        if state == S.REJECTED:
            self.at(
                decided,
                services.project_transition,
                project_id=pid,
                name="reject",
                actor=cast["coordinator"],
                comment="The European dimension is not developed enough.",
            )
            return self.project
        self.at(
            decided,
            services.project_transition,
            project_id=pid,
            name="approve",
            actor=cast["coordinator"],
            awarded_amount=AWARDED,
        )
        for index, (manager, partnership_id) in enumerate(self.managers_and_partnerships()):
            if state == S.APPROVED and index == 2:
                continue  # one agreement still pending
            self.at(
                decided + timedelta(days=5 + index),
                services.partnership_accept_agreement,
                partnership_id=partnership_id,
                actor=manager,
            )
        if state == S.APPROVED:
            return self.project
        started = decided + timedelta(days=20)
        self.at(
            started,
            services.project_transition,
            project_id=pid,
            name="start",
            actor=cast["coordinator"],
        )
        if state == S.TERMINATED:
            self.at(
                self.now - timedelta(days=3),
                services.project_transition,
                project_id=pid,
                name="terminate",
                actor=cast["coordinator"],
                comment="The lead centre closed for renovation; the partners agreed to end early.",
            )
            return self.project
        if state == S.IN_PROGRESS:
            return self.project
        after_end = self.now - timedelta(days=59)
        self.at(
            after_end,
            services.project_transition,
            project_id=pid,
            name="begin_reporting",
            actor=None,
        )
        if state == S.REPORTING:
            return self.project
        report = self.at(
            after_end + timedelta(days=10),
            services.report_create,
            project_id=pid,
            actor=cast["lead"],
            kind=ReportKind.FINAL,
        )
        self.at(
            after_end + timedelta(days=20),
            services.report_update,
            report_id=report.pk,
            actor=cast["lead"],
            narrative=(
                "Twelve public events in three countries; two co-productions toured between "
                "the centres."
            ),
            indicators={
                "events": 12,
                "audience": {"FR": 2100, "BE": 950, "HR": 780},
                "artists": 34,
                "participants": 410,
                "travellers": 26,
                "volunteers": 48,
            },
            costs=[
                {"partnership": p.pk, "amount": Decimal("16200.00")}
                for p in self.project.partnerships.filter(state="confirmed")
            ],
        )
        self.at(
            after_end + timedelta(days=25),
            services.project_transition,
            project_id=pid,
            name="submit_report",
            actor=cast["lead"],
        )
        if state == S.REPORT_SUBMITTED:
            return self.project
        self.at(
            after_end + timedelta(days=45),
            services.project_transition,
            project_id=pid,
            name="complete",
            actor=cast["coordinator"],
        )
        return self.project

    def budget(self, moment, partnership_id, actor):
        lines = [{"category": c, "description": d, "amount": a} for c, d, a in LINES]
        self.at(
            moment,
            services.partnership_set_budget,
            partnership_id=partnership_id,
            actor=actor,
            lines=lines,
            own_contribution=OWN_CONTRIBUTION,
        )

    def review(self, moment, reviewer, *, strong):
        review = self.at(
            moment,
            services.review_assign,
            project_id=self.project.pk,
            reviewer=reviewer,
            actor=self.cast["coordinator"],
        )
        scores = [
            {"criterion": criterion.pk, "score": (8 if strong else 4) - index % 2, "comment": ""}
            for index, criterion in enumerate(self.call.criteria.all())
        ]
        self.at(
            moment + timedelta(days=3),
            services.review_score,
            review_id=review.pk,
            actor=reviewer,
            scores=scores,
            comment="A convincing partnership." if strong else "The cooperation is thin.",
        )
        self.at(
            moment + timedelta(days=3),
            services.review_transition,
            review_id=review.pk,
            name="submit",
            actor=reviewer,
        )

    def managers_and_partnerships(self):
        managers = {
            self.cast["lead_centre"].pk: self.cast["lead"],
            **{c.pk: m for c, m in self.cast["partners"]},
        }
        return [
            (managers[p.centre_id], p.pk)
            for p in self.project.partnerships.filter(state="confirmed").order_by("id")
        ]


def tell_stories(*, unit, centres, managers, demo_users, calls, now):
    """The stories of one scale unit; unit 0 belongs to the demo users' centres."""
    User = get_user_model()
    offset = 60 * unit
    lead_centre, partner_centre, partner2_centre, joiner_centre = (
        centres[offset + i] for i in (0, 1, 2, 5)
    )
    users = User.objects.in_bulk(
        [managers[c.pk] for c in (lead_centre, partner_centre, partner2_centre, joiner_centre)]
    )
    cast = {
        "lead": users[managers[lead_centre.pk]],
        "lead_centre": lead_centre,
        "partners": [
            (partner_centre, users[managers[partner_centre.pk]]),
            (partner2_centre, users[managers[partner2_centre.pk]]),
        ],
        "joiner": (joiner_centre, users[managers[joiner_centre.pk]]),
        "countries": ", ".join(
            c.country.name for c in (lead_centre, partner_centre, partner2_centre)
        ),
        "coordinator": demo_users["coordinator"],
        "reviewers": [demo_users["reviewer"], demo_users["reviewer2"]],
    }
    suffix = f"-{unit + 1}" if unit else ""
    told = 0
    for state, title, acronym in STORIES:
        if JointProject.objects.filter(
            acronym=f"{acronym}{suffix}", lead_centre=lead_centre
        ).exists():
            continue
        funded = state not in (
            S.DRAFT,
            S.OPEN_FOR_PARTNERS,
            S.SUBMITTED,
            S.UNDER_REVIEW,
            S.CHANGES_REQUESTED,
            S.REJECTED,
            S.WITHDRAWN,
        )
        call = calls["joint-projects-2026" if funded else "joint-projects-2027"]
        with muted():  # a demo tells no one
            Story(
                state=state,
                title=title,
                acronym=f"{acronym}{suffix}",
                cast=cast,
                call=call,
                now=now,
            ).run()
        told += 1
    return told
