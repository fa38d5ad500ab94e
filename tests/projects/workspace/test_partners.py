"""The partners page of a proposal (consortium, invitations, requests to join, search for
partner centres, mandate, leaving) and the page to ask to join: permissions, refusals, htmx,
query counts."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Discipline, Partnership
from tests.factories import CentreFactory, MembershipFactory, UserFactory
from tests.factories.auth import verified_login
from tests.factories.uploads import HTML, oversized_pdf, pdf_bytes, upload
from tests.workflow.conftest import add_partner, advance, build_draft, build_ready
from workflow import services
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db


# --- Helpers ----------------------------------------------------------------------------------


def login(client, user):
    verified_login(client, user)
    return client


def partners_url(project):
    return reverse("workspace:project_partners", args=[project.pk])


def invite_url(project):
    return reverse("workspace:project_invite", args=[project.pk])


def join_url(project):
    return reverse("workspace:project_join", args=[project.pk])


def transition_url(partnership, name):
    return reverse("workspace:partnership_transition", args=[partnership.pk, name])


def mandate_url(partnership):
    return reverse("workspace:partnership_mandate", args=[partnership.pk])


def withdraw_url(partnership):
    return reverse("workspace:partnership_withdraw", args=[partnership.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def section(response, element_id, *, end="</section>"):
    """The HTML of the element with this id, up to the end of its section (or `end`)."""
    body = response.content.decode()
    start = body.index(f'id="{element_id}"')
    return body[start : body.find(end, start)]


def card(response, centre):
    """A centre's card in the search results."""
    return section(response, f"result-{centre.pk}", end="</li>")


