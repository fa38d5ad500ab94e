"""The budget page (/workspace/projects/<pk>/budget/) and the grant agreement page
(/workspace/projects/<pk>/agreement/): who edits what, bad input, server-side totals, the
recalculation that saves nothing, the agreement's acceptance, and fixed query counts."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import BudgetLine, JointProject, Partnership, Payment, PaymentKind
from projects.selectors import figures_by_project, with_partners
from tests.factories import CentreFactory, MembershipFactory, UserFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import BUDGET, add_partner, advance, build_draft, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def budget_url(project):
    return reverse("workspace:budget", args=[project.pk])


def save_url(project, partnership):
    return reverse("workspace:budget_save", args=[project.pk, partnership.pk])


def recalculate_url(project, partnership):
    return reverse("workspace:budget_recalculate", args=[project.pk, partnership.pk])


def agreement_url(project):
    return reverse("workspace:grant_agreement", args=[project.pk])


def login(client, user):
    verified_login(client, user)
    return client


def text(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def partnership_of(project, centre):
    return Partnership.objects.get(project=project, centre=centre)


def lines_of(partnership):
    return list(
        BudgetLine.objects.filter(partnership=partnership)
        .order_by("id")
        .values_list("category", "description", "amount")
    )


def budget_post(partnership, rows, own="1000.00", action="save", **extra):
    prefix = f"budget-{partnership.pk}"
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "200",
        f"{prefix}-own_contribution": own,
        "action": action,
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = value
    data.update(extra)
    return data


GOOD_ROWS = [
    {"category": "staff", "description": "Two technicians", "amount": "30 000"},
    {"category": "travel", "description": "Tour buses", "amount": "5000,50"},
]


@pytest.fixture
def ready(cast):
    """A ready draft: the lead, partner and partner2 confirmed, each with BUDGET (10,000 EUR,
    2,000 own contribution)."""
    return build_ready(cast)


# --- Who sees and edits what -------------------------------------------------------------------


def test_a_partner_edits_its_own_budget_and_sees_the_others_totals(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    partner2 = partnership_of(ready, cast.partner2_centre)
    response = login(client, cast.partner_manager).get(budget_url(ready))
    assert response.status_code == 200
    body = response.content.decode()
    # Its own budget is a form, filled with the saved lines; the others' are not.
    assert f'action="{save_url(ready, partner)}"' in body
    assert f'name="budget-{partner.pk}-0-description" ' in body
    assert 'value="8000.00"' in body
    assert f'action="{save_url(ready, partner2)}"' not in body
    assert body.count('class="budget-form"') == 1
    # Another partner's lines stay with that partner and the lead; its totals are shown.
    page = text(response)
    assert "Only Kulturni centar Zagreb and the lead centre see the lines of this budget." in page
    assert "Your budget: Centre culturel de Liège" in page


def test_the_lead_reads_every_partner_and_edits_only_its_own(client, cast, ready):
    lead = partnership_of(ready, cast.lead_centre)
    partner = partnership_of(ready, cast.partner_centre)
    response = login(client, cast.lead_manager).get(budget_url(ready))
    body = response.content.decode()
    assert body.count('class="budget-form"') == 1
    assert f'action="{save_url(ready, lead)}"' in body
    assert f'action="{save_url(ready, partner)}"' not in body
    page = text(response)
    # The partners' lines, read-only.
    assert page.count("Staff Team 8,000.00") == 2
    assert "see the lines of this budget" not in page


def test_a_partner_cannot_save_another_partners_budget(client, cast, ready):
    partner2 = partnership_of(ready, cast.partner2_centre)
    before = lines_of(partner2)
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner2), budget_post(partner2, GOOD_ROWS)
    )
    assert response.status_code == 403
    response = client.post(recalculate_url(ready, partner2), budget_post(partner2, GOOD_ROWS))
    assert response.status_code == 403
    assert lines_of(partner2) == before


def test_the_lead_cannot_save_a_partners_budget_here(client, cast, ready):
    """The service lets the lead's members change a partner's budget (the JSON API); on this
    page each centre edits its own (issue 7: "a partner edits only its own")."""
    partner = partnership_of(ready, cast.partner_centre)
    before = lines_of(partner)
    response = login(client, cast.lead_manager).post(
        save_url(ready, partner), budget_post(partner, GOOD_ROWS)
    )
    assert response.status_code == 403
    assert lines_of(partner) == before


def test_another_centre_gets_404_everywhere(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    login(client, cast.other_manager)
    assert client.get(budget_url(ready)).status_code == 404
    assert client.get(agreement_url(ready)).status_code == 404
    assert client.post(save_url(ready, partner), budget_post(partner, GOOD_ROWS)).status_code == 404
    assert (
        client.post(recalculate_url(ready, partner), budget_post(partner, GOOD_ROWS)).status_code
        == 404
    )
    assert client.post(agreement_url(ready), {"partnership": partner.pk}).status_code == 404


def test_a_partnership_of_another_project_is_not_found(client, cast, ready):
    other = build_draft(cast)
    lead_elsewhere = partnership_of(other, cast.lead_centre)
    response = login(client, cast.lead_manager).post(
        save_url(ready, lead_elsewhere), budget_post(lead_elsewhere, GOOD_ROWS)
    )
    assert response.status_code == 404
    assert lines_of(lead_elsewhere) == []


def test_staff_edit_their_centres_budget_as_the_service_allows(client, cast, ready):
    """workflow.permissions.can_edit_budget: any member of the centre (PRODUCT.md §1: members
    work on budgets; managers commit the centre: submit, sign, accept). A staff member of the
    lead still cannot edit a partner's budget here."""
    lead = partnership_of(ready, cast.lead_centre)
    partner = partnership_of(ready, cast.partner_centre)
    login(client, cast.lead_staff)
    response = client.post(save_url(ready, lead), budget_post(lead, GOOD_ROWS))
    assert response.status_code == 302
    assert lines_of(lead) == [
        ("staff", "Two technicians", Decimal("30000.00")),
        ("travel", "Tour buses", Decimal("5000.50")),
    ]
    before = lines_of(partner)
    response = client.post(save_url(ready, partner), budget_post(partner, GOOD_ROWS))
    assert response.status_code == 403
    assert lines_of(partner) == before


