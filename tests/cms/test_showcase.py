"""The showcase listing (/en/projects/, /fr/projets/): facets with counts, search, pagination,
the map's list of centres, the cards, and a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from cms.showcase import PAGE_SIZE
from tests.cms.showcase_data import centre_in, funded_project, pages_of
from tests.factories import CallFactory
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def titles(response):
    return [a.get_text(strip=True) for a in soup(response).select(".project-card h3 a")]


def facet_options(response, facet):
    """{label: count} of the facet's options on the page."""
    page = soup(response)
    section = page.find("section", attrs={"aria-labelledby": f"facet-{facet}"})
    options = {}
    for item in section.select("li"):
        label = item.find(["a", "span"]).get_text(strip=True)
        count = item.select_one(".facet-count").contents[0].strip()
        options[label] = int(count)
    return options


@pytest.fixture
def varied(public_site):
    """Four projects that differ in every facet."""
    heritage_call = CallFactory(title="Heritage Futures", slug="heritage-futures")
    return {
        "lyon": funded_project(
            title="Lyon Leipzig Stages",
            countries=("FR", "DE"),
            themes=("heritage",),
            call=heritage_call,
            year=2025,
            summary="Puppeteers tour the riverside towns.",
        ),
        "bologna": funded_project(
            title="Bologna Sounds",
            countries=("IT", "FR", "ES"),
            themes=("music",),
            year=2026,
            state=ProjectState.COMPLETED,
            summary="Brass bands rehearse together.",
        ),
        "porto": funded_project(
            title="Porto Youth Theatre",
            countries=("PT", "ES", "BE"),
            themes=("youth", "heritage"),
            call=heritage_call,
            year=2026,
            summary="Young actors write a play about the harbour.",
        ),
        "krakow": funded_project(
            title="Kraków Choirs",
            countries=("PL", "DE"),
            themes=("music",),
            year=2026,
            state=ProjectState.TERMINATED,
            summary="Choirs sing in four languages.",
        ),
    }


def test_lists_the_live_projects_newest_funded_first(client, public_site):
    older = funded_project(title="Older", funded_on=date(2025, 3, 1))
    newer = funded_project(title="Newer", funded_on=date(2026, 5, 1))
    hidden = funded_project(title="Unpublished")
    pages_of(hidden).unpublish()
    assert older and newer

    response = client.get("/en/projects/")

    assert titles(response) == ["Newer", "Older"]
    assert "2 projects" in soup(response).select_one(".result-count").get_text(" ", strip=True)


FACET_CASES = [
    ("country=IT", ["Bologna Sounds"]),
    ("country=de", ["Kraków Choirs", "Lyon Leipzig Stages"]),  # codes in any case
    ("theme=heritage", ["Porto Youth Theatre", "Lyon Leipzig Stages"]),
    ("call=heritage-futures", ["Porto Youth Theatre", "Lyon Leipzig Stages"]),
    ("year=2025", ["Lyon Leipzig Stages"]),
    ("status=completed", ["Bologna Sounds"]),
    ("status=ended_early", ["Kraków Choirs"]),
    ("countries=3", ["Porto Youth Theatre", "Bologna Sounds"]),
]


def test_each_facet_filters(client, varied):
    # One data set for every case: making the projects is the slow part.
    for params, expected in FACET_CASES:
        assert titles(client.get(f"/en/projects/?{params}")) == expected, params


def test_facets_combine(client, varied):
    response = client.get("/en/projects/?theme=heritage&country=FR")

    assert titles(response) == ["Lyon Leipzig Stages"]
    assert titles(client.get("/en/projects/?theme=music&status=ongoing&year=2026")) == []


def test_counts_are_those_of_the_results_each_value_would_give(client, varied):
    everything = client.get("/en/projects/")
    assert facet_options(everything, "country") == {
        "France": 2,
        "Germany": 2,
        "Spain": 2,
        "Belgium": 1,
        "Italy": 1,
        "Poland": 1,
        "Portugal": 1,
    }
    assert list(facet_options(everything, "year")) == ["2026", "2025"]  # newest first
    assert facet_options(everything, "status") == {"Ongoing": 2, "Completed": 1, "Ended early": 1}
    assert facet_options(everything, "countries") == {"2": 2, "3": 2}

    heritage = client.get("/en/projects/?theme=heritage")
    # Other facets count within the heritage projects...
    assert facet_options(heritage, "country") == {
        "Belgium": 1,
        "France": 1,
        "Germany": 1,
        "Portugal": 1,
        "Spain": 1,
    }
    # ...and the chosen facet's values count without it, so another theme can be chosen.
    assert facet_options(heritage, "theme") == {"Heritage": 2, "Music": 2, "Youth": 1}


