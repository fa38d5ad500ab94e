import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.demo import ensure_site_tree
from cms.sync import public_pages_rebuild
from projects.demo.seed import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo network (PRODUCT.md §5): users, centres, calls, projects in every state "
        "and the public site tree. Idempotent: a second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply centres, projects, partnerships (50: 3,000 centres, 20,000 projects).",
        )
        parser.add_argument(
            "--no-public-pages",
            action="store_true",
            help="Skip the public project and call pages (rebuild_public_pages makes them).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=f"Create the demo users (password {DEMO_PASSWORD!r}) even with DEBUG off.",
        )

    def handle(self, *args, scale, force, verbosity, no_public_pages=False, **options):
        if scale < 1:
            raise CommandError("--scale must be a whole number of at least 1.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo users with a known password while DEBUG is off. "
                "Run with --force if this really is a demonstration server."
            )
        started = time.monotonic()
        show = verbosity >= 1
        interactive = show and sys.stdout.isatty()

        def progress(stage, done, total):
            if not show or not total:
                return
            percent = 100 * done // total
            line = f"  {stage:<10} {done:>7}/{total:<7} {percent:3d}%"
            if interactive:
                self.stdout.write("\r" + line, ending="\n" if done >= total else "")
                self.stdout.flush()
            elif done >= total or scale > 1:
                self.stdout.write(line)

        if show:
            self.stdout.write(f"Seeding the demo network at scale {scale}…")
        report = seed_demo(scale=scale, progress=progress)
        ensure_site_tree()
        if not no_public_pages:
            public_pages_rebuild(progress=progress)
        if show:
            created = ", ".join(
                f"{count} {name}" for name, count in report.created.items() if count
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data ready in {time.monotonic() - started:.1f} s"
                    f" ({'created ' + created if created else 'nothing new: already seeded'})."
                )
            )
            self.stdout.write(
                f"Log in as admin, coordinator, reviewer, lead, partner, … with {DEMO_PASSWORD!r}."
            )