# --- Saving ---------------------------------------------------------------------------------------


def test_a_partner_saves_its_budget(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, GOOD_ROWS, own="7 000,25")
    )
    assert response.status_code == 302
    assert response["Location"] == f"{budget_url(ready)}#budget-{partner.pk}"
    assert messages_of(response) == ["The budget of Centre culturel de Liège is saved."]
    partner.refresh_from_db()
    assert partner.own_contribution == Decimal("7000.25")
    assert lines_of(partner) == [
        ("staff", "Two technicians", Decimal("30000.00")),
        ("travel", "Tour buses", Decimal("5000.50")),
    ]


def test_removed_and_empty_lines_are_not_saved(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    rows = [
        *GOOD_ROWS,
        {"category": "other", "description": "", "amount": "-5", "DELETE": "on"},
        {"category": "", "description": "", "amount": ""},
    ]
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, rows)
    )
    assert response.status_code == 302
    assert [line[1] for line in lines_of(partner)] == ["Two technicians", "Tour buses"]


@pytest.mark.parametrize(
    ("row", "own", "field", "message"),
    [
        ({"amount": "-100"}, "0", "0-amount", "The amount cannot be negative."),
        ({"amount": "lots"}, "0", "0-amount", "Write the amount in euros with digits only"),
        ({"amount": "1000000000000"}, "0", "0-amount", "The amount is too large"),
        ({"amount": "9" * 40}, "0", "0-amount", "The amount is too large"),
        ({"amount": "20,000"}, "0", "0-amount", "Write at most two decimals (cents)"),
        ({"amount": ""}, "0", "0-amount", "Enter the amount in euros"),
        ({"description": ""}, "0", "0-description", "Describe the line"),
        ({"description": "x" * 301}, "0", "0-description", "Write at most 300 characters"),
        ({"category": "catering"}, "0", "0-category", "Choose one of the categories"),
        ({"category": ""}, "0", "0-category", "Choose a category."),
        ({}, "-1", "own_contribution", "The amount cannot be negative."),
        ({}, "a lot", "own_contribution", "Write the amount in euros with digits only"),
    ],
)
def test_bad_input_shows_errors_next_to_the_fields_and_saves_nothing(
    client, cast, ready, row, own, field, message
):
    partner = partnership_of(ready, cast.partner_centre)
    partner.refresh_from_db()
    before = (lines_of(partner), partner.own_contribution)
    rows = [{**GOOD_ROWS[0], **row}, GOOD_ROWS[1]]
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, rows, own=own)
    )
    assert response.status_code == 400
    body = response.content.decode()
    field_id = f"id_budget-{partner.pk}-{field}"
    # Next to the field: the message, tied to it, the field marked invalid.
    error = re.search(rf'<p class="field-errors" id="{field_id}-error">([^<]*)</p>', body)
    assert error is not None and message in error.group(1).replace("&quot;", '"')
    tag = re.search(rf'<(?:input|select)[^>]* id="{field_id}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in tag
    assert re.search(rf'aria-describedby="[^"]*{field_id}-error', tag)
    # And in the summary, leading to it.
    summary = re.search(r'<div class="error-summary".*?</div>', body, flags=re.S).group(0)
    assert f'href="#{field_id}"' in summary
    # What the person typed is still there; nothing is saved.
    assert 'value="Tour buses"' in body
    partner.refresh_from_db()
    assert (lines_of(partner), partner.own_contribution) == before


def test_every_error_is_listed_at_once(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    rows = [
        {"category": "staff", "description": "", "amount": "-1"},
        {"category": "travel", "description": "Bus", "amount": "abc"},
    ]
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, rows, own="-3")
    )
    assert response.status_code == 400
    page = text(response)
    assert "Line 1, description: Describe the line" in page
    assert "Line 1, amount: The amount cannot be negative." in page
    assert "Line 2, amount: Write the amount in euros with digits only" in page
    assert "Own contribution: The amount cannot be negative." in page


