"""The home page's projects and figures, the network in figures (/en/insights/), news, the
resource hub and standard pages, in English and French."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import formats, translation
from wagtail.documents.models import Document
from wagtail.images import get_image_model

from cms.models import NewsIndexPage, NewsPage, ResourceHubPage, StandardPage
from tests.cms.query_counts import warm_query_count
from tests.cms.showcase_data import funded_project, pages_of

pytestmark = pytest.mark.django_db


def an_image(title="Stage"):
    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGB", (800, 450), (138, 43, 74)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.png")
    )


def with_hero_image(project):
    page = pages_of(project)
    page.hero_image = an_image()
    page.hero_credit = "A photographer"
    page.save_revision().publish()
    return page


# --- Home ---


def test_the_home_page_features_recent_projects_with_an_image_first(client, public_site):
    with_image = funded_project(title="Pictured Stages", year=2024)
    funded_project(title="Older Voices", year=2025)
    funded_project(title="Newer Voices", year=2026)
    funded_project(title="Newest Voices", year=2026)
    with_hero_image(with_image)

    response = client.get("/en/")

    featured = [page.title for page in response.context["featured_projects"]]
    assert featured == ["Pictured Stages", "Newest Voices", "Newer Voices"]
    html = response.content.decode()
    assert f'<a href="/en/projects/{with_image.slug}/">Pictured Stages</a>' in html
    assert 'class="card-image"' in html
    assert "Older Voices" not in html


def test_the_home_page_counts_funded_projects_and_grants_and_links_the_sections(
    client, public_site
):
    funded_project(awarded=Decimal("20000"))
    funded_project(awarded=Decimal("1234567.50"))
    html = client.get("/en/").content.decode()
    assert "<dt>Funded projects</dt><dd>2</dd>" in html
    assert "<dt>Total granted</dt><dd>1,254,568&nbsp;€</dd>" in html
    assert '<a href="/en/projects/"><strong>Funded projects</strong>' in html
    assert '<a href="/en/fair/"><strong>Project Fair</strong>' in html
    assert '<a href="/en/calls/">All calls: open, upcoming and past</a>' in html
    assert '<a href="/en/insights/">More figures about the network</a>' in html


def test_the_french_home_page_shows_french_addresses_and_numbers(client, public_site):
    project = funded_project(awarded=Decimal("1234567"))
    html = client.get("/fr/").content.decode()
    assert f'href="/fr/projets/{project.slug}/"' in html
    assert 'href="/fr/bourse/"' in html
    with translation.override("fr"):
        amount = formats.number_format(1234567, force_grouping=True)
    assert f"<dd>{amount}&nbsp;€</dd>" in html


def test_the_home_pages_open_calls_close_in_the_sites_time_zone(client, public_site):
    from django.utils import timezone

    from tests.factories import CallFactory

    call = CallFactory(deadline=datetime(2099, 1, 15, 11, 0, tzinfo=UTC))
    html = client.get("/en/").content.decode()
    assert call.title in html
    # Europe/Brussels: an hour ahead of UTC in winter.
    local = timezone.localtime(call.deadline)
    assert f'<time datetime="{local.isoformat()}">15 January 2099, 12:00</time> (CET)' in html


def test_the_home_pages_open_calls_link_to_their_pages(
    client, public_site, django_capture_on_commit_callbacks
):
    from tests.factories import CallFactory

    with django_capture_on_commit_callbacks(execute=True):  # the call's pages are made
        call = CallFactory(deadline=datetime(2099, 1, 15, 11, 0, tzinfo=UTC))
    english = client.get("/en/").content.decode()
    assert f'<h3><a href="/en/calls/{call.slug}/">{call.title}</a></h3>' in english
    assert f'<a href="/fr/appels/{call.slug}/">' in client.get("/fr/").content.decode()
    assert client.get(f"/en/calls/{call.slug}/").status_code == 200


def test_the_home_page_runs_a_fixed_number_of_queries(client, public_site):
    def add(n):
        for _ in range(n):
            with_hero_image(funded_project())

    add(2)
    small = warm_query_count(client, "/en/")
    add(6)
    large = warm_query_count(client, "/en/")
    assert small == large <= 12


# --- Insights ---


@pytest.fixture
def two_projects(public_site):
    """FR+DE (heritage, 2025, €20,000) and FR+IT+ES (heritage and youth, 2026, €30,000): each
    partner has the same budget, so each takes an equal share of its project's grant."""
    funded_project(
        countries=("FR", "DE"), themes=("heritage",), year=2025, awarded=Decimal("20000")
    )
    funded_project(
        countries=("FR", "IT", "ES"),
        themes=("heritage", "youth"),
        year=2026,
        awarded=Decimal("30000"),
    )