def test_a_chosen_facet_shows_with_a_remove_link_and_a_clear_all_link(client, varied):
    page = soup(client.get("/en/projects/?q=stages&theme=heritage&country=FR"))

    chosen = page.select_one(".showcase-chosen")
    text = chosen.get_text(" ", strip=True)
    assert "Country: France" in text and "Theme: Heritage" in text
    removes = [a["href"] for a in chosen.select("li a")]
    # Canonical order: facets in FACETS order, then q.
    assert removes == [
        "/en/projects/?theme=heritage&q=stages",
        "/en/projects/?country=FR&q=stages",
        "/en/projects/?country=FR&theme=heritage",
    ]
    assert chosen.select_one("a.clear-all")["href"] == "/en/projects/"
    selected = page.select_one("#facet-country").find_parent("section")
    assert selected.select_one("[aria-current]").get_text(strip=True) == "France"


def test_facet_links_keep_the_other_parameters_in_a_canonical_order(client, varied):
    page = soup(client.get("/en/projects/?q=stages&year=2025&page=1"))

    links = [a["href"] for a in page.select("#facet-country ~ ul a")]
    assert "/en/projects/?country=FR&year=2025&q=stages" in links
    # The search form keeps the chosen facets.
    form = page.select_one("form.showcase-search")
    assert form["method"] == "get"
    assert {i["name"]: i["value"] for i in form.select("input[type=hidden]")} == {"year": "2025"}
    assert page.select_one("label[for=showcase-q]").get_text(strip=True) == "Search the projects"


def test_an_unknown_value_gives_no_results_and_says_so(client, varied):
    for params in (
        "country=XX",
        "theme=nonsense",
        "year=abcd",
        "countries=99",
        "status=" + "x" * 300,
    ):
        response = client.get(f"/en/projects/?{params}")

        assert titles(response) == [], params
        page = soup(response)
        assert "0 projects" in page.select_one(".result-count").get_text(" ", strip=True)
        message = page.select_one(".showcase-results .message-error").get_text(" ", strip=True)
        assert "no project matches" in message, params
        assert "No project matches these filters." in page.get_text(" ", strip=True)


def test_search(client, varied):
    for query, expected in [
        ("harbour", ["Porto Youth Theatre"]),  # a word of the summary
        ("Brass", ["Bologna Sounds"]),
        ("Choirs", ["Kraków Choirs"]),  # of the title
    ]:
        assert titles(client.get("/en/projects/", {"q": query})) == expected, query


def test_search_finds_a_partner_centre_by_name(client, public_site):
    partner = centre_in("IT", name="Teatro delle Ombre")
    funded_project(title="With the shadows", centres=[centre_in("FR"), partner])
    funded_project(title="Without them")

    assert titles(client.get("/en/projects/?q=Ombre")) == ["With the shadows"]


def test_search_combines_with_facets_and_counts_within_the_results(client, varied):
    response = client.get("/en/projects/?q=brass&status=completed")
    assert titles(response) == ["Bologna Sounds"]
    assert facet_options(response, "country") == {"France": 1, "Italy": 1, "Spain": 1}
    assert titles(client.get("/en/projects/?q=brass&status=ongoing")) == []


def test_an_empty_or_blank_search_searches_nothing(client, varied):
    assert len(titles(client.get("/en/projects/?q=+++"))) == 4
    assert len(titles(client.get("/en/projects/?q="))) == 4


def test_pagination(client, public_site):
    for n in range(PAGE_SIZE + 2):
        funded_project(title=f"Project {n:02}", funded_on=date(2026, 1, 1 + n))

    first = client.get("/en/projects/")
    assert len(titles(first)) == PAGE_SIZE
    assert titles(first)[0] == "Project 13"
    second = client.get("/en/projects/?page=2")
    assert titles(second) == ["Project 01", "Project 00"]
    page = soup(second)
    assert page.select_one(".pagination [aria-current=page]").get_text(strip=True) == "2"
    assert page.select_one(".pagination a[rel=prev]")["href"] == "/en/projects/"

    # A bad page number shows page 1, a page past the end the last page: never an error.
    assert titles(client.get("/en/projects/?page=abc")) == titles(first)
    assert titles(client.get("/en/projects/?page=-3")) == titles(second)
    assert titles(client.get("/en/projects/?page=99")) == titles(second)


