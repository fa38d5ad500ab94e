"""The proposal editor (issue 7, item 2): start a proposal, the task list and its statuses, the
section forms, the eligibility panel, check your answers and submit."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import JointProject, Theme
from tests.factories import (
    BudgetLineFactory,
    CallFactory,
    CallTierFactory,
    CentreFactory,
    MembershipFactory,
    PartnershipFactory,
)
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.conditions import failures
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def login(client, user):
    verified_login(client, user)
    return client


def text(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def tasks_url(project):
    return reverse("workspace:editor", args=[project.pk])


def section_url(project, slug):
    return reverse("workspace:editor_section", args=[project.pk, slug])


def check_url(project):
    return reverse("workspace:editor_check", args=[project.pk])


def panel_url(project):
    return reverse("workspace:editor_eligibility", args=[project.pk])


START_URL = reverse("workspace:proposal_start")


def statuses(response):
    """{section slug: status} as the task list shows them."""
    return dict(re.findall(r'id="task-([\w-]+)" data-status="(\w+)"', response.content.decode()))


def panel(response):
    """{condition code: met} as the eligibility panel shows them."""
    found = re.findall(r'data-code="(\w+)" data-met="(true|false)"', response.content.decode())
    return {code: met == "true" for code, met in found}


def error_codes(response):
    return re.findall(r'<li data-code="(\w+)">', response.content.decode())


# --- Start a proposal -------------------------------------------------------------------------


def closed_call():
    return CallFactory(
        title="Closed call 2025",
        opens_at=timezone.now() - timedelta(days=60),
        deadline=timezone.now() - timedelta(days=1),
    )


def test_the_start_page_offers_only_open_calls_and_the_persons_centres(client, cast):
    closed_call()
    CallFactory(
        title="Future call 2030",
        opens_at=timezone.now() + timedelta(days=5),
        deadline=timezone.now() + timedelta(days=50),
    )
    second = CentreFactory(name="Théâtre de Nantes", country="FR")
    MembershipFactory(centre=second, user=cast.lead_manager, role="staff")
    login(client, cast.lead_manager)
    response = client.get(START_URL)
    assert response.status_code == 200
    page = text(response)
    assert cast.call.title in page
    assert "Closed call 2025" not in page
    assert "Future call 2030" not in page
    assert "Maison de la culture de Lyon" in page
    assert "Théâtre de Nantes" in page  # a staff member may propose for their centre too
    assert "Kulturhaus Graz" not in page


def test_starting_a_proposal_makes_a_draft_and_leads_to_its_task_list(client, cast):
    login(client, cast.lead_manager)
    response = client.post(
        START_URL,
        {"call": cast.call.pk, "lead_centre": cast.lead_centre.pk, "title": "Voices Across"},
    )
    project = JointProject.objects.get(title="Voices Across")
    assert response.status_code == 302
    assert response["Location"] == tasks_url(project)
    assert project.state == ProjectState.DRAFT
    assert project.lead_centre == cast.lead_centre
    assert project.partnerships.get().centre == cast.lead_centre
    assert "Your proposal is started" in messages_of(response)[0]


def test_a_closed_call_is_refused_with_a_clear_error(client, cast):
    call = closed_call()
    login(client, cast.lead_manager)
    response = client.post(
        START_URL, {"call": call.pk, "lead_centre": cast.lead_centre.pk, "title": "Too late"}
    )
    assert response.status_code == 400
    assert "The call “Closed call 2025” closed on" in text(response)
    assert 'href="#id_call_0"' in response.content.decode()  # the summary leads to the field
    assert not JointProject.objects.filter(title="Too late").exists()


def test_a_call_with_tiers_needs_one_of_its_own_tiers(client, cast):
    tiered = CallFactory(title="Tiered call")
    small = CallTierFactory(call=tiered, name="Small")
    other_tier = CallTierFactory(name="Large")  # of another call
    login(client, cast.lead_manager)
    data = {"call": tiered.pk, "lead_centre": cast.lead_centre.pk, "title": "Tiers"}

    response = client.get(START_URL)
    assert "Small" in text(response)  # the tier list is offered

    response = client.post(START_URL, data)
    assert response.status_code == 400
    assert "The call “Tiered call” has tiers: choose one." in text(response)

    response = client.post(START_URL, {**data, "tier": other_tier.pk})
    assert response.status_code == 400
    assert "This tier belongs to another call" in text(response)
    assert not JointProject.objects.filter(title="Tiers").exists()

    response = client.post(START_URL, {**data, "tier": small.pk})
    assert response.status_code == 302
    assert JointProject.objects.get(title="Tiers").tier == small


def test_a_proposal_cannot_be_started_for_another_centre(client, cast):
    login(client, cast.lead_manager)
    response = client.post(
        START_URL, {"call": cast.call.pk, "lead_centre": cast.other_centre.pk, "title": "Not mine"}
    )
    assert response.status_code == 400
    assert not JointProject.objects.filter(title="Not mine").exists()


def test_missing_answers_are_listed_and_nothing_is_created(client, cast):
    login(client, cast.lead_manager)
    response = client.post(START_URL, {"call": "", "lead_centre": "", "title": "  "})
    assert response.status_code == 400
    page = text(response)
    assert "Choose the call you apply to." in page
    assert "Choose the centre that leads the project." in page
    assert "Give the proposal a working title." in page
    assert 'id="error-summary"' in response.content.decode()
    assert JointProject.objects.count() == 0


def test_someone_without_a_centre_cannot_start_a_proposal(client, cast):
    login(client, cast.reviewer)
    response = client.get(START_URL)
    assert response.status_code == 403
    assert "Only the staff of a member centre" in text(response)
    assert client.post(START_URL, {"call": cast.call.pk, "title": "x"}).status_code == 403


# --- The task list ----------------------------------------------------------------------------


def test_a_new_proposal_starts_with_nothing_completed(client, cast):
    project = services_create(cast, title="Voices Across")
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert response.status_code == 200
    assert statuses(response) == {
        "title": "in_progress",  # a title, no summary yet
        "description": "not_started",
        "dates": "not_started",
        "partners-sought": "not_started",
        "partners": "not_started",
        "budget": "not_started",
        "check": "cannot_start",
    }
    page = text(response)
    assert "0 of 6 sections completed" in page
    assert "Cannot start yet" in page
    # The check page is not linked while it cannot start.
    assert f'href="{check_url(project)}"' not in response.content.decode()
    assert f'href="{section_url(project, "dates")}"' in response.content.decode()


def services_create(cast, **fields):
    from projects.services import project_create

    return project_create(
        actor=cast.lead_manager, call=cast.call, lead_centre=cast.lead_centre, **fields
    )


def complete_content(cast, project):
    from projects.editor_services import project_section_save

    theme = Theme.objects.create(name="Heritage", name_fr="Patrimoine", slug="heritage")
    project_section_save(
        project_id=project.pk,
        actor=cast.lead_manager,
        description="We share stages.",
        sought_partner_profile="A centre in the Nordics.",
        themes=[theme],
    )


def test_the_count_goes_up_as_sections_are_completed(client, cast):
    project = build_ready(cast)  # title, summary, dates, 3 partners with mandates and budgets
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert statuses(response) == {
        "title": "completed",
        "description": "not_started",
        "dates": "completed",
        "partners-sought": "not_started",
        "partners": "completed",
        "budget": "completed",
        "check": "cannot_start",
    }
    assert "4 of 6 sections completed" in text(response)

    complete_content(cast, project)
    response = client.get(tasks_url(project))
    assert "6 of 6 sections completed" in text(response)
    assert statuses(response)["check"] == "not_started"
    assert f'href="{check_url(project)}"' in response.content.decode()


def test_partners_and_budget_are_in_progress_until_the_rules_are_met(client, cast):
    project = build_draft(cast)
    partnership = services.partnership_invite(
        project_id=project.pk, centre_id=cast.partner_centre.pk, actor=cast.lead_manager
    )
    services.partnership_set_budget(
        partnership_id=project.partnerships.get(centre=cast.lead_centre).pk,
        actor=cast.lead_manager,
        lines=[{"category": "staff", "description": "Team", "amount": Decimal("500000")}],
        own_contribution=Decimal("0"),
    )
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert statuses(response)["partners"] == "in_progress"
    assert statuses(response)["budget"] == "in_progress"  # over the maximum grant
    page = text(response)
    assert "0 confirmed" not in page and "1 confirmed · 1 invited · 0 mandates signed" in page
    assert partnership.state == "invited"


def test_a_partner_sees_the_task_list_without_the_forms(client, cast):
    project = build_ready(cast)
    login(client, cast.partner_manager)
    response = client.get(tasks_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{section_url(project, "title")}"' not in body
    assert "Ready to submit?" in body


# --- Permissions ------------------------------------------------------------------------------


PAGES = {
    "tasks": lambda p: tasks_url(p),
    "section": lambda p: section_url(p, "title"),
    "check": lambda p: check_url(p),
    "panel": lambda p: panel_url(p),
}


@pytest.mark.parametrize("page", PAGES)
def test_another_centres_member_gets_404_on_every_page(client, cast, page):
    project = build_draft(cast)
    login(client, cast.other_manager)
    assert client.get(PAGES[page](project)).status_code == 404


@pytest.mark.parametrize("page", ["section", "check"])
def test_another_centres_member_cannot_post_to_a_draft(client, cast, page):
    project = build_draft(cast)
    login(client, cast.other_manager)
    response = client.post(PAGES[page](project), {"title": "Mine now", "comment": ""})
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.title == "Shared Stages"
    assert project.state == ProjectState.DRAFT


def test_a_proposal_open_for_partners_is_read_only_to_other_centres(client, cast):
    project = build_draft(cast)
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    login(client, cast.other_manager)
    response = client.get(tasks_url(project))  # the proposal is public in the Project Fair
    assert response.status_code == 200
    assert f'href="{section_url(project, "title")}"' not in response.content.decode()
    assert client.get(section_url(project, "title")).status_code == 403
    assert client.post(section_url(project, "title"), {"title": "Mine"}).status_code == 403
    assert client.post(check_url(project), {"comment": ""}).status_code == 403
    project.refresh_from_db()
    assert (project.title, project.state) == ("Shared Stages", ProjectState.OPEN_FOR_PARTNERS)


def test_a_partner_may_not_edit_the_lead_centres_proposal(client, cast):
    project = build_ready(cast)
    login(client, cast.partner_manager)
    assert client.get(section_url(project, "title")).status_code == 403
    response = client.post(section_url(project, "title"), {"title": "Taken over"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Shared Stages"


def test_a_staff_member_edits_but_cannot_submit(client, cast):
    project = build_ready(cast)
    complete_content(cast, project)
    login(client, cast.lead_staff)
    response = client.post(
        section_url(project, "title"),
        {"title": "Shared Stages", "acronym": "SHS2", "summary": "Three centres."},
    )
    assert response.status_code == 302
    response = client.get(check_url(project))
    assert "Submit the proposal" not in re.findall(
        r"<button[^>]*>([^<]*)</button>", response.content.decode()
    )
    assert "A manager of Maison de la culture de Lyon submits the proposal" in text(response)
    response = client.post(check_url(project), {"comment": ""})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT
    assert project.acronym == "SHS2"


def test_a_submitted_proposal_can_no_longer_be_edited(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    login(client, cast.lead_manager)
    assert client.get(section_url(project, "title")).status_code == 409
    response = client.post(section_url(project, "title"), {"title": "Changed"})
    assert response.status_code == 409
    assert "The proposal can no longer be changed" in text(response)
    assert client.post(check_url(project), {}).status_code == 409
    project.refresh_from_db()
    assert project.title == "Shared Stages"
    response = client.get(tasks_url(project))
    assert response.status_code == 200
    assert "it can no longer be changed" in text(response)
    assert f'href="{section_url(project, "title")}"' not in response.content.decode()


def test_an_unknown_section_is_404(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    assert client.get(section_url(project, "budgetz")).status_code == 404


# --- Sections: save and come back; bad input saves nothing --------------------------------------


def test_a_section_saves_and_returns_to_the_task_list(client, cast):
    project = services_create(cast, title="Voices Across")
    login(client, cast.lead_manager)
    response = client.get(section_url(project, "title"))
    assert response.status_code == 200
    assert 'value="Voices Across"' in response.content.decode()

    response = client.post(
        section_url(project, "title"),
        {"title": "Voices Across Europe", "acronym": "VAE", "summary": "Choirs meet."},
    )
    assert response.status_code == 302
    assert response["Location"] == tasks_url(project)
    assert messages_of(response) == ["Saved: Title and summary."]
    project.refresh_from_db()
    assert (project.title, project.acronym, project.summary) == (
        "Voices Across Europe",
        "VAE",
        "Choirs meet.",
    )
    assert statuses(client.get(tasks_url(project)))["title"] == "completed"


def test_themes_and_description_are_saved_together(client, cast):
    project = build_draft(cast)
    heritage = Theme.objects.create(name="Heritage", slug="heritage")
    music = Theme.objects.create(name="Music", slug="music")
    login(client, cast.lead_manager)
    response = client.get(section_url(project, "description"))
    assert 'type="checkbox"' in response.content.decode()
    response = client.post(
        section_url(project, "description"),
        {"description": "Choirs.", "themes": [heritage.pk, music.pk]},
    )
    assert response.status_code == 302
    assert set(project.themes.all()) == {heritage, music}
    response = client.post(
        section_url(project, "description"), {"description": "Choirs.", "themes": ["999999"]}
    )
    assert response.status_code == 400
    assert set(project.themes.all()) == {heritage, music}


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.post(
        section_url(project, "title"),
        {"title": "x" * 201, "acronym": "A" * 31, "summary": "A new summary"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        'id="error-summary"' in body and 'href="#id_title"' in body and 'href="#id_acronym"' in body
    )
    assert 'id="id_title-error"' in body
    assert 'aria-invalid="true"' in body
    assert "A new summary" in body  # what was typed is kept
    project.refresh_from_db()
    assert project.summary == "Three centres share their stages."  # nothing saved partially
    assert project.acronym == "SHS"


def test_dates_ending_before_they_start_are_refused(client, cast):
    project = build_draft(cast)
    before = (project.start_date, project.end_date)
    login(client, cast.lead_manager)
    response = client.post(
        section_url(project, "dates"), {"start_date": "2027-05-01", "end_date": "2027-04-01"}
    )
    assert response.status_code == 400
    assert "The project cannot end before it starts." in text(response)
    response = client.post(
        section_url(project, "dates"), {"start_date": "01/05/2027", "end_date": ""}
    )
    assert response.status_code == 400
    assert "Write the date as year-month-day" in text(response)
    project.refresh_from_db()
    assert (project.start_date, project.end_date) == before


def test_dates_longer_than_the_call_allows_are_refused_with_the_rules_message(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.post(
        section_url(project, "dates"), {"start_date": "2027-01-01", "end_date": "2029-06-30"}
    )
    assert response.status_code == 400
    # The call's own duration rule, as the submission checks it.
    assert "The project lasts 30 months; the call allows at most 24." in text(response)
    response = client.post(
        section_url(project, "dates"), {"start_date": "2027-01-01", "end_date": "2028-06-30"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.end_date == date(2028, 6, 30)


def test_one_date_alone_is_saved_and_the_section_is_in_progress(client, cast):
    project = services_create(cast, title="Voices")
    login(client, cast.lead_manager)
    response = client.post(section_url(project, "dates"), {"start_date": "2027-01-01"})
    assert response.status_code == 302
    assert statuses(client.get(tasks_url(project)))["dates"] == "in_progress"


def test_a_change_from_the_check_page_returns_there(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.get(section_url(project, "partners-sought") + "?return=check")
    assert 'name="return" value="check"' in response.content.decode()
    response = client.post(
        section_url(project, "partners-sought"),
        {"sought_partner_profile": "Nordic centres.", "return": "check"},
    )
    assert response["Location"] == check_url(project)


# --- The eligibility panel: the submit transition's own rules --------------------------------


def test_the_panel_lists_what_is_missing_with_the_figures(client, cast):
    project = build_draft(cast)  # the lead alone: no partners, no mandate, no budget
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    shown = panel(response)
    # The same rules, in the same order, with the same verdicts as the submission.
    project = JointProject.objects.get(pk=project.pk)
    assert [code for code, met in shown.items() if not met] == [
        f.code for f in failures("project", "submit", project)
    ]
    assert shown == {
        "call_closed": True,
        "min_partners": False,
        "min_countries": False,
        "mandate_missing": False,
        "budget_empty": False,
        "max_grant": True,
        "cofinancing_rate": True,
        "duration": True,
    }
    page = text(response)
    assert "4 of 8 conditions of the call met" in page
    assert "2 more confirmed centres needed (1 of 3)" in page
    assert "1 more country needed (so far: France)" in page
    assert "Mandate missing: Maison de la culture de Lyon" in page
    assert "requested 0.00 EUR of max 100,000.00 EUR" in page
    assert "No costs yet" in page


def test_the_panel_turns_green_when_every_rule_is_met(client, cast):
    project = build_ready(cast)
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert all(panel(response).values())
    page = text(response)
    assert "Every condition of the call is met." in page
    assert "requested 24,000.00 EUR of max 100,000.00 EUR" in page
    assert "co-financing 80.0 % ≤ 80 %" in page
    assert "3 mandates signed" in page


def test_the_panel_shows_an_exceeded_grant_and_rate(client, cast):
    project = build_ready(cast)
    call = project.call
    call.max_grant = Decimal("20000")
    call.max_cofinancing_rate = Decimal("0.75")
    call.save()
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    shown = panel(response)
    assert not shown["max_grant"] and not shown["cofinancing_rate"]
    page = text(response)
    assert "requested 24,000.00 EUR of max 20,000.00 EUR" in page
    assert "co-financing 80.0 % > 75 %" in page


def test_the_panel_runs_whatever_rules_the_submission_runs(client, cast, monkeypatch):
    """A rule added to the submit transition shows in the panel with its own message: the
    panel has no rule of its own."""
    from workflow import conditions

    def ethics_missing(project, data):
        return conditions.Failure("ethics_missing", "The ethics statement is missing.")

    key = ("project", "submit")
    monkeypatch.setitem(conditions.RULES, key, [*conditions.RULES[key], ethics_missing])
    project = build_ready(cast)
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert panel(response)["ethics_missing"] is False
    assert "The ethics statement is missing." in text(response)
    assert "8 of 9 conditions of the call met" in text(response)
    response = client.post(check_url(project), {"comment": ""})
    assert response.status_code == 422
    assert error_codes(response) == ["ethics_missing"]


def test_the_panel_alone_for_htmx(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.get(panel_url(project), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="eligibility')
    assert "<html" not in body
    assert f'hx-get="{panel_url(project)}"' in body


# --- Check your answers and submit ------------------------------------------------------------


def test_the_check_page_lists_every_answer_with_change_links(client, cast):
    project = build_ready(cast)
    complete_content(cast, project)
    login(client, cast.lead_manager)
    response = client.get(check_url(project))
    assert response.status_code == 200
    page = text(response)
    for answer in (
        "Shared Stages",
        "SHS",
        "Three centres share their stages.",
        "We share stages.",
        "Heritage",
        "A centre in the Nordics.",
        "Centre culturel de Liège",
    ):
        assert answer in page
    body = response.content.decode()
    assert f'href="{section_url(project, "title")}?return=check"' in body
    assert '<span class="visually-hidden"> public summary</span>' in body
    assert "Change the partners" in page


def test_a_partner_reads_the_answers_without_change_links_or_submit(client, cast):
    project = build_ready(cast)
    login(client, cast.partner_manager)
    response = client.get(check_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Shared Stages" in body
    assert ">Change<" not in body
    assert 'id="submit-form"' not in body
    assert client.post(check_url(project), {"comment": ""}).status_code == 403
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT


def test_a_manager_submits_from_the_check_page(client, cast):
    project = build_ready(cast)
    complete_content(cast, project)
    login(client, cast.lead_manager)
    response = client.post(check_url(project), {"comment": "Ready."})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:project", args=[project.pk])
    project.refresh_from_db()
    assert project.state == ProjectState.SUBMITTED


def test_a_failed_submit_lists_every_unmet_condition(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    response = client.post(check_url(project), {"comment": "Can it go?"})
    assert response.status_code == 422
    assert error_codes(response) == [
        "min_partners",
        "min_countries",
        "mandate_missing",
        "budget_empty",
    ]
    body = response.content.decode()
    assert 'href="#eligibility-min_partners"' in body  # each leads to its line in the panel
    assert "Can it go?" in body  # the comment is kept
    assert re.search(r'id="error-summary"[^>]*\bautofocus\b', body)  # focused on load
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(project, n):
    countries = ["DE", "IT", "PL", "ES", "PT", "NL"]
    for i in range(n):
        centre = CentreFactory(country=countries[i % len(countries)])
        partnership = PartnershipFactory(
            project=project, centre=centre, mandate_signed_at=timezone.now() if i % 2 else None
        )
        BudgetLineFactory(partnership=partnership)
        BudgetLineFactory(partnership=partnership, category="travel")
        PartnershipFactory(project=project, centre=CentreFactory(), state="invited")


@pytest.mark.parametrize("page", ["tasks", "check", "panel"])
def test_the_editor_runs_a_fixed_number_of_queries(client, cast, page, record_property):
    project = build_ready(cast)
    complete_content(cast, project)
    url = {"tasks": tasks_url, "check": check_url, "panel": panel_url}[page](project)
    login(client, cast.lead_manager)
    grow(project, 1)
    small = count_queries(client, url)
    grow(project, 11)
    large = count_queries(client, url)
    assert project.partnerships.count() >= 27
    record_property("queries", (small, large))
    print(f"editor {page}: {small} queries small, {large} large")
    assert small == large
    assert large <= 12


def test_the_start_page_runs_a_fixed_number_of_queries(client, cast):
    login(client, cast.lead_manager)
    CallTierFactory(call=CallFactory())
    small = count_queries(client, START_URL)
    for _ in range(5):
        CallTierFactory(call=CallFactory())
        MembershipFactory(user=cast.lead_manager, centre=CentreFactory())
    large = count_queries(client, START_URL)
    assert small == large
