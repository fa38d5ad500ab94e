"""The workspace (/workspace/): pages, permissions, every refusal's mapping, query counts."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import JointProject, Partnership, Payment, PaymentKind
from tests.factories import MembershipFactory, UserFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import add_partner, advance, build_draft, build_ready, review
from workflow import services
from workflow.conditions import failures
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def project_url(project):
    return reverse("workspace:project", args=[project.pk])


def transition_url(project, name):
    return reverse("workspace:project_transition", args=[project.pk, name])


def partnership_url(partnership, name):
    return reverse("workspace:partnership_transition", args=[partnership.pk, name])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def login(client, user):
    # Coordinators must have passed two-factor authentication; for others it changes nothing.
    verified_login(client, user)
    return client


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


# --- Login ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/",
        "/workspace/projects/1/",
    ],
)
def test_every_page_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/projects/1/transitions/submit/",
        "/workspace/partnerships/1/transitions/accept/",
        "/workspace/partnerships/1/mandate/",
        "/workspace/partnerships/1/agreement/",
    ],
)
def test_every_action_requires_login_and_post(client, cast, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    login(client, cast.lead_manager)
    assert client.get(url).status_code == 405


def test_a_missing_project_is_a_plain_404_not_a_redirect_to_a_language(client, cast):
    login(client, cast.lead_manager)
    response = client.get("/workspace/projects/999999/")
    assert response.status_code == 404


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_my_centres_projects_with_labelled_states(client, cast):
    mine = build_ready(cast)
    advance(cast, mine, ProjectState.SUBMITTED)
    draft = build_draft(cast)
    # A public project of centres the lead does not work with is not "my project".
    other_call_project = build_other_centres_project(cast)

    response = login(client, cast.lead_manager).get("/workspace/")
    assert response.status_code == 200
    page = text(response)
    assert "My projects" in page
    assert "Shared Stages (SHS)" in page
    assert cast.call.title in page
    assert "Maison de la culture de Lyon" in page
    # The state is written out, with a label for screen readers, not shown by colour alone.
    assert "State: Submitted" in page
    assert "State: Draft" in page
    assert f'href="{project_url(draft)}"' in response.content.decode()
    assert f'href="{project_url(other_call_project)}"' not in response.content.decode()
    # Grouped by state: drafts before submitted proposals.
    assert page.index("Draft (1)") < page.index("Submitted (1)")


def build_other_centres_project(cast):
    """An open-for-partners proposal led by the "other" centre (public: it seeks partners)."""
    from projects.services import project_create

    project = project_create(
        actor=cast.other_manager,
        call=cast.call,
        lead_centre=cast.other_centre,
        title="Graz Sounds",
        acronym="GRZ",
        summary="A festival.",
    )
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.other_manager
    )
    return project


def test_home_filters_by_state(client, cast):
    submitted = build_ready(cast)
    advance(cast, submitted, ProjectState.SUBMITTED)
    draft = build_draft(cast)
    login(client, cast.lead_manager)

    body = client.get("/workspace/?state=draft").content.decode()
    assert f'href="{project_url(draft)}"' in body
    assert f'href="{project_url(submitted)}"' not in body
    assert '<option value="draft" selected>Draft (1)</option>' in body

    body = client.get("/workspace/?state=nonsense").content.decode()
    assert f'href="{project_url(draft)}"' in body
    assert f'href="{project_url(submitted)}"' in body

    page = text(client.get("/workspace/?state=rejected"))
    assert "No project is in the state “Rejected”." in page


def test_waiting_for_you_lists_invitations_to_my_centres_for_managers_only(client, cast):
    project = build_draft(cast)
    invite(cast, project, cast.other_centre)
    staff = UserFactory(username="other-staff")
    MembershipFactory(centre=cast.other_centre, user=staff, role="staff")

    response = login(client, cast.other_manager).get("/workspace/")
    page = text(response)
    assert "Invitations to your centres" in page
    assert "Maison de la culture de Lyon invites Kulturhaus Graz." in page
    partnership = project.partnerships.get(centre=cast.other_centre)
    body = response.content.decode()
    assert f'action="{partnership_url(partnership, "accept")}"' in body
    assert f'action="{partnership_url(partnership, "decline")}"' in body
    assert "Accept the invitation" in page and "Decline the invitation" in page
    # The invited project is also among the manager's projects (any partnership state).
    assert f'href="{project_url(project)}"' in body

    page = text(login(client, staff).get("/workspace/"))
    assert "Invitations to your centres" not in page
    assert "Nothing is waiting for an answer from you." in page


def test_waiting_for_you_lists_requests_to_join_my_led_projects(client, cast):
    project = open_for_partners(cast, build_draft(cast))
    services.partnership_request(
        project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
    )
    response = login(client, cast.lead_manager).get("/workspace/")
    page = text(response)
    assert "Requests to join your projects" in page
    assert "Kulturhaus Graz asks to join." in page
    request = project.partnerships.get(centre=cast.other_centre)
    assert f'action="{partnership_url(request, "accept")}"' in response.content.decode()
    assert "Accept the request" in page and "Refuse the request" in page


def test_accepting_from_the_home_page_comes_back_to_it(client, cast):
    project = build_draft(cast)
    partnership = invite(cast, project, cast.other_centre)
    response = login(client, cast.other_manager).post(
        partnership_url(partnership, "accept"), {"next": "/workspace/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    partnership.refresh_from_db()
    assert partnership.state == PartnershipState.CONFIRMED


def test_next_never_leaves_the_workspace(client, cast):
    project = build_draft(cast)
    partnership = invite(cast, project, cast.other_centre)
    response = login(client, cast.other_manager).post(
        partnership_url(partnership, "decline"), {"next": "https://evil.example/workspace/"}
    )
    assert response["Location"] == project_url(project)


def test_reviewers_see_their_review_queue(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    assigned = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )

    response = login(client, cast.reviewer).get("/workspace/")
    page = text(response)
    assert "My reviews" in page
    assert "Shared Stages (SHS)" in page
    assert "State: Assigned" in page
    # Each row opens the reviewer's own page of the review (scores, conflict declaration).
    assert f'href="{reverse("workspace:review", args=[assigned.pk])}"' in response.content.decode()
    assert 'href="/workspace/reviews/"' in response.content.decode()
    assert login(client, cast.reviewer).get(project_url(project)).status_code == 200

    page = text(login(client, cast.reviewer2).get("/workspace/"))
    assert "No proposal is assigned to you for review." in page


def test_coordinators_get_the_admin_and_every_submitted_proposal(client, cast):
    submitted = build_ready(cast)
    advance(cast, submitted, ProjectState.SUBMITTED)
    draft = build_draft(cast)

    response = login(client, cast.coordinator).get("/workspace/")
    body = response.content.decode()
    assert 'href="/admin/"' in body
    assert 'href="/workspace/?scope=all&amp;state=submitted"' in body

    body = client.get("/workspace/?scope=all&state=submitted").content.decode()
    assert "All projects" in body
    assert f'href="{project_url(submitted)}"' in body
    assert f'href="{project_url(draft)}"' not in body

    # Others cannot widen the scope.
    body = login(client, cast.other_manager).get("/workspace/?scope=all").content.decode()
    assert f'href="{project_url(submitted)}"' not in body
    assert 'href="/admin/"' not in body


def test_a_user_without_a_centre_is_told_what_to_do(client, cast):
    response = login(client, UserFactory(username="newcomer")).get("/workspace/")
    assert response.status_code == 200
    assert "You are not a member of any centre." in text(response)
    page = text(login(client, cast.coordinator).get("/workspace/"))
    assert "You work for no centre: see all submitted proposals" in page


# --- Project page --------------------------------------------------------------------------


def test_project_page_shows_tracker_figures_partners_payments_and_timeline(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.IN_PROGRESS)
    response = login(client, cast.lead_manager).get(project_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    page = text(response)

    # The tracker: the current step is marked for assistive technology and in words.
    current = re.findall(r'<li class="step [^"]*" aria-current="step">(.*?)</li>', body, re.S)
    assert len(current) == 1
    assert "In progress" in current[0] and "Current step" in current[0]
    assert page.index("Draft") < page.index("Open for partners") < page.index("Completed")

    # Key figures: 3 partners × 10,000 EUR, 3 × 8,000 EUR requested.
    assert "Total cost 30,000.00 EUR" in page
    assert "Requested grant 24,000.00 EUR" in page
    assert "Co-financing rate 80.0 %" in page
    assert "Awarded grant 20,000.00 EUR" in page
    assert "Belgium, Croatia, France" in page

    # Partners: centre, country, role, state, mandate, agreement.
    assert "Centre culturel de Liège Belgium Partner State: Confirmed Signed" in page
    assert body.count('<span class="yes">Accepted</span>') == 3

    # Payments: the pre-financing scheduled when the project started (60 % of 20,000).
    assert "Pre-financing 12,000.00" in page
    assert "Not yet" in page

    # Timeline: when, who, what.
    assert "Proposal submitted (Draft → Submitted)" in page
    assert "Kulturni centar Zagreb: Joined (Invited → Confirmed)" in page
    assert '<time datetime="' in body


@pytest.mark.parametrize(
    ("name", "comment", "label", "status_text"),
    [
        ("reject", "Out of scope.", "Rejected", "Ended here"),
        ("request_changes", "Add a partner.", "Changes requested", "Current step"),
    ],
)
def test_the_tracker_shows_side_states_after_the_step_reached(
    client, cast, name, comment, label, status_text
):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    services.project_transition(
        project_id=project.pk, name=name, actor=cast.coordinator, comment=comment
    )
    response = login(client, cast.lead_manager).get(project_url(project))
    body = response.content.decode()
    steps = re.findall(r'<li class="step step-(\w+)"( aria-current="step")?>(.*?)</li>', body, re.S)
    labels = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s[2])).strip() for s in steps]
    current = [labels[i] for i, step in enumerate(steps) if step[1]]
    assert current == [f"{label} {status_text}"]
    # Placed right after the step it left the main path from.
    assert labels.index(f"{label} {status_text}") == labels.index("Under review Done") + 1
    assert comment in text(response)


def test_a_proposal_submitted_from_its_draft_never_opened_for_partners(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    page = text(login(client, cast.lead_manager).get(project_url(project)))
    assert "Draft Done Open for partners Not reached Submitted Current step" in page


def test_a_proposal_that_opened_for_partners_shows_the_step_done(client, cast):
    project = open_for_partners(cast, build_draft(cast))
    services.project_transition(project_id=project.pk, name="withdraw", actor=cast.lead_manager)
    page = text(login(client, cast.lead_manager).get(project_url(project)))
    assert "Draft Done Open for partners Done Withdrawn Ended here" in page


def test_a_withdrawn_draft_shows_that_it_ended(client, cast):
    project = build_draft(cast)
    services.project_transition(project_id=project.pk, name="withdraw", actor=cast.lead_manager)
    page = text(login(client, cast.lead_manager).get(project_url(project)))
    assert "Draft Done Withdrawn Ended here Open for partners Not reached" in page
    assert "The proposal was withdrawn." in page
    assert "There is nothing for you to do on this project now." in page


def test_project_page_is_404_for_who_may_not_see_it(client, cast):
    draft = build_draft(cast)
    assert login(client, cast.other_manager).get(project_url(draft)).status_code == 404
    assert login(client, cast.reviewer).get(project_url(draft)).status_code == 404
    assert client.get("/workspace/projects/999999/").status_code == 404
    # A public (funded or partner-seeking) project is visible, with nothing to do.
    open_for_partners(cast, draft)
    response = login(client, cast.other_manager).get(project_url(draft))
    assert response.status_code == 200
    assert "There is nothing for you to do on this project now." in text(response)


def test_actions_offered_follow_the_users_role(client, cast):
    project = build_ready(cast)
    body = login(client, cast.lead_manager).get(project_url(project)).content.decode()
    assert f'action="{transition_url(project, "submit")}"' in body
    assert f'action="{transition_url(project, "withdraw")}"' in body
    # The lead can take an invitation back but never leaves its own project.
    lead = project.partnerships.get(role="lead")
    assert f'action="{partnership_url(lead, "withdraw")}"' not in body

    body = login(client, cast.lead_staff).get(project_url(project)).content.decode()
    assert f'action="{transition_url(project, "open_partner_search")}"' in body
    assert f'action="{transition_url(project, "submit")}"' not in body

    advance(cast, project, ProjectState.UNDER_REVIEW)
    body = login(client, cast.coordinator).get(project_url(project)).content.decode()
    for name in ("approve", "reject", "request_changes"):
        assert f'action="{transition_url(project, name)}"' in body
    assert '<label for="approve-awarded_amount">Awarded grant (EUR)</label>' in body
    assert '<label for="reject-comment">Reason (required)</label>' in body
    assert '<label for="approve-override_reason">' in body


def test_mandate_and_agreement_forms_appear_for_the_centres_managers(client, cast):
    project = build_draft(cast)
    partnership = invite(cast, project, cast.other_centre)
    body = login(client, cast.other_manager).get(project_url(project)).content.decode()
    assert f'action="{reverse("workspace:partnership_mandate", args=[partnership.pk])}"' in body
    assert '<label for="mandate-' in body
    assert "/agreement/" not in body  # not before the project is approved

    project = build_ready(cast)
    advance(cast, project, ProjectState.APPROVED)
    mine = project.partnerships.get(centre=cast.partner_centre)
    body = login(client, cast.partner_manager).get(project_url(project)).content.decode()
    assert f'action="{reverse("workspace:partnership_agreement", args=[mine.pk])}"' in body
    assert "mandate/" not in body  # signed, and the proposal is no longer editable


# --- Project transitions and their refusals -------------------------------------------------


def test_submit_moves_the_proposal_and_says_so(client, cast):
    project = build_ready(cast)
    response = login(client, cast.lead_manager).post(
        transition_url(project, "submit"), {"comment": "Ready for review."}
    )
    assert response.status_code == 302
    assert response["Location"] == project_url(project)
    assert messages_of(response) == ["Done: Submit the proposal."]
    project.refresh_from_db()
    assert project.state == ProjectState.SUBMITTED
    page = text(client.get(project_url(project)))
    assert "Proposal submitted (Draft → Submitted)" in page
    assert "Ready for review." in page


def test_not_permitted_is_a_403_page(client, cast):
    project = build_ready(cast)
    for user in (cast.lead_staff, cast.partner_manager):
        response = login(client, user).post(transition_url(project, "submit"))
        assert response.status_code == 403
        assert "You may not do this" in text(response)
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT


def test_not_visible_and_unknown_are_404(client, cast):
    project = build_ready(cast)
    assert (
        login(client, cast.other_manager).post(transition_url(project, "submit")).status_code == 404
    )
    login(client, cast.lead_manager)
    assert client.post("/workspace/projects/999999/transitions/submit/").status_code == 404
    assert client.post(transition_url(project, "fly_away")).status_code == 404
    # A user who may not see the project learns nothing from malformed input either.
    response = login(client, cast.other_manager).post(
        transition_url(project, "approve"), {"awarded_amount": "lots"}
    )
    assert response.status_code == 404


def test_wrong_state_goes_back_with_a_message(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    response = login(client, cast.lead_manager).post(transition_url(project, "submit"))
    assert response.status_code == 302
    assert response["Location"] == project_url(project)
    (message,) = messages_of(response)
    assert message.startswith("This was no longer possible: ")
    # Shown once, on the project page the person is sent back to.
    assert "This was no longer possible: " in text(client.get(project_url(project)))
    assert "This was no longer possible" not in text(client.get(project_url(project)))


def test_failed_conditions_rerender_the_page_with_every_failure(client, cast):
    project = build_draft(cast)
    expected = failures("project", "submit", JointProject.objects.get(pk=project.pk))
    assert len(expected) >= 4

    response = login(client, cast.lead_manager).post(
        transition_url(project, "submit"), {"comment": "Please look at it."}
    )
    assert response.status_code == 422
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', body, re.S)
    assert summary, "an error summary with role=alert"
    assert body.index("error-summary") < body.index("<h1")  # at the top
    codes = re.findall(r'data-code="([a-z_]+)"', summary.group(1))
    assert codes == [f.code for f in expected]
    for failure in expected:
        assert str(failure.message) in html.unescape(summary.group(1))
    # The person's input is kept in the form they used.
    assert '<textarea name="comment" id="submit-comment"' in body
    assert ">Please look at it.</textarea>" in body
    assert "<title>Error:" in body
    project.refresh_from_db()
    assert project.state == ProjectState.DRAFT


def test_required_comments_are_conditions(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    login(client, cast.coordinator)
    response = client.post(transition_url(project, "reject"), {"comment": "   "})
    assert response.status_code == 422
    assert 'data-code="comment_required"' in response.content.decode()

    response = client.post(transition_url(project, "reject"), {"comment": "Out of scope."})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == ProjectState.REJECTED


def approvable(cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer)
    review(cast, project, cast.reviewer2)
    return project


@pytest.mark.parametrize(
    "amount", ["20,000", "lots", "NaN", "Infinity", "1e5", "12.345", "9999999999999", "--5"]
)
def test_malformed_amounts_are_refused_with_a_message_never_a_500(client, cast, amount):
    project = approvable(cast)
    response = login(client, cast.coordinator).post(
        transition_url(project, "approve"), {"awarded_amount": amount, "override_reason": "Why"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "Write the amount in euros with digits only" in body
    assert f'value="{amount}"' in body  # kept
    assert '<a href="#approve-awarded_amount">' in body
    assert 'aria-invalid="true"' in body
    assert ">Why</textarea>" in body
    project.refresh_from_db()
    assert project.state == ProjectState.UNDER_REVIEW


def test_approve_reads_amounts_as_people_write_them(client, cast):
    project = approvable(cast)
    response = login(client, cast.coordinator).post(
        transition_url(project, "approve"), {"awarded_amount": " 20 000,50 "}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == ProjectState.APPROVED
    assert project.awarded_amount == Decimal("20000.50")


def test_approve_conditions_list_every_failure(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)  # no review yet
    response = login(client, cast.coordinator).post(
        transition_url(project, "approve"), {"awarded_amount": "999999"}
    )
    assert response.status_code == 422
    codes = re.findall(r'data-code="([a-z_]+)"', response.content.decode())
    assert codes[:2] == ["min_reviews", "awarded_amount"]
    assert 'value="999999"' in response.content.decode()


def test_request_changes_takes_a_resubmission_date(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    login(client, cast.coordinator)
    response = client.post(
        transition_url(project, "request_changes"),
        {"comment": "Add a partner.", "resubmission_date": "31/12/2030"},
    )
    assert response.status_code == 400
    assert "Write the date as year-month-day" in response.content.decode()

    response = client.post(
        transition_url(project, "request_changes"),
        {"comment": "Add a partner.", "resubmission_date": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "The date must be in the future." in response.content.decode()

    day = timezone.localdate() + timedelta(days=40)
    response = client.post(
        transition_url(project, "request_changes"),
        {"comment": "Add a partner.", "resubmission_date": day.isoformat()},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == ProjectState.CHANGES_REQUESTED
    assert timezone.localtime(project.resubmission_date).date() == day


def test_overlong_comments_are_refused(client, cast):
    project = build_ready(cast)
    response = login(client, cast.lead_manager).post(
        transition_url(project, "withdraw"), {"comment": "x" * 5001}
    )
    assert response.status_code == 400
    assert "The comment is too long" in response.content.decode()


# --- Partnership transitions, mandate, agreement ----------------------------------------------


def test_accept_an_invitation(client, cast):
    project = build_draft(cast)
    partnership = invite(cast, project, cast.other_centre)
    response = login(client, cast.other_manager).post(partnership_url(partnership, "accept"))
    assert response.status_code == 302
    assert response["Location"] == project_url(project)
    assert messages_of(response) == ["Done: Accept the invitation."]
    partnership.refresh_from_db()
    assert partnership.state == PartnershipState.CONFIRMED


def test_partnership_refusals(client, cast):
    project = build_draft(cast)
    partnership = invite(cast, project, cast.other_centre)

    # Not visible: a centre with no part in the proposal; no such partnership; unknown name.
    assert (
        login(client, cast.partner_manager).post(partnership_url(partnership, "accept")).status_code
        == 404
    )
    login(client, cast.other_manager)
    assert client.post("/workspace/partnerships/999999/transitions/accept/").status_code == 404
    assert client.post(partnership_url(partnership, "fly_away")).status_code == 404

    # Not permitted: staff of the invited centre may see the proposal but not commit the centre.
    staff = UserFactory(username="other-staff")
    MembershipFactory(centre=cast.other_centre, user=staff, role="staff")
    response = login(client, staff).post(partnership_url(partnership, "accept"))
    assert response.status_code == 403
    assert "You may not do this" in text(response)

    # Wrong state: answering twice.
    login(client, cast.other_manager).post(partnership_url(partnership, "accept"))
    response = client.post(partnership_url(partnership, "accept"))
    assert response.status_code == 302
    assert messages_of(response)[-1].startswith("This was no longer possible: ")

    # Conditions: the lead never leaves its own project.
    lead = project.partnerships.get(role="lead")
    response = login(client, cast.lead_manager).post(partnership_url(lead, "withdraw"))
    assert response.status_code == 422
    assert 'data-code="lead_cannot_leave"' in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_partners_cannot_change_once_submitted(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.SUBMITTED)
    partner = project.partnerships.get(centre=cast.partner_centre)
    response = login(client, cast.partner_manager).post(partnership_url(partner, "withdraw"))
    assert response.status_code == 422
    assert 'data-code="project_locked"' in response.content.decode()
    body = client.get(project_url(project)).content.decode()
    assert f'action="{partnership_url(partner, "withdraw")}"' not in body


def test_sign_the_mandate(client, cast):
    project = build_draft(cast)
    lead = project.partnerships.get(role="lead")
    url = reverse("workspace:partnership_mandate", args=[lead.pk])

    login(client, cast.lead_manager)
    response = client.post(url)  # the declaration is not ticked
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick the declaration to sign the mandate" in body
    assert f'<a href="#mandate-{lead.pk}-declaration">' in body

    response = client.post(url, {"declaration": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == ["The mandate is signed."]
    lead.refresh_from_db()
    assert lead.mandate_signed_by == cast.lead_manager
    assert "Mandate signed" in text(client.get(project_url(project)))


def test_mandate_refusals(client, cast):
    project = build_draft(cast)
    lead = project.partnerships.get(role="lead")
    url = reverse("workspace:partnership_mandate", args=[lead.pk])
    assert login(client, cast.other_manager).post(url, {"declaration": "yes"}).status_code == 404
    assert login(client, cast.other_manager).post(url).status_code == 404
    assert login(client, cast.lead_staff).post(url, {"declaration": "yes"}).status_code == 403
    assert (
        login(client, cast.lead_manager)
        .post("/workspace/partnerships/999999/mandate/", {"declaration": "yes"})
        .status_code
        == 404
    )

    ready = build_ready(cast)
    advance(cast, ready, ProjectState.SUBMITTED)
    lead = ready.partnerships.get(role="lead")
    response = client.post(
        reverse("workspace:partnership_mandate", args=[lead.pk]), {"declaration": "yes"}
    )
    assert response.status_code == 302
    assert messages_of(response)[-1].startswith("This was no longer possible: ")


def test_accept_the_grant_agreement(client, cast):
    project = build_ready(cast)
    partner = project.partnerships.get(centre=cast.partner_centre)
    url = reverse("workspace:partnership_agreement", args=[partner.pk])
    login(client, cast.partner_manager)

    # Before approval: not possible yet.
    response = client.post(url, {"accept": "yes"})
    assert response.status_code == 302
    assert messages_of(response)[-1].startswith("This was no longer possible: ")

    advance(cast, project, ProjectState.APPROVED)
    response = client.post(url)
    assert response.status_code == 400
    assert "Tick the box to accept the grant agreement" in response.content.decode()

    assert login(client, cast.lead_manager).post(url, {"accept": "yes"}).status_code == 403
    assert login(client, cast.other_manager).post(url, {"accept": "yes"}).status_code == 403
    assert client.post("/workspace/partnerships/999999/agreement/").status_code == 404

    response = login(client, cast.partner_manager).post(url, {"accept": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == ["The grant agreement is accepted."]
    partner.refresh_from_db()
    assert partner.agreement_accepted_by == cast.partner_manager


def test_reviewers_stay_anonymous_to_the_centres(client, cast):
    project = build_ready(cast)
    advance(cast, project, ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer)
    page = text(login(client, cast.lead_manager).get(project_url(project)))
    assert "Review submitted" not in page
    assert cast.reviewer.get_full_name() not in page
    page = text(login(client, cast.reviewer).get(project_url(project)))
    assert "Review submitted" in page
    page = text(login(client, cast.coordinator).get(project_url(project)))
    assert "Reviewer assigned" in page


# --- A fixed number of queries whatever the data size -----------------------------------------


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow_home_data(cast, n):
    """n more projects for the lead (ready, some submitted, some seeking partners, each with a
    request to join and an invitation), and a review for the reviewer on each submitted one."""
    for i in range(n):
        project = build_ready(cast)
        if i % 2:
            advance(cast, project, ProjectState.SUBMITTED)
            services.review_assign(
                project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
            )
        else:
            open_for_partners(cast, project)
            services.partnership_request(
                project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.other_manager
            )
            other = build_draft(cast)
            invite(cast, other, cast.partner_centre)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("lead_manager", "/workspace/"),
        ("partner_manager", "/workspace/"),
        ("reviewer", "/workspace/"),
        ("coordinator", "/workspace/?scope=all"),
    ],
)
def test_home_runs_a_fixed_number_of_queries(client, cast, who, url, record_property):
    login(client, getattr(cast, who))
    grow_home_data(cast, 2)
    small = count_queries(client, url)
    grow_home_data(cast, 6)
    large = count_queries(client, url)
    record_property("queries", (small, large))
    print(f"home as {who}: {small} queries with 2 projects' worth, {large} with 8")
    assert small == large
    assert large <= 16


def grow_project(cast, project, partners, payments):
    from tests.factories import CentreFactory

    for i in range(partners):
        centre = CentreFactory(name=f"Centre {project.pk}-{i}", country=["DE", "IT", "PL"][i % 3])
        manager = UserFactory(username=f"manager-{project.pk}-{i}")
        MembershipFactory(centre=centre, user=manager, role="manager")
        add_partner(cast, project, centre, manager)
        invite(cast, project, CentreFactory(name=f"Invited {project.pk}-{i}"))
    for _i in range(payments):
        Payment.objects.create(
            project=project,
            kind=PaymentKind.RECOVERY,
            amount=Decimal("10.00"),
            due_date=timezone.localdate(),
        )


@pytest.mark.parametrize("who", ["lead_manager", "partner_manager", "coordinator"])
def test_project_page_runs_a_fixed_number_of_queries(client, cast, who, record_property):
    project = build_ready(cast)
    url = project_url(project)
    login(client, getattr(cast, who))
    grow_project(cast, project, partners=1, payments=1)
    small = count_queries(client, url)
    grow_project(cast, project, partners=6, payments=5)
    large = count_queries(client, url)
    assert Partnership.objects.filter(project=project).count() >= 15
    record_property("queries", (small, large))
    print(f"project page as {who}: {small} queries small, {large} large")
    assert small == large
    assert large <= 16