def test_pagination_links_keep_the_filters(client, public_site):
    for n in range(PAGE_SIZE + 1):
        funded_project(title=f"Project {n:02}", countries=("FR", "IT"))
    page = soup(client.get("/en/projects/?q=stages&country=IT"))

    assert page.select_one(".pagination a[rel=next]")["href"] == (
        "/en/projects/?country=IT&q=stages&page=2"
    )


def test_the_cards(client, public_site):
    call = CallFactory(title="Joint Projects 2027")
    funded_project(
        title="Shared Stages",
        acronym="SHS",
        slug="shared-stages",
        # The lead, then centres whose names sort apart from their countries'.
        centres=[
            centre_in("FR", name="Zénith"),
            centre_in("IT", name="Arena"),
            centre_in("DE", name="Bühne"),
        ],
        call=call,
        awarded=Decimal("20000"),
        start_date=date(2026, 9, 1),
        end_date=date(2027, 8, 31),
        summary="word " * 60,
    )
    card = soup(client.get("/en/projects/")).select_one(".project-card")
    text = card.get_text(" ", strip=True)

    assert card.h3.a["href"] == "/en/projects/shared-stages/"  # the project's own slug
    assert "(SHS)" in text
    assert "France, Germany, Italy" in text  # the lead's country, then the others by name
    assert "Joint Projects 2027" in text
    assert "€ 20,000" in text
    assert "Sep 2026 – Aug 2027" in text
    assert card.select_one(".badge").get_text(strip=True) == "Ongoing"
    assert card.select_one(".project-summary").get_text(strip=True).endswith("…")


def test_the_map_lists_each_partner_centre_once_with_its_projects(client, public_site):
    lyon = centre_in("FR", name="Les Subsistances")
    leipzig = centre_in("DE", name="Schaubühne Lindenfels")
    bologna = centre_in("IT", name="Teatro Comunale")
    funded_project(centres=[lyon, leipzig], themes=("music",))
    funded_project(centres=[leipzig, lyon, bologna], themes=("music",))
    funded_project(centres=[bologna, leipzig], themes=("heritage",))

    rows = soup(client.get("/en/projects/?theme=music")).select(".map-list tbody tr")
    listed = [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in rows]
    assert listed == [
        ["Les Subsistances", "Lyon", "France", "2"],
        ["Schaubühne Lindenfels", "Leipzig", "Germany", "2"],
        ["Teatro Comunale", "Bologna", "Italy", "1"],
    ]
    page = soup(client.get("/en/projects/?theme=music"))
    assert page.select_one(".map-list tbody a")["href"] == f"/en/centres/{lyon.slug}/"
    # The map's data are the same places, from the map's own address under the same filters.
    source = page.select_one('[data-map="showcase-places"]')["data-src"]
    assert source == "/en/projects/map/?theme=music"
    places = client.get(source).json()
    assert [(p["name"], p["url"], p["detail"]) for p in places] == [
        ("Les Subsistances", f"/en/centres/{lyon.slug}/", "Lyon, France"),
        ("Schaubühne Lindenfels", f"/en/centres/{leipzig.slug}/", "Leipzig, Germany"),
        ("Teatro Comunale", f"/en/centres/{bologna.slug}/", "Bologna, Italy"),
    ]
    assert places[0]["lat"] == pytest.approx(45.764043)
    assert [p["name"] for p in client.get("/en/projects/map/?theme=heritage").json()] == [
        "Schaubühne Lindenfels",
        "Teatro Comunale",
    ]


def test_the_map_list_shows_the_busiest_centres_and_links_to_them_all(
    client, public_site, monkeypatch
):
    from cms import showcase

    monkeypatch.setattr(showcase, "PLACES_LISTED", 2)
    lyon = centre_in("FR", name="Les Subsistances")
    leipzig = centre_in("DE", name="Schaubühne Lindenfels")
    bologna = centre_in("IT", name="Teatro Comunale")
    porto = centre_in("PT", name="Coliseu")
    funded_project(centres=[lyon, leipzig], themes=("music",))
    funded_project(centres=[leipzig, bologna], themes=("music",))
    funded_project(centres=[porto, leipzig, lyon], themes=("music",))

    page = soup(client.get("/en/projects/?theme=music"))
    rows = [row.th.get_text(strip=True) for row in page.select(".map-list tbody tr")]
    assert rows == ["Schaubühne Lindenfels", "Les Subsistances"]  # 3 projects, then 2
    assert "The 2 centres with the most projects, of 4" in page.select_one(".map-list summary").text
    link = page.select_one(".map-list p a")
    assert link["href"] == "/en/projects/?theme=music&places=all#map-title"
    everything = soup(client.get(link["href"]))
    rows = [row.th.get_text(strip=True) for row in everything.select(".map-list tbody tr")]
    assert rows == ["Schaubühne Lindenfels", "Les Subsistances", "Coliseu", "Teatro Comunale"]
    assert everything.select_one(".map-list").has_attr("open")
    assert everything.select_one(".map-list p a") is None
    # The map always has them all.
    assert len(client.get("/en/projects/map/?theme=music").json()) == 4


