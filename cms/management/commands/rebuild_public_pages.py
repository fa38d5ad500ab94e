from django.core.management.base import BaseCommand

from cms.demo import ensure_site_tree
from cms.sync import public_pages_rebuild


class Command(BaseCommand):
    help = (
        "Bring the public site in line with the workflow: the site's sections, a published page "
        "per funded project (in every language) and per call. Idempotent: a second run changes "
        "nothing; the editors' images and stories are kept."
    )

    def handle(self, *args, verbosity, **options):
        ensure_site_tree()
        projects, calls = public_pages_rebuild()
        if verbosity >= 1:
            self.stdout.write(f"Public pages in line: {projects} projects, {calls} calls.")
