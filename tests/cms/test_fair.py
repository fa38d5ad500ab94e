"""The Project Fair (/en/fair/, /fr/bourse/): proposals open for partners, their filters, the
countries they still need, "ask to join" for each kind of visitor, query counts."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cms import fair
from projects.models import Discipline, JointProject, Partnership, Theme
from tests.cms.query_counts import warm_queries
from tests.factories import (
    CallFactory,
    CallTierFactory,
    CentreFactory,
    JointProjectFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
    coordinator,
)
from tests.factories.auth import verified_login
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db

FAIR = "/en/fair/"
OPEN = ProjectState.OPEN_FOR_PARTNERS
CONFIRMED = PartnershipState.CONFIRMED


# --- Helpers ----------------------------------------------------------------------------------


def proposal(*, lead=None, partners=(), state=OPEN, **fields):
    """A proposal led by `lead` (a new French centre by default) with `partners`: centres, or
    (centre, partnership state) pairs."""
    project = JointProjectFactory(lead_centre=lead or CentreFactory(country="FR"), **fields)
    for partner in partners:
        centre, partnership_state = partner if isinstance(partner, tuple) else (partner, CONFIRMED)
        PartnershipFactory(project=project, centre=centre, state=partnership_state)
    if state != ProjectState.DRAFT:  # the workflow's transitions are not what is tested here
        JointProject.objects.filter(pk=project.pk).update(state=state)
    return project


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def card_html(response, project):
    body = response.content.decode()
    start = body.rindex("<article", 0, body.index(f'id="proposal-{project.pk}-title"'))
    return body[start : body.index("</article>", start)]


def card_text(response, project):
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card_html(response, project))).strip()
    return re.sub(r" ([,;])", r"\1", words)  # "<a>Name</a>, Lyon" reads "Name, Lyon"


def listed(response):
    """The ids of the proposals on the page, in order."""
    return [int(pk) for pk in re.findall(r'id="proposal-(\d+)-title"', response.content.decode())]


def count_text(response):
    body = response.content.decode()
    match = re.search(
        r'<p class="fair-count" role="status" aria-live="polite">(.*?)</p>', body, re.S
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def member(centres, role="manager", **kwargs):
    user = UserFactory(**kwargs)
    for centre in centres:
        MembershipFactory(centre=centre, user=user, role=role)
    return user


# --- Listing ----------------------------------------------------------------------------------


def test_a_proposal_shows_what_a_partner_needs_to_know(client, public_site):
    music = Discipline.objects.create(name="Music", name_fr="Musique", slug="music")
    lead = CentreFactory(name="Maison de la culture de Lyon", city="Lyon", country="FR")
    lead.disciplines.add(music)
    call = CallFactory(title="Joint Projects 2027", min_countries=3, min_partners=4)
    project = proposal(
        lead=lead,
        call=call,
        title="Small Towns, Big Stories",
        acronym="STBS",
        summary="Storytelling festivals in small towns.",
        sought_partner_profile="A centre with a puppet theatre.",
        partners=[CentreFactory(country="BE", city="Liège")],
    )
    project.themes.add(Theme.objects.create(name="Rural culture", slug="rural"))

    response = client.get(FAIR)
    assert response.status_code == 200
    card = card_text(response, project)
    assert card.startswith("Small Towns, Big Stories (STBS)")
    for expected in (
        "Storytelling festivals in small towns.",
        "Partners sought A centre with a puppet theatre.",
        "Lead centre Maison de la culture de Lyon, Lyon, France",
        "Countries already in Belgium, France (2 confirmed centres)",
        "Still needed Partners from 1 more country; 2 more partner centres",
        "Call: Joint Projects 2027",
        "Themes Rural culture",
        "Lead centre's disciplines Music",
    ):
        assert expected in card, expected
    html = card_html(response, project)
    assert f'<a href="/en/centres/{lead.slug}/">Maison de la culture de Lyon</a>' in html
    deadline = timezone.localtime(call.deadline)
    assert f'<time datetime="{deadline.isoformat()}">' in html
    assert count_text(response) == "1 proposal is looking for partners."


def test_only_proposals_open_for_partners_under_an_open_call_are_listed(client, public_site):
    shown = proposal()
    others = [proposal(state=state) for state in ProjectState if state != OPEN]
    closed_call = CallFactory(
        opens_at=timezone.now() - timedelta(days=60), deadline=timezone.now() - timedelta(hours=1)
    )
    too_late = proposal(call=closed_call)

    response = client.get(FAIR)
    assert listed(response) == [shown.pk]
    assert too_late.pk not in listed(response)
    assert len(others) == len(ProjectState) - 1


def test_soonest_deadline_first_then_newest(client, public_site):
    soon = CallFactory(deadline=timezone.now() + timedelta(days=3))
    later = CallFactory(deadline=timezone.now() + timedelta(days=40))
    late_old, late_new = proposal(call=later), proposal(call=later)
    soon_one = proposal(call=soon)
    assert listed(client.get(FAIR)) == [soon_one.pk, late_new.pk, late_old.pk]


def test_no_proposal_says_so(client, public_site):
    response = client.get(FAIR)
    assert count_text(response) == "0 proposals are looking for partners."
    assert "No proposal is looking for partners at the moment." in text(response)


# --- Countries still needed -------------------------------------------------------------------


def test_countries_needed_count_the_confirmed_partners_distinct_countries(client, public_site):
    call = CallFactory(min_countries=3, min_partners=3)
    # FR lead, a confirmed Belgian and a second French partner; a German only asked to join.
    one_more = proposal(
        call=call,
        partners=[
            CentreFactory(country="BE"),
            CentreFactory(country="FR"),
            (CentreFactory(country="DE"), PartnershipState.REQUESTED),
        ],
    )
    reached = proposal(
        call=call, partners=[CentreFactory(country="BE"), CentreFactory(country="IT")]
    )
    alone = proposal(call=call)
    response = client.get(FAIR)

    assert "Countries already in Belgium, France (3 confirmed centres)" in card_text(
        response, one_more
    )
    assert "Still needed Partners from 1 more country Log in" in card_text(response, one_more)
    assert "Still needed The call's minimum is reached; more partners are welcome." in (
        card_text(response, reached)
    )
    assert "Still needed Partners from 2 more countries; 2 more partner centres" in card_text(
        response, alone
    )


def test_a_tiers_rules_replace_the_calls(client, public_site):
    call = CallFactory(min_countries=2)
    tier = CallTierFactory(call=call, name="Large", min_countries=4, min_partners=4)
    project = proposal(call=call, tier=tier, partners=[CentreFactory(country="BE")])
    card = card_text(client.get(FAIR), project)
    assert "Call: " + call.title + " (Large)" in card
    assert "Partners from 2 more countries; 2 more partner centres" in card


def test_countries_needed_never_goes_below_zero():
    class Rules:
        min_countries = 2

    assert fair.countries_needed(Rules, [("FR", "France")]) == 1
    assert fair.countries_needed(Rules, [("FR", ""), ("BE", ""), ("IT", "")]) == 0


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(public_site):
    """Four proposals to filter: by country of their confirmed partners, the lead's
    discipline, their theme and call."""
    music = Discipline.objects.create(name="Music", name_fr="Musique", slug="music")
    dance = Discipline.objects.create(name="Dance", name_fr="Danse", slug="dance")
    rural = Theme.objects.create(
        name="Rural culture", name_fr="Culture en milieu rural", slug="rural"
    )
    youth = Theme.objects.create(name="Young people", name_fr="Jeunesse", slug="youth")
    spring, autumn = CallFactory(title="Spring call"), CallFactory(title="Autumn call")
    musical_lead = CentreFactory(country="FR")
    musical_lead.disciplines.add(music)
    dancing_lead = CentreFactory(country="BE")
    dancing_lead.disciplines.add(dance)

    french_music = proposal(lead=musical_lead, call=spring)
    french_music.themes.add(rural)
    # Belgian lead; a French centre only asked to join: France is not in yet.
    belgian_dance = proposal(
        lead=dancing_lead,
        call=spring,
        partners=[(CentreFactory(country="FR"), PartnershipState.REQUESTED)],
    )
    belgian_dance.themes.add(youth)
    # Belgian lead with a confirmed French partner: France is in.
    with_france = proposal(
        lead=CentreFactory(country="BE"), call=autumn, partners=[CentreFactory(country="FR")]
    )
    with_france.themes.add(rural)
    italian = proposal(lead=CentreFactory(country="IT"), call=autumn)
    return {
        "french_music": french_music,
        "belgian_dance": belgian_dance,
        "with_france": with_france,
        "italian": italian,
        "spring": spring,
        "autumn": autumn,
    }


def ids(*projects):
    return sorted(p.pk for p in projects)


def fetch(client, **params):
    response = client.get(FAIR, params)
    assert response.status_code == 200
    return sorted(listed(response))


def test_the_country_filter_keeps_proposals_without_a_partner_from_there(client, catalogue):
    c = catalogue
    # "My country is not in the proposal yet": neither a French lead nor a confirmed French
    # partner (a request waiting for an answer does not count).
    assert fetch(client, country="FR") == ids(c["belgian_dance"], c["italian"])
    assert fetch(client, country="fr") == ids(c["belgian_dance"], c["italian"])
    assert fetch(client, country="BE") == ids(c["french_music"], c["italian"])


def test_the_discipline_filter_is_the_lead_centres(client, catalogue):
    assert fetch(client, discipline="music") == ids(catalogue["french_music"])
    assert fetch(client, discipline="dance") == ids(catalogue["belgian_dance"])


def test_the_theme_filter(client, catalogue):
    assert fetch(client, theme="rural") == ids(catalogue["french_music"], catalogue["with_france"])


def test_the_call_filter(client, catalogue):
    c = catalogue
    assert fetch(client, call=c["autumn"].slug) == ids(c["with_france"], c["italian"])


def test_filters_combine(client, catalogue):
    c = catalogue
    assert fetch(client, theme="rural", call=c["autumn"].slug) == ids(c["with_france"])
    assert fetch(client, theme="rural", country="BE") == ids(c["french_music"])
    assert fetch(client, country="FR", call=c["spring"].slug, discipline="dance") == ids(
        c["belgian_dance"]
    )
    response = client.get(FAIR, {"country": "FR", "call": c["autumn"].slug})
    assert count_text(response) == "1 proposal is looking for partners. Show all proposals"
    # The form shows the choices made.
    body = response.content.decode()
    assert '<option value="FR" selected>France</option>' in body
    assert f'<option value="{c["autumn"].slug}" selected>Autumn call</option>' in body


def test_the_filters_offer_what_exists(client, catalogue):
    closed = CallFactory(
        title="Closed call",
        opens_at=timezone.now() - timedelta(days=60),
        deadline=timezone.now() - timedelta(days=1),
    )
    body = client.get(FAIR).content.decode()
    for label in ('for="fair-country"', 'for="fair-discipline"', 'for="fair-theme"'):
        assert label in body
    assert '<label for="fair-call">Call</label>' in body
    assert '<option value="IT">Italy</option>' in body
    assert '<option value="music">Music</option>' in body
    assert '<option value="youth">Young people</option>' in body
    assert f'<option value="{catalogue["spring"].slug}">Spring call</option>' in body
    assert closed.slug not in body
    assert "No proposal matches these filters." in text(
        client.get(FAIR, {"theme": "youth", "country": "BE"})
    )


@pytest.mark.parametrize(
    "params",
    [
        {"country": "ZZ"},
        {"country": "<script>"},
        {"discipline": "no-such-thing"},
        {"theme": "x" * 300},
        {"call": "closed-or-unknown"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
    ],
)
def test_unknown_filter_values_and_pages_are_ignored(client, catalogue, params):
    response = client.get(FAIR, params)
    assert response.status_code == 200
    assert len(listed(response)) == 4


def test_pagination_keeps_the_filters(client, public_site):
    call = CallFactory()
    projects = [proposal(call=call) for _ in range(13)]
    first = client.get(FAIR, {"call": call.slug})
    assert len(listed(first)) == 12
    assert count_text(first).startswith("13 proposals are looking for partners.")
    body = first.content.decode()
    assert f'href="?call={call.slug}&amp;page=2" rel="next"' in body
    assert "Page 1 of 2" in text(first)
    second = client.get(FAIR, {"call": call.slug, "page": 2})
    assert listed(second) == [projects[0].pk]  # the oldest, last
    assert f'href="?call={call.slug}&amp;page=1" rel="prev"' in second.content.decode()


# --- Asking to join ---------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_log_in_first(client, public_site):
    project = proposal()
    html = card_html(client.get(FAIR), project)
    join = reverse("workspace:project_join", args=[project.pk])
    assert f'href="/accounts/login/?next={join}"' in html
    assert "Log in to ask to join" in html
    assert 'method="post"' not in html


def test_a_manager_chooses_which_of_their_centres_asks(client, public_site):
    graz = CentreFactory(name="Kulturhaus Graz", city="Graz", country="AT")
    linz = CentreFactory(name="Kulturhaus Linz", city="Linz", country="AT")
    project = proposal()
    verified_login(client, member([graz, linz]))
    html = card_html(client.get(FAIR), project)
    join = reverse("workspace:project_join", args=[project.pk])
    assert f'<form method="post" action="{join}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<legend>Which of your centres asks to join SHS" in html
    for centre in (graz, linz):
        radio_id = f"join-{project.pk}-{centre.pk}"
        assert f'name="centre" value="{centre.pk}" id="{radio_id}" required>' in html
        assert f'<label for="join-{project.pk}-{centre.pk}">{centre.name}' in html
    assert "checked" not in html  # two centres: the manager chooses


def test_a_managers_only_centre_is_chosen_already(client, public_site):
    graz = CentreFactory(name="Kulturhaus Graz", country="AT")
    project = proposal()
    verified_login(client, member([graz]))
    html = card_html(client.get(FAIR), project)
    assert f'value="{graz.pk}" id="join-{project.pk}-{graz.pk}" required checked>' in html


def test_a_centre_already_in_the_proposal_is_not_offered(client, public_site):
    graz = CentreFactory(name="Kulturhaus Graz", country="AT")
    linz = CentreFactory(name="Kulturhaus Linz", country="AT")
    partner = proposal(partners=[graz])
    asked = proposal(partners=[(graz, PartnershipState.REQUESTED)])
    declined = proposal(partners=[(graz, PartnershipState.DECLINED)])
    both_in = proposal(partners=[graz, (linz, PartnershipState.INVITED)])
    other = proposal()
    manager = member([graz])
    verified_login(client, manager)
    response = client.get(FAIR)
    assert "Your centre is already a partner." in card_text(response, partner)
    assert "the answer is pending" in card_text(response, asked)
    assert "cannot ask to join it again" in card_text(response, declined)
    assert 'name="centre"' in card_html(response, other)

    # With a second centre, only the centre not yet in the proposal is offered.
    MembershipFactory(centre=linz, user=manager, role="manager")
    response = client.get(FAIR)
    html = card_html(response, partner)
    assert f'value="{linz.pk}"' in html
    assert f'value="{graz.pk}"' not in html
    assert "Your centre is already a partner." in card_text(response, both_in)


def test_staff_and_coordinators_get_no_form(client, public_site):
    graz = CentreFactory(country="AT")
    project = proposal()
    verified_login(client, member([graz], role="staff"))
    response = client.get(FAIR)
    assert "Only a manager of your centre can ask to join a proposal." in card_text(
        response, project
    )
    assert 'method="post"' not in card_html(response, project)

    verified_login(client, coordinator())
    html = card_html(client.get(FAIR), project)
    assert 'method="post"' not in html
    assert "Log in to ask to join" not in html


def test_asking_from_the_fair_sends_the_request_to_join(client, public_site):
    graz = CentreFactory(name="Kulturhaus Graz", country="AT")
    linz = CentreFactory(name="Kulturhaus Linz", country="AT")
    project = proposal(sought_partner_profile="A puppet theatre.")
    verified_login(client, member([graz, linz]))
    html = card_html(client.get(FAIR), project)
    action = re.search(r'<form method="post" action="([^"]+)">', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    response = client.post(action, {"centre": linz.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:project_partners", args=[project.pk])
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages[0].startswith("Your request to join is sent.")
    request = Partnership.objects.get(project=project, centre=linz)
    assert request.state == PartnershipState.REQUESTED
    assert not Partnership.objects.filter(project=project, centre=graz).exists()
    # Back on the Fair, Linz is no longer offered; Graz still is.
    html = card_html(client.get(FAIR), project)
    assert f'value="{graz.pk}"' in html
    assert f'value="{linz.pk}"' not in html


# --- French -----------------------------------------------------------------------------------


def test_the_french_fair(client, public_site):
    rural = Theme.objects.create(
        name="Rural culture", name_fr="Culture en milieu rural", slug="rural"
    )
    lead = CentreFactory(country="BE", city="Liège")
    project = proposal(lead=lead, partners=[CentreFactory(country="DE")])
    project.themes.add(rural)
    response = client.get("/fr/bourse/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="fr">' in body
    assert "<h1>Bourse aux projets</h1>" in body
    html = card_html(response, project)
    assert f'<a href="/fr/centres/{lead.slug}/">' in html
    assert "Liège, Belgique" in html
    assert "Allemagne, Belgique" in html
    assert "Culture en milieu rural" in html
    assert '<option value="rural">Culture en milieu rural</option>' in body
    assert 'hreflang="en" href="http://testserver/en/fair/"' in body


# --- Query counts -----------------------------------------------------------------------------


def make_proposals(count):
    music = Discipline.objects.get_or_create(name="Music", slug="music")[0]
    rural = Theme.objects.get_or_create(name="Rural culture", slug="rural")[0]
    call = CallFactory()
    tier = CallTierFactory(call=call)
    for index in range(count):
        lead = CentreFactory(country="FR")
        lead.disciplines.add(music)
        project = proposal(
            lead=lead,
            call=call,
            tier=tier if index % 2 else None,
            partners=[CentreFactory(country="BE"), (CentreFactory(country="IT"), "requested")],
        )
        project.themes.add(rural)


@pytest.mark.parametrize(
    "params", [None, {"country": "DE", "theme": "rural", "discipline": "music"}]
)
def test_the_fair_costs_the_same_queries_for_2_or_8_proposals(client, public_site, params):
    make_proposals(2)
    small, response = warm_queries(client, FAIR, params)
    assert len(listed(response)) == 2
    make_proposals(6)
    large, response = warm_queries(client, FAIR, params)
    assert len(listed(response)) == 8
    assert small == large
    assert large <= 12


def test_a_managers_fair_costs_the_same_queries_for_2_or_8_proposals(client, public_site):
    manager = member([CentreFactory(country="AT"), CentreFactory(country="AT")])
    verified_login(client, manager)
    make_proposals(2)
    small, response = warm_queries(client, FAIR)
    assert response.content.decode().count('type="radio"') == 4
    make_proposals(6)
    large, response = warm_queries(client, FAIR)
    assert response.content.decode().count('type="radio"') == 16
    assert small == large
    # The Fair's own 11 (its 10 for anyone, and the visitor's centres) plus what any signed-in
    # page costs: the session, the user, the two-factor device, the admin link's permission.
    assert large <= 12 + 4
