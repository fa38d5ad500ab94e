"""Send the daily digests that are due (cron, every few minutes, next to `run_scheduled`):
`manage.py send_daily_digests`. Safe to run as often as you like: a person gets at most one
digest a day (see workflow/digests.py)."""

from django.core.management.base import BaseCommand

from workflow.digests import send_daily_digests
from workflow.models import EmailStatus


class Command(BaseCommand):
    help = (
        "Email each person who chose the daily digest the notifications held for it, once a "
        "day after the digest hour. Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        statuses = send_daily_digests()
        sent = statuses.count(EmailStatus.SENT)
        self.stdout.write(f"digests_sent={sent} digests_failed={len(statuses) - sent}")