def test_a_tampered_form_saves_nothing(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    before = lines_of(partner)
    data = budget_post(partner, GOOD_ROWS)
    del data[f"budget-{partner.pk}-TOTAL_FORMS"]
    response = login(client, cast.partner_manager).post(save_url(ready, partner), data)
    assert response.status_code == 400
    assert "The form was incomplete" in text(response)
    assert lines_of(partner) == before
    # More lines than a budget holds.
    many = [{"category": "staff", "description": f"Line {i}", "amount": "1"} for i in range(201)]
    response = client.post(save_url(ready, partner), budget_post(partner, many))
    assert response.status_code == 400
    assert "A budget has at most 200 lines." in text(response)
    assert lines_of(partner) == before


def test_a_refusal_of_the_service_shows_on_the_form(client, cast, ready, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError("Amounts cannot be negative.")

    monkeypatch.setattr(services, "partnership_set_budget", refuse)
    partner = partnership_of(ready, cast.partner_centre)
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, GOOD_ROWS)
    )
    assert response.status_code == 400
    assert "Own contribution: Amounts cannot be negative." in text(response)


def test_adding_a_line_gives_the_form_back_with_one_more_row_and_saves_nothing(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    before = lines_of(partner)
    rows = [*GOOD_ROWS, {"category": "other", "description": "Gone", "amount": "1", "DELETE": "on"}]
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, rows, action="add")
    )
    assert response.status_code == 200
    body = response.content.decode()
    prefix = f"budget-{partner.pk}"
    # The two kept rows and a new empty one (the removed row left out), focused.
    assert f'name="{prefix}-TOTAL_FORMS" value="3"' in body
    assert 'value="Two technicians"' in body and 'value="Gone"' not in body
    new_row = re.search(rf'<select name="{prefix}-2-category"[^>]*>', body).group(0)
    assert new_row.endswith(" autofocus>")
    assert 'class="error-summary"' not in body
    assert lines_of(partner) == before


