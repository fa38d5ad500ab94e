"""Funded projects with their public pages, for the public site's tests.

`funded_project()` makes a joint project in a funded state with one confirmed centre per
country (the first one leads), a budget line each (so the grant splits into shares), the
given themes, an "approve" log entry dated in `year` (the page's funded_on) and then runs the
real sync (cms.sync.project_pages_sync), so the English and French pages and their facet rows
exist. It needs the showcase indexes: use the `public_site` fixture.
"""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from cms.sync import project_pages_sync
from projects.models import JointProject, PartnershipRole, Theme
from tests.factories import (
    BudgetLineFactory,
    CentreFactory,
    JointProjectFactory,
    NetworkFactory,
    PartnershipFactory,
)
from workflow.models import TransitionLog
from workflow.states import PartnershipState, ProjectState

# A city and its coordinates per country, so the map has places to draw.
CITIES = {
    "FR": ("Lyon", Decimal("45.764043"), Decimal("4.835659")),
    "DE": ("Leipzig", Decimal("51.339695"), Decimal("12.373075")),
    "IT": ("Bologna", Decimal("44.494887"), Decimal("11.342616")),
    "ES": ("Valencia", Decimal("39.469907"), Decimal("-0.376288")),
    "BE": ("Liège", Decimal("50.632557"), Decimal("5.579666")),
    "PT": ("Porto", Decimal("41.157944"), Decimal("-8.629105")),
    "PL": ("Kraków", Decimal("50.064650"), Decimal("19.944980")),
    "NL": ("Utrecht", Decimal("52.090737"), Decimal("5.121420")),
}

# Known themes with their French names (any other slug gets an English name only).
THEME_NAMES = {
    "heritage": ("Heritage", "Patrimoine"),
    "youth": ("Youth", "Jeunesse"),
    "music": ("Music", "Musique"),
    "climate": ("Climate", "Climat"),
}

_funded_sequence = itertools.count(1)


def theme(slug):
    """The Theme with this slug (created with its English and French names when missing)."""
    name, name_fr = THEME_NAMES.get(slug, (slug.replace("-", " ").capitalize(), ""))
    return Theme.objects.get_or_create(slug=slug, defaults={"name": name, "name_fr": name_fr})[0]


def centre_in(country, **fields):
    """A centre (of a national network) in `country`, placed on the map."""
    city, latitude, longitude = CITIES.get(country, ("Capital", Decimal("48"), Decimal("10")))
    fields.setdefault("city", city)
    fields.setdefault("latitude", latitude)
    fields.setdefault("longitude", longitude)
    return CentreFactory(network=NetworkFactory(country=country), country=country, **fields)


def funded_project(
    *,
    countries=("FR", "DE"),
    themes=(),
    call=None,
    state=ProjectState.IN_PROGRESS,
    title=None,
    summary="Three centres share their stages.",
    awarded=Decimal("20000"),
    year=2026,
    funded_on=None,
    centres=None,
    **fields,
) -> JointProject:
    """A funded project with its public pages (see the module's docstring).

    `themes`: slugs or Theme objects. `centres`: existing centres to use instead of making one
    per country (the first leads). `funded_on` (a date) defaults to a day in `year`, later for
    each project made, so the newest made is the newest funded."""
    n = next(_funded_sequence)
    centres = list(centres) if centres else [centre_in(code) for code in countries]
    if call is not None:
        fields["call"] = call
    if title is not None:
        fields["title"] = title
    project = JointProjectFactory(
        lead_centre=centres[0],
        state=state,
        summary=summary,
        awarded_amount=awarded,
        **fields,
    )
    lead = project.partnerships.get()
    BudgetLineFactory(partnership=lead)
    for centre in centres[1:]:
        partnership = PartnershipFactory(
            project=project,
            centre=centre,
            role=PartnershipRole.PARTNER,
            state=PartnershipState.CONFIRMED,
        )
        BudgetLineFactory(partnership=partnership)
    project.themes.set([theme(t) if isinstance(t, str) else t for t in themes])
    if funded_on is None:
        funded_on = date(year, 1, 1) + timedelta(days=n % 360)
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(JointProject),
        object_id=project.pk,
        project=project,
        transition="approve",
        from_state=ProjectState.UNDER_REVIEW,
        to_state=ProjectState.APPROVED,
        at=datetime(funded_on.year, funded_on.month, funded_on.day, 12, tzinfo=UTC),
    )
    # The rebuild's quick path (pages live without a first revision): tests/cms/test_sync.py
    # covers the full publication; here it only costs time.
    project_pages_sync(project_id=project.pk, quick=True)
    return project


def pages_of(project, language="en"):
    """The project's public page in `language`."""
    from cms.models import ProjectPage

    return ProjectPage.objects.get(project=project, locale__language_code=language)
