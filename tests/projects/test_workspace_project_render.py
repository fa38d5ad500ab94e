"""The workspace project page formats its dates and country names in the view (cheaper than
per-entry template filters), printing exactly what the template filters printed."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.factories.auth import verified_login
from tests.projects.test_workspace import project_url
from tests.workflow.conftest import advance, build_ready
from workflow.models import TransitionLog
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def page(client, project, language):
    return client.get(project_url(project), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def filtered(at, language):
    """What `{{ at|date:'c' }}` and `{{ at|date:"DATETIME_FORMAT" }}` print."""
    with translation.override(language):
        return (
            Template('{{ at|date:"c" }}|{{ at|date:"DATETIME_FORMAT" }}')
            .render(Context({"at": at}))
            .split("|")
        )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_timeline_dates_are_those_of_the_date_filter(client, cast, language):
    project = build_ready(cast)
    advance(cast, project, ProjectState.IN_PROGRESS)
    verified_login(client, cast.lead_manager)
    body = page(client, project, language)
    entries = TransitionLog.objects.filter(project=project)
    expected = {tuple(filtered(entry.at, language)) for entry in entries}
    timeline = body.partition('id="timeline-title"')[2]
    in_timeline = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', timeline)
    assert in_timeline and set(in_timeline) <= expected
    # In the site's time zone (Europe/Brussels), not UTC, as the filter printed them.
    assert all(iso.endswith(("+01:00", "+02:00")) for iso, _ in in_timeline)


def test_country_names_follow_the_language(client, cast):
    project = build_ready(cast)
    verified_login(client, cast.lead_manager)
    assert "Belgium" in page(client, project, "en")
    french = page(client, project, "fr")
    assert "Belgique" in french and "Belgium" not in french
    assert "Belgium" in page(client, project, "en")
