"""Run the scheduled work once (cron, every few minutes): `manage.py run_scheduled`."""

import argparse
from datetime import date, datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from workflow.scheduled import run_all


def _day(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Move ended projects to reporting, send the due reminders (once a week per person) "
        "and retry failed emails. Safe to run as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_day,
            help="Act as if today were this day (YYYY-MM-DD), to catch up or to test.",
        )

    def handle(self, *args, date=None, **options):
        now = timezone.now()
        if date is not None:  # that day, at the current local time of day
            now = timezone.make_aware(datetime.combine(date, timezone.localtime(now).time()))
        counts = run_all(now=now)
        self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