# --- Totals, computed on the server -----------------------------------------------------------


def figures_shown(body):
    return {
        name: re.search(rf'data-figure="{name}">([^<]*)<', body).group(1)
        for name in ("total_cost", "requested_grant", "rate")
    }


def test_the_totals_are_the_models_figures(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, GOOD_ROWS, own="7000.25")
    )
    project = with_partners(JointProject.objects.filter(pk=ready.pk)).get()
    # 2 × 10,000 + 35,000.50 of costs; 2 × 8,000 + 28,000.25 requested.
    assert project.total_cost == Decimal("55000.50")
    assert project.requested_grant == Decimal("44000.25")
    figures = figures_by_project([project.pk])[project.pk]
    assert (figures.total_cost, figures.requested_grant) == (
        project.total_cost,
        project.requested_grant,
    )
    assert figures.cofinancing_rate == project.cofinancing_rate == Decimal("0.8000")
    body = client.get(budget_url(ready)).content.decode()
    assert figures_shown(body) == {
        "total_cost": "55,000.50",
        "requested_grant": "44,000.25",
        "rate": "80.0 %",
    }
    page = text(client.get(budget_url(ready)))
    # Each partner's own totals, from Partnership.total_cost and requested_grant.
    assert "Centre culturel de Liège Confirmed 35,000.50 7,000.25 28,000.25" in page
    assert "The grant and the co-financing rate are within the call’s rules." in page


def test_the_totals_name_the_call_rules_they_break(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    rows = [{"category": "production", "description": "Opera", "amount": "200000"}]
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, rows, own="0")
    )
    assert response.status_code == 302
    body = client.get(budget_url(ready)).content.decode()
    assert 'data-code="max_grant"' in body
    assert 'data-code="cofinancing_rate"' in body