def rows(table):
    return [(row.label, row.projects, row.granted) for row in table]


def test_insights_figures_are_right(client, two_projects):
    response = client.get("/en/insights/")
    assert response.status_code == 200
    insights = response.context["insights"]
    assert insights.projects == 2
    assert insights.granted == Decimal("50000")
    assert insights.centres == 5
    assert insights.countries == 4
    assert insights.average_partners == Decimal("2.5")
    assert rows(insights.by_year) == [("2026", 1, 30000), ("2025", 1, 20000)]
    assert rows(insights.by_country) == [
        ("France", 2, 20000),
        ("Germany", 1, 10000),
        ("Italy", 1, 10000),
        ("Spain", 1, 10000),
    ]
    assert rows(insights.by_theme) == [("Heritage", 2, 50000), ("Youth", 1, 30000)]
    html = response.content.decode()
    assert "<dt>Total granted</dt><dd>50,000&nbsp;€</dd>" in html
    assert "<dt>Average partners per project</dt><dd>2.5</dd>" in html
    assert '<th scope="row">France</th><td class="num">2</td><td class="num">20,000</td>' in html
    assert html.count("<caption>") == 3


def test_insights_show_the_open_data_and_when_it_changed(client, two_projects):
    from projects.open_data import last_modified

    html = client.get("/en/insights/").content.decode()
    assert '<a href="/open-data/360giving.json">' in html
    assert '<a href="/open-data/grants.csv">' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    from django.utils import timezone

    updated = timezone.localtime(last_modified())
    assert f'Last updated: <time datetime="{updated.isoformat()}">' in html


def test_insights_in_french(client, two_projects):
    response = client.get("/fr/en-chiffres/")
    assert response.status_code == 200
    insights = response.context["insights"]
    assert [row.label for row in insights.by_country] == [
        "France",
        "Allemagne",
        "Espagne",
        "Italie",
    ]
    assert [row.label for row in insights.by_theme] == ["Patrimoine", "Jeunesse"]
    html = response.content.decode()
    with translation.override("fr"):
        granted = formats.number_format(50000, force_grouping=True)
        average = formats.number_format(Decimal("2.5"), decimal_pos=1)
    assert f"<dd>{granted}&nbsp;€</dd>" in html
    assert f"<dd>{average}</dd>" in html  # "2,5"


def test_insights_without_projects(client, public_site):
    html = client.get("/en/insights/").content.decode()
    assert "No project has been funded yet." in html
    assert "<dt>Average partners per project</dt><dd>—</dd>" in html


def test_insights_run_a_fixed_number_of_queries(client, public_site):
    def add(count):
        for n in range(count):
            funded_project(countries=("FR", "DE", "IT")[: 2 + n % 2], themes=("heritage",))

    add(2)
    small = warm_query_count(client, "/en/insights/")
    add(6)
    large = warm_query_count(client, "/en/insights/")
    assert small == large <= 12


# --- News ---


def news_index(language="en"):
    return NewsIndexPage.objects.get(locale__language_code=language)


def add_news(index, title, day, **fields):
    page = NewsPage(title=title, slug=title.lower().replace(" ", "-"), date=day, **fields)
    return index.add_child(instance=page)


