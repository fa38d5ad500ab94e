"""Recompute the rankings' materialised scores: `manage.py ranking_refresh [--call ID …]`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from workflow.services.ranking import ranking_refresh


class Command(BaseCommand):
    help = (
        "Recompute every ranked proposal's mean score, thresholds and requested grant (the "
        "services keep them current; this repairs data written around them, e.g. bulk imports)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--call", type=int, action="append", dest="calls", help="Only this call (repeatable)."
        )

    def handle(self, *args, calls=None, **options):
        with transaction.atomic():
            count = ranking_refresh(call_ids=calls)
        self.stdout.write(f"proposals={count}")