def test_recalculating_shows_the_typed_totals_and_saves_nothing(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    partner.refresh_from_db()
    before = (lines_of(partner), partner.own_contribution)
    data = budget_post(partner, GOOD_ROWS, own="7000.25")
    login(client, cast.partner_manager)

    # With htmx: the totals alone.
    response = client.post(recalculate_url(ready, partner), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<section id="budget-totals"')
    assert "<html" not in body
    assert figures_shown(body) == {
        "total_cost": "55,000.50",
        "requested_grant": "44,000.25",
        "rate": "80.0 %",
    }
    assert "Not saved yet." in body
    partner.refresh_from_db()
    assert (lines_of(partner), partner.own_contribution) == before

    # Without JavaScript: the "Recalculate" button gives the whole page back.
    response = client.post(save_url(ready, partner), {**data, "action": "recalculate"})
    assert response.status_code == 200
    assert figures_shown(response.content.decode())["total_cost"] == "55,000.50"
    assert 'value="Two technicians"' in response.content.decode()
    partner.refresh_from_db()
    assert (lines_of(partner), partner.own_contribution) == before

    # The saved page still shows the saved figures.
    assert figures_shown(client.get(budget_url(ready)).content.decode())["total_cost"] == (
        "30,000.00"
    )


def test_recalculating_leaves_out_what_cannot_be_read(client, cast, ready):
    partner = partnership_of(ready, cast.partner_centre)
    rows = [GOOD_ROWS[0], {"category": "travel", "description": "Bus", "amount": "12x"}]
    response = login(client, cast.partner_manager).post(
        recalculate_url(ready, partner),
        budget_post(partner, rows, own="oops"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    # 2 × 10,000 + 30,000; the saved own contribution (2,000) kept.
    assert figures_shown(body)["total_cost"] == "50,000.00"
    assert figures_shown(body)["requested_grant"] == "44,000.00"
    assert "Values that cannot be read yet are left out." in body


# --- Only while the proposal is editable ---------------------------------------------------------


def test_a_submitted_budget_is_read_only_and_a_post_gets_409(client, cast, ready):
    advance(cast, ready, ProjectState.SUBMITTED)
    partner = partnership_of(ready, cast.partner_centre)
    before = lines_of(partner)
    login(client, cast.partner_manager)
    response = client.get(budget_url(ready))
    assert response.status_code == 200
    assert 'class="budget-form"' not in response.content.decode()
    assert "The proposal is “Submitted”: its budget is read-only." in text(response)

    for url in (save_url(ready, partner), recalculate_url(ready, partner)):
        response = client.post(url, budget_post(partner, GOOD_ROWS))
        assert response.status_code == 409
        assert "its budget can no longer change" in text(response)
    assert lines_of(partner) == before


def test_a_proposal_sent_back_for_changes_is_editable_again(client, cast, ready):
    advance(cast, ready, ProjectState.SUBMITTED)
    services.project_transition(
        project_id=ready.pk, name="request_changes", actor=cast.coordinator, comment="Redo it."
    )
    partner = partnership_of(ready, cast.partner_centre)
    response = login(client, cast.partner_manager).post(
        save_url(ready, partner), budget_post(partner, GOOD_ROWS)
    )
    assert response.status_code == 302
    assert len(lines_of(partner)) == 2


# --- The grant agreement ---------------------------------------------------------------------


def test_before_approval_the_agreement_page_says_it_comes_later(client, cast, ready):
    response = login(client, cast.partner_manager).get(agreement_url(ready))
    assert response.status_code == 200
    assert "The grant agreement comes once the network approves the proposal" in text(response)
    assert "Grant agreement" not in text(client.get(budget_url(ready))).split("Budget")[0]


def test_a_partner_reviews_its_share_and_accepts(client, cast, ready):
    project = advance(cast, ready, ProjectState.APPROVED)  # 20,000 EUR awarded
    partner = partnership_of(project, cast.partner_centre)
    login(client, cast.partner_manager)
    response = client.get(agreement_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    page = text(response)
    # Three partners requesting 8,000 each: a third each, the lead keeps the odd cent.
    assert re.search(r'data-figure="share">6,666.66<', body)
    assert re.search(r'data-figure="prefinancing">4,000.00<', body)  # 60 % of 6,666.66…
    assert "Your centre’s share: Centre culturel de Liège" in page
    assert "pay its own contribution of 2,000.00 EUR" in page
    assert "0 of 3 centres have accepted the grant agreement." in page
    assert f'name="partnership" value="{partner.pk}"' in body

    # The box must be ticked.
    response = client.post(agreement_url(project), {"partnership": partner.pk})
    assert response.status_code == 400
    assert "Tick the box to accept the grant agreement for your centre." in text(response)
    partner.refresh_from_db()
    assert not partner.agreement_accepted

    response = client.post(agreement_url(project), {"partnership": partner.pk, "accept": "yes"})
    assert response.status_code == 302
    assert response["Location"] == agreement_url(project)
    assert messages_of(response) == ["Centre culturel de Liège accepted the grant agreement."]
    partner.refresh_from_db()
    assert partner.agreement_accepted_by == cast.partner_manager

    # Accepting twice is refused; nothing changes.
    accepted_at = partner.agreement_accepted_at
    response = client.post(agreement_url(project), {"partnership": partner.pk, "accept": "yes"})
    assert response.status_code == 409
    partner.refresh_from_db()
    assert partner.agreement_accepted_at == accepted_at

    # The lead sees who has accepted.
    page = text(login(client, cast.lead_manager).get(agreement_url(project)))
    assert "1 of 3 centres have accepted the grant agreement." in page
    name = cast.partner_manager.get_full_name() or cast.partner_manager.username
    assert f"Centre culturel de Liège Partner 6,666.66 4,000.00 Accepted by {name}" in page
    assert "Kulturni centar Zagreb Partner 6,666.66 4,000.00 Not yet" in page
    assert "Maison de la culture de Lyon Lead 6,666.68 4,000.00 Not yet" in page


def test_the_shares_add_up_to_the_scheduled_prefinancing(client, cast, ready):
    project = advance(cast, ready, ProjectState.IN_PROGRESS)
    payment = Payment.objects.get(project=project, kind=PaymentKind.PREFINANCING)
    response = login(client, cast.lead_manager).get(agreement_url(project))
    page = text(response)
    assert "3 of 3 centres have accepted the grant agreement." in page
    assert f"Total 20,000.00 {payment.amount:,.2f}" in page
    assert "is due on" in page
    # Nothing left to accept once the project started.
    assert 'name="accept"' not in response.content.decode()


def test_who_may_not_accept_the_agreement(client, cast, ready):
    project = advance(cast, ready, ProjectState.APPROVED)
    lead = partnership_of(project, cast.lead_centre)
    partner2 = partnership_of(project, cast.partner2_centre)
    # A staff member (not manager) cannot commit the centre.
    response = login(client, cast.lead_staff).post(
        agreement_url(project), {"partnership": lead.pk, "accept": "yes"}
    )
    assert response.status_code == 403
    # Nor a manager of another partner.
    response = login(client, cast.partner_manager).post(
        agreement_url(project), {"partnership": partner2.pk, "accept": "yes"}
    )
    assert response.status_code == 403
    for bad in ("", "abc", "999999"):
        assert (
            client.post(agreement_url(project), {"partnership": bad, "accept": "yes"}).status_code
            == 404
        )
    lead.refresh_from_db()
    partner2.refresh_from_db()
    assert not lead.agreement_accepted and not partner2.agreement_accepted
    # The staff member sees no acceptance form.
    body = login(client, cast.lead_staff).get(agreement_url(project)).content.decode()
    assert 'name="accept"' not in body


@pytest.mark.parametrize("state", [ProjectState.UNDER_REVIEW, ProjectState.IN_PROGRESS])
def test_accepting_in_the_wrong_state_is_refused(client, cast, ready, state):
    project = advance(cast, ready, state)
    partner = partnership_of(project, cast.partner_centre)
    if state == ProjectState.IN_PROGRESS:  # accepted on the way; accepted "again" after start
        Partnership.objects.filter(pk=partner.pk).update(
            agreement_accepted_at=None, agreement_accepted_by=None
        )
    response = login(client, cast.partner_manager).post(
        agreement_url(project), {"partnership": partner.pk, "accept": "yes"}
    )
    assert response.status_code == 409
    assert "This is not possible now" in text(response)
    partner.refresh_from_db()
    assert not partner.agreement_accepted


# --- A fixed number of queries whatever the data size ------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(cast, project, partners, lines):
    """`partners` more confirmed partners, each with `lines` budget lines."""
    for i in range(partners):
        centre = CentreFactory(name=f"Centre {project.pk}-{partners}-{i}", country="DE")
        manager = UserFactory(username=f"manager-{project.pk}-{partners}-{i}")
        MembershipFactory(centre=centre, user=manager, role="manager")
        partnership = add_partner(cast, project, centre, manager)
        services.partnership_set_budget(
            partnership_id=partnership.pk,
            actor=manager,
            lines=BUDGET * (lines // 2),
            own_contribution=Decimal("100.00"),
        )


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager", "coordinator"])
def test_the_budget_page_runs_a_fixed_number_of_queries(client, cast, who, record_property):
    small_project, large_project = build_ready(cast), build_ready(cast)
    grow(cast, small_project, 2, 2)
    grow(cast, large_project, 8, 8)
    login(client, getattr(cast, who))
    small = count_queries(client, budget_url(small_project))
    large = count_queries(client, budget_url(large_project))
    record_property("queries", (small, large))
    assert small == large
    assert large <= 16


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager"])
def test_the_agreement_page_runs_a_fixed_number_of_queries(client, cast, who, record_property):
    small_project, large_project = build_ready(cast), build_ready(cast)
    grow(cast, small_project, 2, 2)
    grow(cast, large_project, 8, 8)
    for project in (small_project, large_project):  # approved (the way there is tested above)
        JointProject.objects.filter(pk=project.pk).update(
            state=ProjectState.APPROVED, awarded_amount=Decimal("20000.00")
        )
    login(client, getattr(cast, who))
    small = count_queries(client, agreement_url(small_project))
    large = count_queries(client, agreement_url(large_project))
    record_property("queries", (small, large))
    assert small == large
    assert large <= 16
