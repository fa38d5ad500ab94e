"""A funded project's public page: key facts, partners and their shares, map, results, the
editors' image and story, similar projects, JSON-LD and OpenGraph, in both languages, with a
fixed number of queries."""

import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from cms.models import ProjectPage, ShowcaseStatus
from cms.sync import call_pages_sync
from tests.cms.query_counts import warm_query_count
from tests.cms.showcase_data import funded_project, pages_of
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def url_of(project, language="en"):
    section = {"en": "projects", "fr": "projets"}[language]
    return f"/{language}/{section}/{project.slug}/"


def text_of(element):
    return " ".join(element.get_text(" ").split())


def partner_table(soup):
    table = soup.find("caption", id="partners-caption").find_parent("table")
    return [
        [text_of(cell) for cell in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")
    ]


def json_ld_of(soup):
    return json.loads(soup.find("script", type="application/ld+json").string)


def test_the_page_shows_the_key_facts_and_links_the_call_page(client, public_site):
    call = CallFactory(title="Joint Projects 2027")
    call_pages_sync(call_id=call.pk)
    project = funded_project(
        countries=("FR", "DE", "IT"),
        themes=("music",),
        call=call,
        title="Shared Stages",
        acronym="SHS",
        summary="Three centres share their stages.",
        awarded=Decimal("20000"),
    )

    soup = soup_of(client.get(url_of(project)))

    assert text_of(soup.h1) == "Shared Stages (SHS)"
    assert text_of(soup.select_one(".project-status .badge")) == "Ongoing"
    assert text_of(soup.select_one(".project-header .lead")) == "Three centres share their stages."
    facts = {text_of(item.dt): item.dd for item in soup.select(".project-facts > div")}
    assert facts["Call"].a["href"] == f"/en/calls/{call.slug}/"
    assert text_of(facts["Grant"]) == "€20,000"
    assert text_of(facts["Countries (3)"]) == "France, Germany, Italy"
    assert facts["Planned dates"].find_all("time")[0]["datetime"] == project.start_date.isoformat()
    assert facts["Funded on"].time["datetime"].startswith("2026-")
    assert "Music" in text_of(soup.select_one(".project-status"))


def test_the_call_is_plain_text_without_a_call_page(client, public_site):
    project = funded_project()

    soup = soup_of(client.get(url_of(project)))

    facts = {text_of(item.dt): item.dd for item in soup.select(".project-facts > div")}
    assert facts["Call"].a is None
    assert text_of(facts["Call"]) == project.call.title


def test_partners_are_listed_with_their_share_of_the_grant_and_drawn_on_the_map(
    client, public_site
):
    project = funded_project(countries=("FR", "DE", "IT"), awarded=Decimal("20000"))
    lead = project.lead_centre

    soup = soup_of(client.get(url_of(project)))

    caption = soup.find("caption", id="partners-caption")
    assert text_of(caption) == "The partner centres and their share of the grant of €20,000"
    rows = partner_table(soup)
    # The lead first; each a third of the grant (the split keeps every cent: the lead takes
    # the rounding).
    assert rows[0] == [lead.name, "Lyon", "France", "Lead", "€6,666.68", "33.3 %"]
    assert [row[1:4] for row in rows[1:]] == [
        ["Leipzig", "Germany", "Partner"],
        ["Bologna", "Italy", "Partner"],
    ]
    assert {row[4] for row in rows[1:]} == {"€6,666.66"}
    # Each centre links to its page in the directory.
    links = [a["href"] for a in caption.find_parent("table").select("tbody th a")]
    assert links[0] == f"/en/centres/{lead.slug}/"
    # The same places on the map (an extra: the table is the accessible list).
    places = json.loads(soup.find("script", id="project-partners-places").string)
    assert (places[0]["name"], places[0]["url"]) == (
        lead.name,
        f"/en/centres/{lead.slug}/",
    )
    assert len(places) == 3 and places[0]["lat"] == pytest.approx(45.764043)
    assert soup.find(attrs={"data-map": "project-partners-places"})["aria-label"]


def test_a_completed_project_shows_its_results_and_indicators(client, public_site):
    project = funded_project(countries=("FR", "BE"))
    ProjectPage.objects.filter(project=project).update(
        status=ShowcaseStatus.COMPLETED,
        results="We toured three cities.\n\nAnd made a film.",
        indicators={
            "events": 12,
            "artists": 1200,
            "audience": {"FR": 900, "BE": 400},
            "outputs": [{"title": "The film", "url": "https://example.org/film"}],
        },
    )

    soup = soup_of(client.get(url_of(project)))

    assert text_of(soup.select_one(".project-status .badge")) == "Completed"
    results = soup.find(id="results-title").find_parent("section")
    assert "We toured three cities." in text_of(results)
    figures = {text_of(item.dt): text_of(item.dd) for item in results.select("dl > div")}
    assert figures == {"Events": "12", "Artists involved": "1,200"}
    audience = [
        [text_of(cell) for cell in row.find_all(["th", "td"])]
        for row in results.select("table tbody tr")
    ]
    assert audience == [["Belgium", "400"], ["France", "900"]]
    assert results.find("a", string="The film")["href"] == "https://example.org/film"
    assert soup.find(id="ended-title") is None


def test_an_ongoing_project_has_no_results_section(client, public_site):
    project = funded_project()

    soup = soup_of(client.get(url_of(project)))

    assert soup.find(id="results-title") is None


def test_a_project_ended_early_says_so(client, public_site):
    project = funded_project()
    ProjectPage.objects.filter(project=project).update(status=ShowcaseStatus.ENDED_EARLY)

    soup = soup_of(client.get(url_of(project)))

    assert text_of(soup.select_one(".project-status .badge")) == "Ended early"
    notice = soup.find(id="ended-title").find_parent("section")
    assert "before its planned end" in text_of(notice)


def test_the_editors_image_credit_and_story_are_shown(client, public_site):
    project = funded_project()
    page = pages_of(project)
    page.hero_image = Image.objects.create(title="The stage in Lyon", file=get_test_image_file())
    page.hero_credit = "Jeanne Photo"
    page.body = [("paragraph", "<p>How it began.</p>"), ("quote", {"quote": "Never again alone."})]
    page.save_revision().publish()

    soup = soup_of(client.get(url_of(project)))

    figure = soup.select_one("figure.project-hero")
    image = figure.img
    assert image["src"].startswith("/") and image["alt"] == "The stage in Lyon"
    assert text_of(figure.figcaption) == "© Jeanne Photo"
    story = soup.select_one(".project-story")
    assert "How it began." in text_of(story) and "Never again alone." in text_of(story)
    # The same rendition is shared as og:image, as an absolute address.
    og_image = soup.find("meta", property="og:image")["content"]
    assert og_image == f"http://testserver{image['src']}"
    assert json_ld_of(soup)["image"] == og_image


def test_json_ld_describes_the_project_its_partners_and_the_grant(client, public_site):
    project = funded_project(countries=("FR", "DE"), awarded=Decimal("15000.50"))

    soup = soup_of(client.get(url_of(project)))

    data = json_ld_of(soup)
    url = f"http://testserver{url_of(project)}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Project"
    assert (data["name"], data["url"], data["description"]) == (
        project.title,
        url,
        project.summary,
    )
    assert data["startDate"] == project.start_date.isoformat()
    assert data["endDate"] == project.end_date.isoformat()
    network = project.call.network.name
    assert data["funder"] == {"@type": "Organization", "name": network}
    lead = data["member"][0]
    assert lead["@type"] == "Organization" and lead["name"] == project.lead_centre.name
    assert lead["url"] == f"http://testserver/en/centres/{project.lead_centre.slug}/"
    assert lead["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Lyon",
        "addressCountry": "FR",
    }
    assert lead["location"]["geo"]["@type"] == "GeoCoordinates"
    assert [m["location"]["address"]["addressCountry"] for m in data["member"]] == ["FR", "DE"]
    grant = data["funding"]
    assert grant["@type"] == "MonetaryGrant"
    assert grant["amount"] == {"@type": "MonetaryAmount", "currency": "EUR", "value": "15000.50"}
    assert grant["funder"]["name"] == network
    assert grant["fundedItem"] == {"@id": data["@id"]}


def test_json_ld_cannot_end_its_script_element(client, public_site):
    summary = 'Stages </script><script>alert("x")</script> & more <!-- here'
    project = funded_project(summary=summary)

    html = client.get(url_of(project)).content.decode()

    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script
    assert json.loads(script)["description"] == summary


def test_opengraph_tags_describe_the_page(client, public_site):
    project = funded_project(summary="Long " * 100)

    soup = soup_of(client.get(url_of(project)))

    def og(name):
        return [tag["content"] for tag in soup.find_all("meta", property=name)]

    assert og("og:type") == ["article"]
    assert og("og:title") == [project.title]
    assert og("og:url") == [f"http://testserver{url_of(project)}"]
    assert og("og:locale") == ["en_GB"]
    (description,) = og("og:description")
    assert len(description) <= 200 and description.endswith("…")
    assert og("og:image") == []  # no main image


def test_the_french_page_links_french_pages(client, public_site):
    project = funded_project(countries=("FR", "DE"))

    soup = soup_of(client.get(url_of(project, "fr")))

    assert soup.html["lang"] == "fr"
    rows = partner_table(soup)
    assert [row[2] for row in rows] == ["France", "Allemagne"]
    links = [a["href"] for a in soup.select("#partners-caption ~ tbody th a")]
    assert links == [f"/fr/centres/{project.lead_centre.slug}/", links[1]]
    assert links[1].startswith("/fr/centres/")
    assert json_ld_of(soup)["inLanguage"] == "fr"
    assert [t["content"] for t in soup.find_all("meta", property="og:locale")] == ["fr_FR"]


def test_an_unknown_project_is_not_found(client, public_site):
    assert client.get("/en/projects/no-such-project/").status_code == 404


def similar_titles(client, project):
    soup = soup_of(client.get(url_of(project)))
    section = soup.find(id="similar-title")
    if section is None:
        return []
    cards = section.find_parent("section").select(".card h3 a")
    assert all(card["href"].startswith("/en/projects/") for card in cards)
    return [text_of(card) for card in cards]


def test_similar_projects_share_themes_first_then_countries_then_the_call(client, public_site):
    this = funded_project(themes=("music", "heritage"), countries=("FR", "DE"), title="This")
    funded_project(themes=("music", "heritage"), countries=("IT", "ES"), title="Same themes")
    funded_project(themes=("music",), countries=("FR", "PL"), title="A theme and a country")
    funded_project(countries=("FR", "DE"), call=this.call, title="Countries and call")
    funded_project(countries=("FR", "PT"), title="One country")
    funded_project(countries=("DE", "NL"), title="Another country")  # ties: the newest first
    funded_project(themes=("climate",), countries=("NL", "PL"), title="Nothing shared")
    hidden = funded_project(themes=("music", "heritage"), countries=("FR",), title="Hidden")
    pages_of(hidden).unpublish()

    assert similar_titles(client, this) == [
        "Same themes",  # two themes: 4
        "A theme and a country",  # 2 + 1, more themes than the next
        "Countries and call",  # 1 + 1 + 1
        "Another country",  # 1 (the newer of two)
    ]


def test_similar_projects_are_kept_until_a_page_changes(client, public_site):

    this = funded_project(themes=("music",), countries=("FR", "DE"), title="This")
    funded_project(themes=("music",), countries=("IT", "ES"), title="Older")
    assert similar_titles(client, this) == ["Older"]
    with CaptureQueriesContext(connection) as kept:
        similar_titles(client, this)
    assert not [q for q in kept if "cms_projectpagefacet" in q["sql"]]  # not ranked again

    # A newly funded project's sync replaces the version: it shows at once.
    newer = funded_project(themes=("music",), countries=("FR", "DE"), title="Newer")
    assert similar_titles(client, this) == ["Newer", "Older"]
    # So does an editor unpublishing one.
    pages_of(newer).unpublish()
    assert similar_titles(client, this) == ["Older"]


def test_a_project_sharing_nothing_has_no_similar_projects(client, public_site):
    lonely = funded_project(themes=("climate",), countries=("NL", "PL"))
    funded_project(themes=("music",), countries=("FR", "DE"))

    assert similar_titles(client, lonely) == []


def test_the_similar_cards_name_the_lead_and_countries(client, public_site):
    this = funded_project(themes=("music",), countries=("FR", "DE"))
    other = funded_project(themes=("music",), countries=("IT", "ES"), title="Other")

    soup = soup_of(client.get(url_of(this)))

    card = soup.select_one(".project-similar .card")
    assert card.h3.a["href"] == url_of(other)
    facts = {text_of(item.dt): text_of(item.dd) for item in card.select("dl > div")}
    assert facts == {"Lead centre": other.lead_centre.name, "Countries": "Italy, Spain"}


def test_the_page_costs_the_same_queries_whatever_the_partners_and_projects(client, public_site):
    call = CallFactory()
    call_pages_sync(call_id=call.pk)
    small = funded_project(countries=("FR", "DE"), themes=("music",), call=call)
    for _ in range(2):
        funded_project(countries=("FR", "IT"), themes=("music",), call=call)
    small_count = warm_query_count(client, url_of(small))

    large = funded_project(
        countries=("FR", "DE", "IT", "ES", "BE", "PT", "PL", "NL"), themes=("music",), call=call
    )
    for _ in range(8):
        funded_project(countries=("FR", "IT"), themes=("music",), call=call)
    large_count = warm_query_count(client, url_of(large))

    assert small_count == large_count <= 12
    print(f"project page: {small_count} queries (2 partners, 2 others), {large_count} (8, 10)")
    soup = soup_of(client.get(url_of(large)))
    assert len(partner_table(soup)) == 8
    assert len(soup.select(".project-similar .card")) == 4
