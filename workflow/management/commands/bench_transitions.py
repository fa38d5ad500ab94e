"""Measure transitions per second through the services (single thread, real commits).

    python manage.py bench_transitions --projects 200

Builds its own small network and call, runs every proposal through
open_partner_search → submit → start_review → approve → start → begin_reporting, times only
the transitions, then deletes everything it made.
"""

import contextlib
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from projects.models import (
    BudgetLine,
    Call,
    Centre,
    JointProject,
    Membership,
    Network,
    Partnership,
    PartnershipOrigin,
    Payment,
)
from workflow import services
from workflow.models import Notification, Review, TransitionLog
from workflow.notifications import muted

PATH = ["open_partner_search", "submit", "start_review", "approve", "start", "begin_reporting"]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=200)
        parser.add_argument(
            "--notify", action="store_true", help="Also create notifications (after commit)."
        )

    def handle(self, *args, projects, notify, **options):
        User = get_user_model()
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        with transaction.atomic():
            network = Network.objects.create(
                name=f"Bench {stamp}", slug=f"bench-{stamp}", country="FR"
            )
            coordinator = User.objects.create(username=f"bench-coordinator-{stamp}")
            coordinator.groups.add(Group.objects.get_or_create(name="Coordinators")[0])
            lead_manager = User.objects.create(username=f"bench-lead-{stamp}")
            centres = [
                Centre.objects.create(
                    name=f"Bench centre {i}",
                    slug=f"bench-{stamp}-{i}",
                    network=network,
                    country=code,
                    city="Bench",
                )
                for i, code in enumerate(["FR", "BE", "HR"])
            ]
            Membership.objects.create(centre=centres[0], user=lead_manager, role="manager")
            call = Call.objects.create(
                network=network,
                title=f"Bench {stamp}",
                slug=f"bench-{stamp}",
                opens_at=timezone.now() - timedelta(days=1),
                deadline=timezone.now() + timedelta(days=30),
                budget=Decimal("1000000000"),
                min_partners=3,
                min_countries=3,
                max_grant=Decimal("100000"),
                min_reviews=0,
            )
            today = timezone.localdate()
            ids = []
            for n in range(projects):
                project = JointProject.objects.create(
                    call=call,
                    lead_centre=centres[0],
                    title=f"Bench {n}",
                    summary="Bench",
                    slug=f"bench-{stamp}-{n}",
                    start_date=today - timedelta(days=300),
                    end_date=today - timedelta(days=1),
                )
                for index, centre in enumerate(centres):
                    partnership = Partnership.objects.create(
                        project=project,
                        centre=centre,
                        role="lead" if index == 0 else "partner",
                        state="confirmed",
                        origin=PartnershipOrigin.LEAD
                        if index == 0
                        else PartnershipOrigin.INVITATION,
                        own_contribution=Decimal("1000"),
                        mandate_signed_at=timezone.now(),
                        mandate_signed_by=lead_manager,
                        agreement_accepted_at=timezone.now(),
                        agreement_accepted_by=lead_manager,
                    )
                    BudgetLine.objects.create(
                        partnership=partnership, category="staff", amount=Decimal("5000")
                    )
                ids.append(project.pk)
        actors = dict.fromkeys(PATH, coordinator) | {
            "open_partner_search": lead_manager,
            "submit": lead_manager,
        }
        count = 0
        started = time.perf_counter()
        try:
            self.run_all(ids, actors, notify)
            count = len(ids) * len(PATH)
        finally:
            elapsed = time.perf_counter() - started
            self.clean_up(ids, call, centres, network, [coordinator, lead_manager])
        self.stdout.write(
            f"{count} transitions in {elapsed:.2f} s: "
            f"{count / elapsed:.0f} transitions/s (single thread)"
        )

    def run_all(self, ids, actors, notify):
        with contextlib.nullcontext() if notify else muted():
            for project_id in ids:
                for name in PATH:
                    extra = {}
                    if name == "approve":  # no reviews in the benchmark: an override
                        extra = {"awarded_amount": Decimal("10000"), "override_reason": "bench"}
                    services.project_transition(
                        project_id=project_id, name=name, actor=actors[name], **extra
                    )

    def clean_up(self, ids, call, centres, network, users):
        with transaction.atomic():
            Notification.objects.filter(project_id__in=ids).delete()
            # The log is append-only for the application; the benchmark removes its own rows.
            TransitionLog._base_manager.filter(project_id__in=ids)._raw_delete(
                TransitionLog.objects.db
            )
            Review.objects.filter(project_id__in=ids).delete()
            Payment.objects.filter(project_id__in=ids).delete()
            JointProject.objects.filter(pk__in=ids).delete()
            call.delete()
            Membership.objects.filter(centre__in=centres).delete()
            Centre.objects.filter(pk__in=[c.pk for c in centres]).delete()
            network.delete()
            get_user_model().objects.filter(pk__in=[user.pk for user in users]).delete()
