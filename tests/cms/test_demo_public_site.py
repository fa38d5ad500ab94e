"""seed_demo's public site: every funded demo project has its page in both languages, a second
rebuild changes nothing, and the demo's open data validates against the 360Giving schema."""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Revision

from cms.models import CallPage, ProjectPage
from cms.sync import SHOWN_STATES
from projects.models import Call, JointProject
from tests.cms.test_open_data import fetch, package_validator

pytestmark = pytest.mark.django_db


def test_the_demo_public_site(client):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)
    shown = JointProject.objects.filter(state__in=SHOWN_STATES)
    assert shown.exists()
    for language, prefix in (("en", "/en/projects/"), ("fr", "/fr/projets/")):
        pages = ProjectPage.objects.live().filter(locale__language_code=language)
        assert set(pages.values_list("project_id", flat=True)) == set(
            shown.values_list("pk", flat=True)
        )
        assert all(page.url_path.endswith(f"/{page.slug}/") for page in pages[:5])
        assert client.get(f"{prefix}{pages.first().slug}/").status_code == 200
    assert CallPage.objects.filter(locale__language_code="fr").count() == Call.objects.count()

    # Idempotent: a second rebuild writes no revision and no page.
    pages, revisions = ProjectPage.objects.count(), Revision.objects.count()
    call_command("rebuild_public_pages", verbosity=0)
    assert (ProjectPage.objects.count(), Revision.objects.count()) == (pages, revisions)

    body, _response = fetch(client, "/open-data/360giving.json")
    package = json.loads(body)
    assert len(package["grants"]) == shown.exclude(awarded_amount=None).count()
    errors = sorted(package_validator().iter_errors(package), key=str)
    assert not errors, [error.message for error in errors[:5]]
