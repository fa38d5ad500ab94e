"""The centre directory (/en/centres/), a centre's page and who worked with whom."""

import json
import re
from decimal import Decimal

import pytest

from cms.centres import PAGE_SIZE
from projects.models import Discipline
from tests.cms.query_counts import warm_query_count
from tests.cms.showcase_data import centre_in, funded_project
from tests.factories import CallFactory, JointProjectFactory, PartnershipFactory
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def names_listed(response):
    return [entry["name"] for entry in response.context["entries"]]


def map_places(response, map_id):
    """The places of the page's map `map_id`: in the page, or from the address it names."""
    html = response.content.decode()
    found = re.search(rf'<script id="{map_id}" type="application/json">(.*?)</script>', html, re.S)
    if found:
        return json.loads(found.group(1))
    source = re.search(rf'data-map="{map_id}" data-src="([^"]+)"', html)
    assert source, f"no map data {map_id}"
    answer = response.client.get(source.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200
    return answer.json()


def json_ld(response):
    html = response.content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD"
    return json.loads(found.group(1))


def discipline(slug, name, name_fr):
    return Discipline.objects.get_or_create(slug=slug, defaults={"name": name, "name_fr": name_fr})[
        0
    ]


# --- the directory ----------------------------------------------------------------------------


def test_the_directory_lists_every_centre_with_its_funded_projects(client, public_site):
    theatre = discipline("theatre", "Theatre", "Théâtre")
    lyon = centre_in("FR", name="Maison de Lyon")
    lyon.disciplines.add(theatre)
    leipzig = centre_in("DE", name="Haus Leipzig")
    centre_in("IT", name="Casa Bologna")  # no project
    funded_project(centres=[lyon, leipzig])
    funded_project(centres=[leipzig, lyon], state=ProjectState.COMPLETED)
    # Neither a proposal still looking for partners nor a partner who declined counts.
    draft = JointProjectFactory(lead_centre=lyon, state=ProjectState.OPEN_FOR_PARTNERS)
    PartnershipFactory(project=draft, centre=leipzig)
    declined = funded_project(centres=[centre_in("ES", name="Casa Valencia")])
    PartnershipFactory(project=declined, centre=lyon, state=PartnershipState.DECLINED)

    response = client.get("/en/centres/")

    assert response.status_code == 200
    entries = {entry["name"]: entry for entry in response.context["entries"]}
    assert entries["Maison de Lyon"]["project_count"] == 2
    assert entries["Haus Leipzig"]["project_count"] == 2
    assert entries["Casa Bologna"]["project_count"] == 0
    assert entries["Maison de Lyon"]["disciplines"] == ["Theatre"]
    html = response.content.decode()
    assert f'<a href="/en/centres/{lyon.slug}/">Maison de Lyon</a>' in html
    assert "Leipzig, Germany" in html
    assert "4 centres" in html
    assert 'href="/en/centres/connections/"' in html


def test_the_directory_filters_by_country_discipline_and_search(client, public_site):
    theatre = discipline("theatre", "Theatre", "Théâtre")
    music = discipline("music", "Music", "Musique")
    centre_in("FR", name="Maison de Lyon").disciplines.add(theatre)
    centre_in("FR", name="Opéra de Lille", city="Lille").disciplines.add(music)
    centre_in("DE", name="Haus Leipzig").disciplines.add(theatre)

    assert names_listed(client.get("/en/centres/?country=FR")) == [
        "Maison de Lyon",
        "Opéra de Lille",
    ]
    assert names_listed(client.get("/en/centres/?country=fr&discipline=theatre")) == [
        "Maison de Lyon"
    ]
    assert names_listed(client.get("/en/centres/?discipline=theatre")) == [
        "Haus Leipzig",
        "Maison de Lyon",
    ]
    # The search reads the name and the city, whatever the case.
    assert names_listed(client.get("/en/centres/?q=lille")) == ["Opéra de Lille"]
    assert names_listed(client.get("/en/centres/?q=HAUS")) == ["Haus Leipzig"]
    response = client.get("/en/centres/?q=nowhere")
    assert names_listed(response) == []
    assert "No centre matches these filters" in response.content.decode()
    # The form shows what was chosen, with a label for every field.
    html = client.get("/en/centres/?country=FR&discipline=music&q=op").content.decode()
    assert '<option value="FR" selected>France</option>' in html
    assert '<option value="music" selected>Music</option>' in html
    assert 'name="q" value="op"' in html
    for field_id in ("centre-search", "centre-country", "centre-discipline"):
        assert f'<label for="{field_id}">' in html


@pytest.mark.parametrize(
    "query", ["?country=XX", "?country=%00", "?discipline=nope", "?page=abc", "?page=-3"]
)
def test_unknown_filter_values_are_ignored(client, public_site, query):
    centre_in("FR", name="Maison de Lyon")
    response = client.get(f"/en/centres/{query}")
    assert response.status_code in (200, 400)  # NUL characters are refused before us
    if response.status_code == 200:
        assert names_listed(response) == ["Maison de Lyon"]


def test_the_directory_is_paginated_and_its_map_shows_every_match(client, public_site):
    for n in range(PAGE_SIZE + 6):
        centre_in("FR" if n % 2 else "DE", name=f"Centre {n:02d}")

    first = client.get("/en/centres/")
    assert len(first.context["entries"]) == PAGE_SIZE
    assert names_listed(first)[0] == "Centre 00"
    # The map shows all 30, not only this page's 24.
    assert len(map_places(first, "centres-places")) == PAGE_SIZE + 6
    assert 'href="?page=2" rel="next"' in first.content.decode()

    second = client.get("/en/centres/?page=2")
    assert names_listed(second) == [f"Centre {n}" for n in range(24, 30)]
    assert "Page 2 of 2" in second.content.decode()
    # Past the end: the last page.
    assert names_listed(client.get("/en/centres/?page=99")) == names_listed(second)

    # The pages of a filtered list keep the filters.
    filtered = client.get("/en/centres/?country=FR&q=Centre")
    assert filtered.context["result_page"].paginator.count == 15
    assert len(map_places(filtered, "centres-places")) == 15
    # The map's data are not in the page (thousands of centres): the page names their address.
    assert '<script id="centres-places"' not in first.content.decode()
    assert 'data-src="/en/centres/map/?q=Centre&amp;country=FR"' in filtered.content.decode()


def test_the_directory_in_french(client, public_site):
    discipline("theatre", "Theatre", "Théâtre")
    centre = centre_in("DE", name="Haus Leipzig")
    centre.disciplines.add(Discipline.objects.get(slug="theatre"))
    funded_project(centres=[centre, centre_in("FR")])

    response = client.get("/fr/centres/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Leipzig, Allemagne" in html
    assert "Théâtre" in html
    assert f'<a href="/fr/centres/{centre.slug}/">Haus Leipzig</a>' in html
    assert 'href="/fr/centres/connections/"' in html


def test_the_directory_runs_a_fixed_number_of_queries(client, public_site):
    theatre = discipline("theatre", "Theatre", "Théâtre")

    def make(count):
        for _ in range(count):
            centres = [centre_in("FR"), centre_in("DE")]
            centres[0].disciplines.add(theatre)
            funded_project(centres=centres)

    paths = [
        "/en/centres/",
        "/en/centres/?country=FR&discipline=theatre&q=culture&page=1",
        "/en/centres/map/",
        "/en/centres/map/?country=FR&discipline=theatre",
    ]
    make(1)
    small = [warm_query_count(client, path) for path in paths]
    make(4)
    large = [warm_query_count(client, path) for path in paths]
    assert large == small
    assert max(large) <= MAX_QUERIES


# --- a centre's page --------------------------------------------------------------------------


def test_a_centre_page_lists_its_public_projects_with_role_and_share(client, public_site):
    centre = centre_in(
        "FR",
        name="Maison de Lyon",
        website="https://maison-lyon.example",
        description="A house of culture by the Rhône.",
    )
    centre.disciplines.add(discipline("theatre", "Theatre", "Théâtre"))
    partner = centre_in("DE", name="Haus Leipzig")
    led = funded_project(centres=[centre, partner], title="Shared Stages", awarded=Decimal(20000))
    joined = funded_project(centres=[partner, centre], title="River Songs", year=2025)
    funded_project(centres=[partner, centre_in("IT")], title="Not Ours")
    # Proposals that are not public yet are not projects of its page, but the one open for
    # partners is announced with a link to the Fair.
    JointProjectFactory(lead_centre=centre, state=ProjectState.DRAFT, title="Secret Draft")
    JointProjectFactory(
        lead_centre=centre, state=ProjectState.OPEN_FOR_PARTNERS, title="Looking For You"
    )

    response = client.get(f"/en/centres/{centre.slug}/")

    assert response.status_code == 200
    projects = {project["title"]: project for project in response.context["projects"]}
    assert set(projects) == {"Shared Stages", "River Songs"}
    assert projects["Shared Stages"]["role"] == "lead"
    assert projects["River Songs"]["role"] == "partner"
    assert projects["Shared Stages"]["share"] == "€10,000"  # two equal budgets, €20,000
    assert projects["Shared Stages"]["url"] == f"/en/projects/{led.slug}/"
    assert [p["title"] for p in response.context["projects"]] == ["Shared Stages", "River Songs"]
    html = response.content.decode()
    assert "<h1>Maison de Lyon</h1>" in html
    assert f'<a href="/en/projects/{joined.slug}/">River Songs</a>' in html
    assert "Secret Draft" not in html and "Not Ours" not in html
    assert "Looking For You" in html
    assert '<a href="/en/fair/">' in html
    assert 'href="https://maison-lyon.example"' in html
    assert "Theatre" in html
    # Its partners, on the map and as a list.
    assert [p["name"] for p in response.context["partners"]] == ["Haus Leipzig"]
    assert response.context["partners"][0]["projects"] == 2
    assert [p["name"] for p in map_places(response, "centre-places")] == [
        "Maison de Lyon",
        "Haus Leipzig",
    ]
    assert f'<a href="/en/centres/{partner.slug}/">Haus Leipzig</a>' in html


def test_a_centre_page_describes_the_centre_for_search_engines(client, public_site):
    centre = centre_in(
        "FR",
        name="Maison </script> de Lyon",
        website="https://maison-lyon.example",
        description="A house of culture.",
    )

    response = client.get(f"/en/centres/{centre.slug}/")

    data = json_ld(response)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Maison </script> de Lyon"  # escaped in the page, intact as JSON
    assert data["url"] == f"http://testserver/en/centres/{centre.slug}/"
    assert data["sameAs"] == ["https://maison-lyon.example"]
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Lyon",
        "addressCountry": "FR",
    }
    assert data["location"]["geo"]["latitude"] == pytest.approx(45.764043)
    html = response.content.decode()
    assert '<meta property="og:title" content="Maison &lt;/script&gt; de Lyon">' in html
    assert '<meta property="og:description" content="A house of culture.">' in html
    assert f'<meta property="og:url" content="http://testserver/en/centres/{centre.slug}/">' in html
    assert "<title>Maison &lt;/script&gt; de Lyon · Ensemble</title>" in html


@pytest.mark.parametrize("path", ["/en/centres/nobody/", "/fr/centres/nobody/", "/en/centres/a/b/"])
def test_an_unknown_centre_is_a_404(client, public_site, path):
    assert client.get(path).status_code == 404


def test_a_centre_page_in_french_links_its_other_language(client, public_site):
    centre = centre_in("DE", name="Haus Leipzig")
    project = funded_project(centres=[centre, centre_in("FR")], title="Shared Stages")

    english = client.get(f"/en/centres/{centre.slug}/").content.decode()
    french = client.get(f"/fr/centres/{centre.slug}/")

    assert french.status_code == 200
    html = french.content.decode()
    assert '<html lang="fr">' in html
    assert "Leipzig, Allemagne" in html
    assert "Projets communs" in html or "Joint projects" in html  # translated by the lead
    assert f'href="/fr/projets/{project.slug}/"' in html
    # hreflang alternates and the language switcher lead to the same centre.
    for page_html, other, code in ((english, "fr", "fr"), (html, "en", "en")):
        assert (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="http://testserver/{other}/centres/{centre.slug}/">' in page_html
        )
        assert f'<a href="/{other}/centres/{centre.slug}/" hreflang="{code}"' in page_html


def test_a_centre_page_runs_a_fixed_number_of_queries(client, public_site):
    centre = centre_in("FR", name="Maison de Lyon")
    path = f"/en/centres/{centre.slug}/"

    def make(count):
        for _ in range(count):
            funded_project(centres=[centre, centre_in("DE"), centre_in("IT")])
            JointProjectFactory(lead_centre=centre, state=ProjectState.OPEN_FOR_PARTNERS)

    make(1)
    small = warm_query_count(client, path)
    make(4)
    large = warm_query_count(client, path)
    assert len(client.get(path).context["projects"]) == 5
    assert large == small
    assert large <= MAX_QUERIES


# --- who worked with whom ---------------------------------------------------------------------


@pytest.fixture
def linked_network(public_site):
    """Lyon and Lille (FR), Leipzig (DE), Bologna (IT) and their projects:
    P1 Lyon+Lille+Leipzig, P2 Lyon+Leipzig+Bologna, P3 Leipzig+Bologna (completed),
    and a proposal Lyon+Bologna still open for partners (not counted)."""
    centres = {
        "lyon": centre_in("FR", name="Maison de Lyon"),
        "lille": centre_in("FR", name="Opéra de Lille", city="Lille"),
        "leipzig": centre_in("DE", name="Haus Leipzig"),
        "bologna": centre_in("IT", name="Casa Bologna"),
    }
    funded_project(centres=[centres["lyon"], centres["lille"], centres["leipzig"]])
    funded_project(centres=[centres["lyon"], centres["leipzig"], centres["bologna"]])
    funded_project(centres=[centres["leipzig"], centres["bologna"]], state=ProjectState.COMPLETED)
    proposal = JointProjectFactory(
        lead_centre=centres["lyon"], state=ProjectState.OPEN_FOR_PARTNERS, call=CallFactory()
    )
    PartnershipFactory(project=proposal, centre=centres["bologna"])
    return centres


def test_country_pairs_count_each_shared_project_once(client, linked_network):
    response = client.get("/en/centres/connections/")

    assert response.status_code == 200
    pairs = [(p["a_name"], p["b_name"], p["projects"]) for p in response.context["country_pairs"]]
    # P1 has two French centres: France–Germany still counts it once.
    assert pairs == [("France", "Germany", 2), ("Germany", "Italy", 2), ("France", "Italy", 1)]
    html = response.content.decode()
    assert "<caption" in html
    assert '<th scope="col">Joint projects</th>' in html.replace(' class="num"', "")


def test_centre_pairs_are_the_strongest_first_with_links(client, linked_network):
    response = client.get("/en/centres/connections/")

    pairs = [
        ({p["a"]["name"], p["b"]["name"]}, p["projects"]) for p in response.context["centre_pairs"]
    ]
    assert pairs[:2] == [
        ({"Casa Bologna", "Haus Leipzig"}, 2),
        ({"Haus Leipzig", "Maison de Lyon"}, 2),
    ]
    assert sorted(count for _names, count in pairs[2:]) == [1, 1, 1]
    html = response.content.decode()
    assert f'<a href="/en/centres/{linked_network["lille"].slug}/">Opéra de Lille</a>' in html


def test_connections_of_one_country(client, linked_network):
    response = client.get("/en/centres/connections/?country=it")

    assert response.context["country"] == "IT"
    pairs = [(p["a_name"], p["b_name"], p["projects"]) for p in response.context["country_pairs"]]
    assert pairs == [("Italy", "Germany", 2), ("Italy", "France", 1)]
    centre_pairs = response.context["centre_pairs"]
    assert {p["a"]["name"] for p in centre_pairs} == {"Casa Bologna"}  # Italy's centre first
    assert [(p["b"]["name"], p["projects"]) for p in centre_pairs] == [
        ("Haus Leipzig", 2),
        ("Maison de Lyon", 1),
    ]
    assert "Countries that worked with Italy" in response.content.decode()

    # A country without links, or no country at all: the whole network.
    for query in ("?country=PT", "?country=zz", "?country="):
        response = client.get(f"/en/centres/connections/{query}")
        assert response.context["country"] == ""
        assert len(response.context["country_pairs"]) == 3


def test_connections_in_french(client, linked_network):
    response = client.get("/fr/centres/connections/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Allemagne" in html and "Italie" in html
    assert f'href="/fr/centres/{linked_network["lyon"].slug}/"' in html
    assert '<a href="/en/centres/connections/" hreflang="en"' in html


def test_connections_run_a_fixed_number_of_queries(client, public_site):
    def make(count):
        for _ in range(count):
            funded_project(countries=("FR", "DE", "IT"))

    paths = ["/en/centres/connections/", "/en/centres/connections/?country=FR"]
    make(1)
    small = [warm_query_count(client, path) for path in paths]
    make(4)
    large = [warm_query_count(client, path) for path in paths]
    assert large == small
    assert max(large) <= MAX_QUERIES