def plain(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def invite(cast, project, centre):
    return services.partnership_invite(
        project_id=project.pk, centre_id=centre.pk, actor=cast.lead_manager
    )


def open_for_partners(cast, project):
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    project.refresh_from_db()
    return project


def staff_of(centre, username):
    user = UserFactory(username=username)
    MembershipFactory(centre=centre, user=user, role="staff")
    return user


def confirmed(cast, project, centre, manager):
    """Invited and accepted, mandate not signed."""
    partnership = invite(cast, project, centre)
    services.partnership_transition(partnership_id=partnership.pk, name="accept", actor=manager)
    partnership.refresh_from_db()
    return partnership


# --- Login, 404 for who may not see the proposal ---------------------------------------------


def test_pages_require_login(client, cast):
    project = build_draft(cast)
    lead = project.partnerships.get()
    for url in (partners_url(project), join_url(project), withdraw_url(lead)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    response = client.post(invite_url(project), {"centre": cast.partner_centre.pk})
    assert response["Location"].startswith("/accounts/login/")
    assert not Partnership.objects.filter(centre=cast.partner_centre).exists()
    login(client, cast.lead_manager)
    assert client.get(invite_url(project)).status_code == 405


def test_another_centres_member_gets_404_everywhere(client, cast):
    project = build_draft(cast)
    lead = project.partnerships.get()
    login(client, cast.other_manager)
    assert client.get(partners_url(project)).status_code == 404
    assert client.get(partners_url(project), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(join_url(project)).status_code == 404
    assert client.post(join_url(project), {"centre": cast.other_centre.pk}).status_code == 404
    assert client.get(withdraw_url(lead)).status_code == 404
    assert client.post(invite_url(project), {"centre": cast.other_centre.pk}).status_code == 404
    assert client.post(invite_url(project), {"centre": "x"}).status_code == 404
    assert (
        client.post(mandate_url(lead), {"page": "partners", "declaration": "yes"}).status_code
        == 404
    )
    assert client.post(mandate_url(lead), {"page": "partners"}).status_code == 404
    assert client.post(transition_url(lead, "withdraw"), {"page": "partners"}).status_code == 404
    assert client.get("/workspace/projects/999999/partners/").status_code == 404
    assert client.get("/workspace/partnerships/999999/withdraw/").status_code == 404
    assert not Partnership.objects.filter(centre=cast.other_centre).exists()


# --- The consortium ----------------------------------------------------------------------------


def test_the_page_shows_the_consortium_and_what_waits_for_an_answer(client, cast):
    project = open_for_partners(cast, build_draft(cast))
    add_partner(cast, project, cast.partner_centre, cast.partner_manager)  # mandate signed
    invited = invite(cast, project, cast.partner2_centre)
    requested = services.partnership_request(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
    )
    response = login(client, cast.lead_manager).get(partners_url(project))
    assert response.status_code == 200
    assert response["Vary"].find("HX-Request") >= 0
    body = response.content.decode()
    assert 'aria-current="page">Partners</a>' in body  # the section nav
    table = section(response, "consortium-title")
    lyon = table.index("Maison de la culture de Lyon")
    liege = table.index("Centre culturel de Liège")
    assert lyon < liege  # the lead first
    assert "France" in table and "Belgium" in table
    assert "Lead" in table and "Partner" in table
    assert "State: Confirmed" in plain(table)
    assert table.count("Not signed") == 1  # the lead's; the partner signed
    assert "Signed" in table
    assert "Kulturni centar Zagreb" not in table  # pending: listed under "waiting"

    pending = section(response, "pending-title")
    assert "Requests to join (1)" in pending or "Request to join (1)" in pending
    assert "Invitation sent (1)" in pending
    assert "Kulturni centar Zagreb" in pending and "Kulturhaus Graz" in pending
    # The lead's managers answer the request, and may take their invitation back.
    assert f'action="{transition_url(requested, "accept")}"' in pending
    assert f'action="{transition_url(requested, "decline")}"' in pending
    assert f'action="{transition_url(invited, "decline")}"' in pending
    assert f'action="{transition_url(invited, "accept")}"' not in pending
    assert "Refuse the request" in pending and "Take the invitation back" in pending


def test_the_invited_centres_managers_see_the_answers_its_staff_does_not(client, cast):
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    body = login(client, cast.partner_manager).get(partners_url(project)).content.decode()
    assert f'action="{transition_url(invited, "accept")}"' in body
    assert f'action="{transition_url(invited, "decline")}"' in body
    assert "Your centre is invited" in body
    assert "Find partner centres" not in body  # only the lead invites

    staff = staff_of(cast.partner_centre, "partner-staff")
    response = login(client, staff).get(partners_url(project))
    body = response.content.decode()
    assert f'action="{transition_url(invited, "accept")}"' not in body
    assert "Only a manager of Centre culturel de Liège can sign its mandate." in text(response)
    assert 'name="declaration"' not in body


def test_accepting_an_invitation_from_the_partners_page_comes_back_to_it(client, cast):
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    login(client, cast.partner_manager)
    response = client.post(
        transition_url(invited, "accept"), {"page": "partners", "next": partners_url(project)}
    )
    assert response.status_code == 302
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["Done: Accept the invitation."]
    invited.refresh_from_db()
    assert invited.state == PartnershipState.CONFIRMED

    # Answering twice: no longer possible, back to the partners page with a message.
    response = client.post(transition_url(invited, "accept"), {"page": "partners"})
    assert response.status_code == 302
    assert response["Location"] == partners_url(project)
    assert messages_of(response)[-1].startswith("This was no longer possible: ")


def test_declining_an_invitation(client, cast):
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    staff = staff_of(cast.partner_centre, "partner-staff")
    assert (
        login(client, staff)
        .post(transition_url(invited, "decline"), {"page": "partners"})
        .status_code
        == 403
    )
    response = login(client, cast.partner_manager).post(
        transition_url(invited, "decline"), {"page": "partners"}
    )
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["Done: Decline the invitation."]
    invited.refresh_from_db()
    assert invited.state == PartnershipState.DECLINED
    # Declined: shown in the consortium table with its state, not as waiting.
    response = login(client, cast.lead_manager).get(partners_url(project))
    assert "State: Declined" in plain(section(response, "consortium-title"))
    assert 'id="pending-title"' not in response.content.decode()


# --- Searching for partner centres ------------------------------------------------------------


@pytest.fixture
def network(cast):
    """More centres to find, with disciplines."""
    theatre = Discipline.objects.create(name="Theatre", name_fr="Théâtre", slug="theatre")
    music = Discipline.objects.create(name="Music", name_fr="Musique", slug="music")
    cast.partner_centre.disciplines.add(theatre)
    cast.partner2_centre.disciplines.add(music)
    cast.other_centre.disciplines.add(theatre, music)
    extra = {
        "porto": CentreFactory(name="Casa da Cultura do Porto", country="PT"),
        "ghent": CentreFactory(name="Cultuurcentrum Gent", country="BE"),
        "split": CentreFactory(name="Dom kulture Split", country="HR"),
    }
    extra["porto"].disciplines.add(theatre)
    extra["ghent"].disciplines.add(music)
    return {"theatre": theatre, "music": music, **extra}


def found(response):
    """The centres' names in the search results, in order."""
    body = response.content.decode()
    start = body.index('id="search-results"') if 'id="search-results"' in body else 0
    return re.findall(
        r'<li class="ws-card" id="result-\d+">\s*<div class="ws-card-head">\s*'
        r"<h3>([^<]+)</h3>",
        body[start:],
    )


def test_the_search_is_offered_to_the_lead_while_the_proposal_is_editable(client, cast):
    project = build_ready(cast)
    for user in (cast.lead_manager, cast.lead_staff):
        body = login(client, user).get(partners_url(project)).content.decode()
        assert "Find partner centres" in body
        assert 'hx-get="' in body and "htmx" in body  # progressive enhancement
    for user in (cast.partner_manager, cast.coordinator):
        response = login(client, user).get(partners_url(project), {"q": "Graz"})
        assert "Find partner centres" not in response.content.decode()
        assert found(response) == []
    advance(cast, project, ProjectState.SUBMITTED)
    response = login(client, cast.lead_manager).get(partners_url(project), {"q": ""})
    assert "Find partner centres" not in response.content.decode()
    assert "its partners can no longer change" in text(response)


def test_the_search_filters_by_name_country_and_discipline(client, cast, network):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    url = partners_url(project)

    # Nothing asked yet: no results, a hint.
    response = client.get(url)
    assert found(response) == []
    assert "Search by name, country or discipline" in text(response)

    # Everything, by name; the lead is marked as already in.
    response = client.get(url, {"q": "", "country": "", "discipline": ""})
    names = found(response)
    assert names == sorted(names)
    assert len(names) == 7
    assert "7 centres found." in text(response)
    lead_card = card(response, cast.lead_centre)
    assert "In this proposal:" in lead_card and "Invite<" not in lead_card

    assert found(client.get(url, {"q": "  cULTUR "})) == [
        "Casa da Cultura do Porto",
        "Centre culturel de Liège",
        "Maison de la culture de Lyon",
    ]
    assert found(client.get(url, {"country": "BE"})) == [
        "Centre culturel de Liège",
        "Cultuurcentrum Gent",
    ]
    theatre = str(network["theatre"].pk)
    assert found(client.get(url, {"discipline": theatre})) == [
        "Casa da Cultura do Porto",
        "Centre culturel de Liège",
        "Kulturhaus Graz",
    ]
    assert found(client.get(url, {"discipline": theatre, "country": "AT", "q": "haus"})) == [
        "Kulturhaus Graz"
    ]
    response = client.get(url, {"q": "nothing like this"})
    assert found(response) == []
    assert "0 centres found." in text(response)
    assert "No centre matches." in text(response)
    # The country list offers the countries that have centres, by name.
    body = client.get(url).content.decode()
    assert '<option value="PT">Portugal</option>' in body
    assert '<option value="DE">' not in body


def test_only_countries_not_yet_in_the_consortium(client, cast, network):
    project = build_draft(cast)  # the lead: France
    confirmed(cast, project, cast.partner_centre, cast.partner_manager)  # Belgium
    invite(cast, project, cast.partner2_centre)  # Croatia, invited
    declined = invite(cast, project, cast.other_centre)  # Austria, declined: free again
    services.partnership_transition(
        partnership_id=declined.pk, name="decline", actor=cast.other_manager
    )
    login(client, cast.lead_manager)
    response = client.get(partners_url(project), {"new_countries": "on"})
    assert found(response) == ["Casa da Cultura do Porto", "Kulturhaus Graz"]
    assert "Countries in this consortium (confirmed or invited): Belgium, Croatia, France." in (
        text(response)
    )
    assert 'id="search-new_countries" aria-describedby="search-new_countries-help" checked' in (
        response.content.decode()
    )
    # Without the box ticked, every country.
    assert len(found(client.get(partners_url(project), {"q": ""}))) == 7
    # With other criteria.
    assert found(
        client.get(
            partners_url(project),
            {"new_countries": "on", "discipline": str(network["music"].pk)},
        )
    ) == ["Kulturhaus Graz"]


def test_malformed_searches_say_what_is_wrong_never_a_500(client, cast, network):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    for query, message in [
        ({"country": "ZZ"}, "Choose a country from the list."),
        ({"discipline": "abc"}, "Choose a discipline from the list."),
        ({"discipline": "999999"}, "Choose a discipline from the list."),
        ({"q": "x" * 101}, "Write at most 100 characters of the name."),
    ]:
        response = client.get(partners_url(project), query)
        assert response.status_code == 200
        assert message in text(response)
        assert found(response) == []
    response = client.get(partners_url(project), {"q": "", "page": "abc"})
    assert len(found(response)) == 7


def test_search_results_are_paginated(client, cast):
    for i in range(23):
        CentreFactory(name=f"Centre {i:02d}", country="DE")
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.get(partners_url(project), {"country": "DE"})
    assert found(response) == [f"Centre {i:02d}" for i in range(20)]
    assert "23 centres found. Page 1 of 2." in text(response)
    body = response.content.decode()
    assert 'href="?country=DE&amp;page=2#find-partners"' in body
    response = client.get(partners_url(project), {"country": "DE", "page": "2"})
    assert found(response) == ["Centre 20", "Centre 21", "Centre 22"]
    assert 'href="?country=DE&amp;page=1#find-partners"' in response.content.decode()


def test_htmx_gets_only_the_results_without_javascript_the_full_page(client, cast, network):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    full = client.get(partners_url(project), {"country": "BE"})
    assert full.content.decode().lstrip().startswith("<!DOCTYPE html>")
    assert 'id="consortium-title"' in full.content.decode()

    partial = client.get(partners_url(project), {"country": "BE"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and 'id="consortium-title"' not in body
    assert found(partial) == ["Centre culturel de Liège", "Cultuurcentrum Gent"]
    # The count goes to the live region outside the results (out of band).
    assert re.search(r'<p id="search-count" hx-swap-oob="innerHTML">\s*2 centres found.', body)
    # Invite buttons are plain forms that come back to this search.
    assert f'action="{invite_url(project)}"' in body
    assert f'name="next" value="{partners_url(project)}?country=BE"' in body
    assert "HX-Request" in partial["Vary"]

    # Malformed: still 200 for htmx to show the message.
    partial = client.get(partners_url(project), {"country": "ZZ"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "Choose a country from the list." in partial.content.decode()

    # Who may not search gets the full page, never a partial of results.
    response = login(client, cast.partner_manager)
    other = build_draft(cast)
    invite(cast, other, cast.partner_centre)
    response = client.get(partners_url(other), {"q": ""}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith("<!DOCTYPE html>")


# --- Inviting ---------------------------------------------------------------------------------


def test_the_lead_invites_from_the_results_and_comes_back_to_them(client, cast, network):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    back = f"{partners_url(project)}?country=BE"
    response = client.post(invite_url(project), {"centre": cast.partner_centre.pk, "next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert messages_of(response) == [
        "Centre culturel de Liège is invited. Its managers accept or decline the invitation."
    ]
    partnership = Partnership.objects.get(project=project, centre=cast.partner_centre)
    assert partnership.state == PartnershipState.INVITED

    response = client.get(back)
    liege = card(response, cast.partner_centre)
    assert "State: Invited" in plain(liege) and "Invite<" not in liege
    assert "Invitation sent (1)" in text(response)


def test_invitation_refusals(client, cast, network):
    project = build_draft(cast)
    invite(cast, project, cast.partner_centre)
    back = f"{partners_url(project)}?country=BE"
    login(client, cast.lead_manager)

    # Already in: 422, the reason listed, the search shown again.
    response = client.post(invite_url(project), {"centre": cast.partner_centre.pk, "next": back})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-code="already_partner"' in body
    assert '<a href="#find-partners">' in body
    assert found(response) == ["Centre culturel de Liège", "Cultuurcentrum Gent"]
    assert Partnership.objects.filter(project=project).count() == 2

    # Malformed or unknown centre: 400, nothing saved.
    for centre in ("abc", "", "999999", "-3"):
        response = client.post(invite_url(project), {"centre": centre, "next": back})
        assert response.status_code == 400, centre
        assert "Choose a centre from the search results." in text(response)
    assert Partnership.objects.filter(project=project).count() == 2

    # Not the lead: 403 (a partner sees the proposal but may not invite).
    response = login(client, cast.partner_manager).post(
        invite_url(project), {"centre": cast.other_centre.pk}
    )
    assert response.status_code == 403
    assert login(client, cast.partner_manager).post(invite_url(project)).status_code == 403
    assert not Partnership.objects.filter(centre=cast.other_centre).exists()

    # Locked once submitted: 422 project_locked.
    ready = build_ready(cast)
    advance(cast, ready, ProjectState.SUBMITTED)
    response = login(client, cast.lead_manager).post(
        invite_url(ready), {"centre": cast.other_centre.pk}
    )
    assert response.status_code == 422
    assert 'data-code="project_locked"' in response.content.decode()
    assert not Partnership.objects.filter(centre=cast.other_centre).exists()


def test_staff_of_the_lead_may_invite_as_the_spec_says(client, cast):
    # PRODUCT.md §3.2: "(create) invite — lead member". Committing the centre (accept, sign,
    # submit) is for managers; inviting is not.
    project = build_draft(cast)
    response = login(client, cast.lead_staff).post(
        invite_url(project), {"centre": cast.partner_centre.pk}
    )
    assert response.status_code == 302
    assert Partnership.objects.get(centre=cast.partner_centre).state == PartnershipState.INVITED


# --- Asking to join ---------------------------------------------------------------------------


def test_a_manager_asks_to_join_and_the_lead_accepts(client, cast):
    project = open_for_partners(cast, build_draft(cast, sought_partner_profile="A puppet theatre."))
    login(client, cast.other_manager)
    response = client.get(join_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A puppet theatre." in body
    assert f'value="{cast.other_centre.pk}" id="join-centre_0" checked' in body
    assert '<label for="join-centre_0">Kulturhaus Graz</label>' in body

    response = client.post(join_url(project), {"centre": cast.other_centre.pk})
    assert response.status_code == 302
    assert response["Location"] == partners_url(project)
    assert messages_of(response)[0].startswith("Your request to join is sent.")
    request = Partnership.objects.get(project=project, centre=cast.other_centre)
    assert request.state == PartnershipState.REQUESTED
    # The asking centre may take its request back; it does not answer it.
    body = client.get(partners_url(project)).content.decode()
    assert f'action="{transition_url(request, "decline")}"' in body
    assert f'action="{transition_url(request, "accept")}"' not in body
    assert "Take the request back" in body
    # Once asked, the join page says so.
    assert "Your centre already takes part" in text(client.get(join_url(project)))

    # The lead's staff sees the request; only its managers answer it.
    body = login(client, cast.lead_staff).get(partners_url(project)).content.decode()
    assert "Kulturhaus Graz" in body
    assert f'action="{transition_url(request, "accept")}"' not in body
    response = client.post(transition_url(request, "accept"), {"page": "partners"})
    assert response.status_code == 403

    login(client, cast.lead_manager)
    pending = section(client.get(partners_url(project)), "pending-title")
    assert "Kulturhaus Graz" in pending and "Accept the request" in pending
    response = client.post(transition_url(request, "accept"), {"page": "partners"})
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["Done: Accept the request."]
    request.refresh_from_db()
    assert request.state == PartnershipState.CONFIRMED


def test_the_lead_refuses_a_request(client, cast):
    project = open_for_partners(cast, build_draft(cast))
    request = services.partnership_request(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
    )
    response = login(client, cast.lead_manager).post(
        transition_url(request, "decline"), {"page": "partners"}
    )
    assert messages_of(response) == ["Done: Refuse the request."]
    request.refresh_from_db()
    assert request.state == PartnershipState.DECLINED


def test_asking_to_join_refusals(client, cast):
    project = build_draft(cast)
    # A draft is not visible to a centre with no part in it.
    assert login(client, cast.other_manager).get(join_url(project)).status_code == 404

    # Visible (the centre was invited) but not looking for partners: said, and refused.
    invite(cast, project, cast.other_centre)
    second = CentreFactory(name="Kulturhaus Linz", country="AT")
    MembershipFactory(centre=second, user=cast.other_manager, role="manager")
    response = client.get(join_url(project))
    assert response.status_code == 200
    assert "This proposal is not looking for partners now." in text(response)
    assert 'name="centre"' not in response.content.decode()
    response = client.post(join_url(project), {"centre": second.pk})
    assert response.status_code == 422
    assert 'data-code="not_open"' in response.content.decode()
    assert not Partnership.objects.filter(centre=second).exists()

    open_for_partners(cast, project)
    # No centre chosen; a centre the person does not manage; one already in: 400, next to
    # the field.
    for data in ({}, {"centre": cast.partner_centre.pk}, {"centre": cast.other_centre.pk}):
        response = client.post(join_url(project), data)
        assert response.status_code == 400, data
        body = response.content.decode()
        assert 'id="join-centre-error"' in body
        assert '<a href="#join-centre">' in body
    assert not Partnership.objects.filter(centre=second).exists()
    assert not Partnership.objects.filter(centre=cast.partner_centre).exists()

    # Staff may not ask for their centre (a manager commits the centre).
    staff = staff_of(cast.partner_centre, "partner-staff")
    response = login(client, staff).get(join_url(project))
    assert "Only a manager of a centre may ask to join for it." in text(response)
    assert (
        login(client, staff).post(join_url(project), {"centre": cast.partner_centre.pk}).status_code
        == 400
    )
    assert not Partnership.objects.filter(centre=cast.partner_centre).exists()

    # The lead's own managers: their centre is in already.
    response = login(client, cast.lead_manager).get(join_url(project))
    assert "Your centre already takes part in this proposal" in text(response)


# --- The mandate ------------------------------------------------------------------------------


def test_a_manager_signs_the_mandate_with_a_signed_pdf(client, cast, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    login(client, cast.partner_manager)
    body = client.get(partners_url(project)).content.decode()
    form = section(client.get(partners_url(project)), f"centre-{invited.pk}")
    assert 'enctype="multipart/form-data"' in form
    assert f'id="mandate-{invited.pk}-declaration"' in form
    assert f'id="mandate-{invited.pk}-file"' in form
    assert 'name="page" value="partners"' in body

    response = client.post(
        mandate_url(invited),
        {"page": "partners", "declaration": "yes", "file": upload("signed.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["The mandate is signed."]
    invited.refresh_from_db()
    assert invited.mandate_signed_by == cast.partner_manager
    assert invited.mandate_file.name.endswith(".pdf")

    response = client.get(partners_url(project))
    mine = section(response, f"centre-{invited.pk}")
    assert "Signed" in mine and 'name="declaration"' not in mine
    assert reverse("workspace:mandate_file", args=[invited.pk]) in mine
    # The signed PDF downloads for the project's centres.
    download = client.get(reverse("workspace:mandate_file", args=[invited.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_mandate_without_the_declaration_or_with_a_bad_file_is_refused(client, cast):
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    login(client, cast.partner_manager)

    response = client.post(mandate_url(invited), {"page": "partners"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'<a href="#mandate-{invited.pk}-declaration">' in body
    assert (
        f'<p class="field-errors" id="mandate-{invited.pk}-declaration-error">Tick the '
        "declaration to sign the mandate for your centre.</p>"
    ) in body
    assert 'id="consortium-title"' in body  # the partners page, not the project page

    for name, content, message in [
        ("mandate.pdf", HTML, "This type of file is not accepted. Accepted: PDF."),
        ("mandate.pdf", b"%PDF-1.7\nnot a pdf at all" * 20, "This file is not a readable PDF."),
        ("mandate.pdf", oversized_pdf(), "The file is too large (10.0 MB); the limit is 10 MB."),
    ]:
        response = client.post(
            mandate_url(invited),
            {"page": "partners", "declaration": "yes", "file": upload(name, content)},
        )
        assert response.status_code == 400, message
        body = response.content.decode()
        assert f'<a href="#mandate-{invited.pk}-file">{message}</a>' in body
        assert f'<p class="field-errors" id="mandate-{invited.pk}-file-error">{message}</p>' in body
        assert 'aria-invalid="true"' in body
        # What was ticked stays ticked; nothing is signed.
        assert re.search(rf'id="mandate-{invited.pk}-declaration" checked', body)
    invited.refresh_from_db()
    assert invited.mandate_signed_at is None
    assert not invited.mandate_file


def test_who_may_sign_the_mandate(client, cast):
    project = build_draft(cast)
    invited = invite(cast, project, cast.partner_centre)
    data = {"page": "partners", "declaration": "yes"}
    staff = staff_of(cast.partner_centre, "partner-staff")
    assert login(client, staff).post(mandate_url(invited), data).status_code == 403
    assert login(client, cast.lead_manager).post(mandate_url(invited), data).status_code == 403
    lead = project.partnerships.get(role="lead")
    assert login(client, cast.lead_staff).post(mandate_url(lead), data).status_code == 403
    assert (
        login(client, cast.lead_staff).post(mandate_url(lead), {"page": "partners"}).status_code
        == 403
    )
    assert 'name="declaration"' not in client.get(partners_url(project)).content.decode()
    invited.refresh_from_db()
    lead.refresh_from_db()
    assert invited.mandate_signed_at is None and lead.mandate_signed_at is None

    # Once submitted: no form, and a late post goes back with a message.
    ready = build_ready(cast)
    advance(cast, ready, ProjectState.SUBMITTED)
    lead = ready.partnerships.get(role="lead")
    login(client, cast.lead_manager)
    assert 'name="declaration"' not in client.get(partners_url(ready)).content.decode()
    response = client.post(mandate_url(lead), data)
    assert response.status_code == 302
    assert response["Location"] == partners_url(ready)
    assert messages_of(response)[-1].startswith("This was no longer possible: ")


# --- Leaving ------------------------------------------------------------------------------------


def test_a_partner_leaves_after_confirming(client, cast):
    project = build_draft(cast)
    partner = confirmed(cast, project, cast.partner_centre, cast.partner_manager)
    login(client, cast.partner_manager)
    page = client.get(partners_url(project))
    assert withdraw_url(partner) in section(page, f"centre-{partner.pk}")

    response = client.get(withdraw_url(partner))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Should Centre culturel de Liège leave this proposal?" in text(response)
    assert f'action="{transition_url(partner, "withdraw")}"' in body
    assert 'name="page" value="partners"' in body
    partner.refresh_from_db()
    assert partner.state == PartnershipState.CONFIRMED  # asking changes nothing

    response = client.post(
        transition_url(partner, "withdraw"), {"page": "partners", "next": partners_url(project)}
    )
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["Done: Leave the project."]
    partner.refresh_from_db()
    assert partner.state == PartnershipState.WITHDRAWN
    assert "State: Withdrawn" in plain(
        section(client.get(partners_url(project)), "consortium-title")
    )


def test_the_lead_removes_a_partner_but_never_leaves(client, cast):
    project = build_draft(cast)
    partner = confirmed(cast, project, cast.partner_centre, cast.partner_manager)
    lead = project.partnerships.get(role="lead")
    login(client, cast.lead_manager)
    table = section(client.get(partners_url(project)), "consortium-title")
    assert withdraw_url(partner) in table and "Remove this partner" in table
    assert withdraw_url(lead) not in table
    assert "Remove Centre culturel de Liège from this proposal?" in text(
        client.get(withdraw_url(partner))
    )

    response = client.get(withdraw_url(lead))
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == ["The lead centre cannot leave its own project."]
    response = client.post(transition_url(lead, "withdraw"), {"page": "partners"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-code="lead_cannot_leave"' in body
    assert 'id="consortium-title"' in body
    lead.refresh_from_db()
    assert lead.state == PartnershipState.CONFIRMED

    # Staff of the lead may not remove a partner; staff of the partner may not leave.
    assert login(client, cast.lead_staff).get(withdraw_url(partner)).status_code == 403
    staff = staff_of(cast.partner_centre, "partner-staff")
    assert login(client, staff).get(withdraw_url(partner)).status_code == 403
    assert (
        login(client, staff).post(transition_url(partner, "withdraw"), {"page": "partners"})
    ).status_code == 403
    partner.refresh_from_db()
    assert partner.state == PartnershipState.CONFIRMED


def test_partners_cannot_leave_once_submitted(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    partner = project.partnerships.get(centre=cast.partner_centre)
    login(client, cast.partner_manager)
    assert withdraw_url(partner) not in client.get(partners_url(project)).content.decode()
    response = client.get(withdraw_url(partner))
    assert response["Location"] == partners_url(project)
    assert messages_of(response) == [
        "The proposal is Submitted: its partners can no longer change."
    ]
    response = client.post(transition_url(partner, "withdraw"), {"page": "partners"})
    assert response.status_code == 422
    assert 'data-code="project_locked"' in response.content.decode()
    partner.refresh_from_db()
    assert partner.state == PartnershipState.CONFIRMED


# --- A fixed number of queries whatever the size ---------------------------------------------


def count_queries(client, url, data=None, **headers):
    client.get(url, data, **headers)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data, **headers)
    assert response.status_code == 200
    return len(queries)


def grow(cast, project, n, discipline):
    """n more partners (confirmed, mandate signed, with disciplines), n more invitations and,
    the proposal being open, n requests to join; and n centres in a country not yet in."""
    for i in range(n):
        centre = CentreFactory(name=f"Centre {project.pk}-{i}", country=["DE", "IT", "PL"][i % 3])
        centre.disciplines.add(discipline)
        manager = UserFactory(username=f"manager-{project.pk}-{i}")
        MembershipFactory(centre=centre, user=manager, role="manager")
        asking = CentreFactory(name=f"Centre asking {project.pk}-{i}")
        MembershipFactory(centre=asking, user=manager, role="manager")
        add_partner(cast, project, centre, manager)
        invite(cast, project, CentreFactory(name=f"Centre invited {project.pk}-{i}"))
        services.partnership_request(project_id=project.pk, centre_id=asking.pk, actor=manager)
        CentreFactory(name=f"Centre free {project.pk}-{i}", country="SE")


@pytest.mark.parametrize(
    ("who", "data", "headers"),
    [
        ("lead_manager", None, {}),
        ("lead_manager", {"q": "Centre"}, {}),
        ("lead_manager", {"q": "Centre", "new_countries": "on"}, {"HTTP_HX_REQUEST": "true"}),
        ("partner_manager", None, {}),
    ],
    ids=["page-lead", "search", "search-htmx", "page-partner"],
)
def test_the_partners_page_and_the_search_run_a_fixed_number_of_queries(
    client, cast, who, data, headers, record_property
):
    discipline = Discipline.objects.create(name="Dance", slug="dance")
    project = open_for_partners(cast, build_draft(cast))
    confirmed(cast, project, cast.partner_centre, cast.partner_manager)
    login(client, getattr(cast, who))
    url = partners_url(project)
    grow(cast, project, 2, discipline)
    small = count_queries(client, url, data, **headers)
    grow(cast, project, 10, discipline)
    large = count_queries(client, url, data, **headers)
    assert Partnership.objects.filter(project=project).count() >= 38
    if data:
        response = client.get(url, data, **headers)
        # A full page of results at the larger size (12 centres in Sweden, not yet in).
        assert len(found(response)) == (12 if "new_countries" in data else 20)
    record_property("queries", (small, large))
    print(f"partners page as {who} {data or ''}: {small} queries small, {large} large")
    assert small == large
    assert large <= 14