def test_the_map_data_are_compressed_for_a_client_that_accepts_gzip(client, public_site):
    import gzip
    import json

    funded_project(countries=("FR", "DE"))
    plain = client.get("/en/projects/map/")
    assert "Content-Encoding" not in plain
    packed = client.get("/en/projects/map/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    directory = client.get("/en/centres/map/", HTTP_ACCEPT_ENCODING="gzip")
    assert directory["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(directory.content))) == 2


def test_the_map_data_answer_bad_filters_with_an_empty_list(client, public_site):
    funded_project(countries=("FR", "DE"))
    for query in ("?country=ZZ", "?q=%22", "?theme=" + "x" * 300, "?page=abc&year=-1"):
        response = client.get("/en/projects/map/" + query)
        assert response.status_code == 200, query
        assert response.json() == [], query


def test_the_french_showcase_has_the_french_labels(client, varied):
    response = client.get("/fr/projets/")

    assert response.status_code == 200
    countries = facet_options(response, "country")
    assert countries["Allemagne"] == 2 and countries["Espagne"] == 2
    assert facet_options(response, "theme")["Patrimoine"] == 2
    card_links = [a["href"] for a in soup(response).select(".project-card h3 a")]
    assert card_links and all(link.startswith("/fr/projets/") for link in card_links)
    assert titles(client.get("/fr/projets/?country=IT")) == ["Bologna Sounds"]


def test_the_showcase_links_its_atom_feed(client, public_site):
    page = soup(client.get("/en/projects/"))

    link = page.find("link", attrs={"type": "application/atom+xml"})
    assert link["rel"] == ["alternate"] and link["href"] == "/en/projects/feed/"


def _make(n, offset):
    themes = ("heritage", "music", "youth")
    for i in range(n):
        funded_project(
            countries=("FR", "DE", "IT")[: 2 + i % 2],
            themes=(themes[(i + offset) % 3],),
            year=2025 + i % 2,
        )


PATHS = (
    "/en/projects/",
    "/en/projects/?country=FR&theme=music&q=stages&page=2",
    "/en/projects/map/",
    "/en/projects/map/?country=FR&q=stages",
)


def test_the_number_of_queries_does_not_grow_with_the_projects(client, public_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        numbers = []
        for path in PATHS:
            client.get(path)  # publishing clears Wagtail's caches (site root paths): warm them
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            numbers.append(len(queries))
        return numbers

    _make(2, 0)
    small = counts()
    _make(6, 2)
    large = counts()
    assert large == small
    assert max(large) <= 12, large


def test_a_search_with_punctuation_never_fails(client, public_site):
    funded_project(title="Lyon's Stages", summary="Puppets, 100% handmade.")

    for query in ('"', 'stages"', "*", "(", "NEAR(", "100%", "'", "AND", "-", "Lyon's", "a:b"):
        response = client.get("/en/projects/", {"q": query})
        assert response.status_code == 200, query
    assert titles(client.get("/en/projects/", {"q": '"stages"'})) == ["Lyon's Stages"]
    assert titles(client.get("/en/projects/", {"q": "***"})) == []


def test_the_planner_knows_that_a_facets_values_depend_on_it():
    # cms/migrations/0004: without these statistics PostgreSQL misjudged the filtered facet
    # counts by a factor of ten and chose nested loops. SQLite has no such thing.
    import importlib

    from django.db import connection

    migration = importlib.import_module("cms.migrations.0004_facet_statistics")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT stxkind FROM pg_statistic_ext WHERE stxname = %s", [migration.STATISTICS]
            )
            assert sorted(cursor.fetchone()[0]) == ["f", "m"]  # dependencies, mcv
        else:
            assert connection.vendor == "sqlite"
            executed = []
            editor = type("Editor", (), {"connection": connection, "execute": executed.append})
            migration.create(None, editor)
            assert executed == []  # nothing to create, nothing to fail