def test_news_are_listed_newest_first_and_paginated(client, public_site):
    index = news_index()
    start = date(2026, 1, 1)
    for n in range(12):
        add_news(index, f"News {n:02}", start + timedelta(days=n))
    draft = add_news(index, "Draft news", start + timedelta(days=99))
    draft.unpublish()

    first = client.get("/en/news/")
    titles = [page.title for page in first.context["news"].object_list]
    assert titles == [f"News {n:02}" for n in range(11, 1, -1)]
    html = first.content.decode()
    assert "Draft news" not in html
    assert '<a href="?page=2" rel="next">Older news</a>' in html
    second = client.get("/en/news/?page=2")
    assert [page.title for page in second.context["news"].object_list] == ["News 01", "News 00"]
    assert client.get("/en/news/?page=abc").context["news"].number == 1
    assert client.get("/en/news/?page=999").context["news"].number == 2


def test_a_news_page_shows_its_date_and_introduction(client, public_site):
    add_news(news_index(), "Fair opens", date(2026, 3, 14), intro="The Fair is open.")
    html = client.get("/en/news/fair-opens/").content.decode()
    assert '<time datetime="2026-03-14">14 March 2026</time>' in html
    assert "The Fair is open." in html
    add_news(news_index("fr"), "La bourse ouvre", date(2026, 3, 14))
    french = client.get("/fr/actualites/la-bourse-ouvre/").content.decode()
    assert '<time datetime="2026-03-14">14 mars 2026</time>' in french


def test_the_news_index_runs_a_fixed_number_of_queries(client, public_site):
    index = news_index()
    for n in range(3):
        add_news(index, f"Small {n}", date(2026, 1, 1) + timedelta(days=n))
    small = warm_query_count(client, "/en/news/")
    for n in range(12):
        add_news(index, f"Large {n}", date(2026, 2, 1) + timedelta(days=n))
    assert warm_query_count(client, "/en/news/") == small <= 12


# --- Resource hub and standard pages ---


def test_the_resource_hub_shows_documents_and_its_pages(client, public_site):
    content = b"%PDF-1.4 a small study"
    document = Document.objects.create(
        title="Touring study", file=ContentFile(content, name="study.pdf")
    )
    hub = ResourceHubPage.objects.get(locale__language_code="en")
    hub.resources = [
        (
            "document",
            {"document": document, "kind": "guide", "description": "How to tour together."},
        )
    ]
    hub.save_revision().publish()
    hub.add_child(instance=StandardPage(title="Writing a budget", slug="budget", intro="Costs."))

    response = client.get("/en/resources/")

    html = response.content.decode()
    # Wagtail's document address (served from the default storage: S3 in production).
    assert document.url.startswith(f"/documents/{document.pk}/study")
    assert f'<a href="{document.url}">Touring study</a>' in html
    assert f'<span class="resource-kind">Guide</span> · PDF · {len(content)}\xa0bytes' in html
    assert "How to tour together." in html
    assert '<a href="/en/resources/budget/">Writing a budget</a>' in html
    assert client.get(document.url).status_code in (200, 302)


def test_the_resource_hub_runs_a_fixed_number_of_queries(client, public_site):
    hub = ResourceHubPage.objects.get(locale__language_code="en")

    def publish(n):
        documents = [
            Document.objects.create(
                title=f"Study {hub.pk}-{i}",
                file=ContentFile(b"%PDF-1.4", name="study.pdf"),
                file_size=8,
            )
            for i in range(n)
        ]
        hub.resources = [("document", {"document": d, "kind": "study"}) for d in documents]
        hub.save_revision().publish()
        for i in range(n):
            hub.add_child(instance=StandardPage(title=f"Guide {n}-{i}", slug=f"guide-{n}-{i}"))

    publish(2)
    small = warm_query_count(client, "/en/resources/")
    publish(8)
    assert warm_query_count(client, "/en/resources/") == small <= 12


def test_a_standard_page_shows_its_introduction_and_body(client, public_site):
    about = StandardPage.objects.get(locale__language_code="en", slug="about")
    about.body = [("paragraph", "<p>Run by the secretariat.</p>")]
    about.save_revision().publish()
    html = client.get("/en/about/").content.decode()
    assert "<h1>About</h1>" in html
    assert "Ensemble is the open platform" in html
    assert "Run by the secretariat." in html
    french = client.get("/fr/a-propos/").content.decode()
    assert "Ensemble est la plateforme ouverte" in french
