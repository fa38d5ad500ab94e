"""The calls in the coordinators' admin: the listing, the call's page, and duplicating a call."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.admin.calls import CallDuplicateView, CallIndexView, CallInspectView
from projects.call_selectors import CALL_TIME_ZONE
from projects.models import Call
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    CallTierFactory,
    JointProjectFactory,
    MembershipFactory,
    NetworkFactory,
    PartnershipFactory,
    UserFactory,
    coordinator,
    grant_permissions,
)
from tests.factories.auth import verified_login
from workflow.states import PartnershipState, ProjectState

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client):
    verified_login(client, coordinator(username="coordinator"))
    return client


@pytest.fixture
def new_york_client(client):
    """A coordinator whose own admin time zone is not Brussels: calls' dates stay in Brussels
    time for them too (Wagtail shows the admin in each user's time zone)."""
    from wagtail.users.models import UserProfile

    user = coordinator(username="coordinator")
    profile = UserProfile.get_for_user(user)
    profile.current_time_zone = "America/New_York"
    profile.save()
    verified_login(client, user)
    return client


def brussels(*args):
    return datetime(*args, tzinfo=CALL_TIME_ZONE)


def project(call, state, *, awarded=None, final=None, budget=()):
    """A project of `call` in `state`; `budget` is (lines, own contribution) per confirmed
    partner, the lead's first."""
    made = JointProjectFactory(call=call, state=state, awarded_amount=awarded, final_grant=final)
    partnerships = [made.partnerships.get()]
    for _ in budget[1:]:
        partnerships.append(PartnershipFactory(project=made))
    for partnership, (lines, own) in zip(partnerships, budget, strict=False):
        partnership.own_contribution = Decimal(own)
        partnership.save()
        for amount in lines:
            BudgetLineFactory(partnership=partnership, amount=Decimal(amount))
    return made


@pytest.fixture
def example():
    """A call with a proposal in most states, worked out by hand:

    committed = 20,000 (approved) + 15,000 (in progress) + 10,000 (completed: its award)
                + 4,000 (terminated: its final grant) = 49,000 of 100,000 → 51,000 available;
    requested under review = 10,000 + 8,000 (first) + 0 + 3,000 (second: the lead's own
                contribution exceeds its costs; an invited partner does not count) = 21,000.
    """
    call = CallFactory(
        title="Joint Projects 2027",
        budget=Decimal("100000.00"),
        max_grant=Decimal("40000.00"),
        opens_at=timezone.now() - timedelta(days=20),
        deadline=timezone.now() + timedelta(days=10),
    )
    CallTierFactory(call=call, name="Small", max_grant=Decimal("15000.00"))
    AwardCriterionFactory(call=call, name="Quality", max_score=10, threshold=6, weight=2)
    AwardCriterionFactory(call=call, name="Reach", max_score=5, threshold=2, weight=1)
    call.questions = [
        {"type": "date", "value": {"label": "Opening night", "help_text": "", "required": True}},
        {"type": "file", "value": {"label": "Letter", "help_text": "", "required": False}},
        {"type": "date", "value": {"label": "Closing night", "help_text": "", "required": True}},
    ]
    call.save()
    project(call, ProjectState.DRAFT)
    project(call, ProjectState.SUBMITTED, budget=[(["50000"], "0")])
    project(
        call,
        ProjectState.UNDER_REVIEW,
        budget=[(["10000", "2500"], "2500"), (["8000"], "0")],
    )
    second = project(
        call, ProjectState.UNDER_REVIEW, budget=[(["5000"], "6000"), (["4000"], "1000")]
    )
    invited = PartnershipFactory(project=second, state=PartnershipState.INVITED)
    BudgetLineFactory(partnership=invited, amount=Decimal("50000"))
    project(call, ProjectState.APPROVED, awarded=Decimal("20000"))
    project(call, ProjectState.IN_PROGRESS, awarded=Decimal("15000"))
    project(call, ProjectState.COMPLETED, awarded=Decimal("10000"), final=Decimal("8000"))
    project(call, ProjectState.TERMINATED, awarded=Decimal("12000"), final=Decimal("4000"))
    project(call, ProjectState.REJECTED)
    project(call, ProjectState.WITHDRAWN)
    # Another call's award is not this call's.
    project(
        CallFactory(title="Staff mobility 2027"), ProjectState.APPROVED, awarded=Decimal("99999")
    )
    return call


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The call's page ----------------------------------------------------------------------------


def test_the_call_page_shows_the_figures_of_the_hand_made_example(coordinator_client, example):
    response = coordinator_client.get(reverse("call:inspect", args=[example.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.committed == Decimal("49000.00")
    assert overview.available == Decimal("51000.00")
    assert overview.requested_under_review == Decimal("21000.00")
    assert overview.proposals == 10
    assert {row.state: row.count for row in overview.by_state} == {
        "draft": 1,
        "submitted": 1,
        "under_review": 2,
        "approved": 1,
        "in_progress": 1,
        "completed": 1,
        "terminated": 1,
        "rejected": 1,
        "withdrawn": 1,
    }
    content = response.content.decode()
    text = text_of(content)
    assert "100,000.00 EUR" in text  # the budget
    assert "49,000.00 EUR" in text and "51,000.00 EUR" in text and "21,000.00 EUR" in text
    assert "49.0 % of the budget committed" in text
    assert 'max="100000.00" value="49000.00"' in content
    # Each state links to the proposals' listing filtered by the call and that state.
    index = reverse("jointproject:index")
    assert f'href="{index}?call={example.pk}&amp;state=under_review"' in content
    assert f'href="{index}?call={example.pk}&amp;state=terminated"' in content
    assert f'href="{index}?call={example.pk}"' in content
    assert reverse("jointproject:ranking", args=[example.pk]) in content
    assert reverse("jointproject:bulk_assign", args=[example.pk]) in content
    # The rules: tiers, criteria with thresholds and weights, the questions' count.
    assert "Small" in text and "15,000.00 EUR" in text
    assert re.search(r"Quality 10 6 2[.,]00", text)
    assert re.search(r"Reach 5 2 1[.,]00", text)
    assert "3 questions of the call's own" in text
    assert "closes in 10 days" in text
    assert reverse("call:duplicate", args=[example.pk]) in content


def test_the_call_page_shows_the_dates_in_brussels_time(new_york_client):
    client = new_york_client
    call = CallFactory(opens_at=brussels(2030, 1, 15, 9, 0), deadline=brussels(2030, 3, 31, 17, 0))
    response = client.get(reverse("call:inspect", args=[call.pk]))
    deadline = re.search(r"data-call-deadline>([^<]+)<", response.content.decode()).group(1)
    assert "5 p.m." in deadline or "17:00" in deadline, deadline
    assert "opens in" in text_of(response.content.decode())


@pytest.mark.parametrize(
    ("opens", "closes", "note", "status"),
    [
        (-30, -1, "closed", "Closed"),
        (-30, 0, "closes today", "Open"),
        (-30, 1, "closes in 1 day", "Open"),
        (5, 30, "opens in 5 days", "Upcoming"),
    ],
)
def test_the_call_page_says_when_the_call_closes(coordinator_client, opens, closes, note, status):
    now = timezone.now().astimezone(CALL_TIME_ZONE)
    # Calendar days in Brussels: the hours are placed where "today" cannot be ambiguous.
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    call = CallFactory(
        opens_at=noon + timedelta(days=opens),
        deadline=(noon + timedelta(days=closes)).replace(hour=23, minute=59),
    )
    if closes == 0 and now.hour == 23 and now.minute == 59:
        pytest.skip("the deadline passes during the test")
    content = coordinator_client.get(reverse("call:inspect", args=[call.pk])).content.decode()
    schedule = re.search(r"data-call-schedule>([^<]+)<", content).group(1)
    assert schedule == note
    assert status in re.search(r"data-call-status[^>]*>([^<]+)<", content).group(1)


def test_an_empty_call_page_has_no_figures_yet(coordinator_client):
    call = CallFactory(budget=Decimal("0.00"))
    response = coordinator_client.get(reverse("call:inspect", args=[call.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "No proposal has been started for this call yet." in content
    assert "<meter" not in content  # no budget, no bar


def test_an_overcommitted_call_says_so(coordinator_client):
    call = CallFactory(budget=Decimal("10000.00"))
    project(call, ProjectState.APPROVED, awarded=Decimal("12000"))
    content = coordinator_client.get(reverse("call:inspect", args=[call.pk])).content.decode()
    assert "More than the call's budget is committed." in content
    assert "-2,000.00 EUR" in content
    assert 'max="10000.00" value="10000.00"' in content


def test_an_unknown_call_page_is_not_found(coordinator_client):
    assert coordinator_client.get(reverse("call:inspect", args=[987654])).status_code == 404


# --- The listing --------------------------------------------------------------------------------


def test_the_listing_shows_each_call_figures(coordinator_client, example):
    response = coordinator_client.get(reverse("call:index"))
    assert response.status_code == 200
    figures = {
        call.title: (call.proposal_count, call.committed)
        for call in response.context["object_list"]
    }
    assert figures == {
        "Joint Projects 2027": (10, Decimal("49000.00")),
        "Staff mobility 2027": (1, Decimal("99999.00")),
    }
    content = response.content.decode()
    assert "49,000.00 EUR" in content and "100,000.00 EUR" in content
    assert f'href="{reverse("jointproject:index")}?call={example.pk}"' in content
    # The title opens the call's page; the row's menu has its other views.
    title_link = re.search(
        r'<div class="title-wrapper">\s*<a href="([^"]+)">\s*Joint Projects 2027', content
    ).group(1)
    assert title_link == reverse("call:inspect", args=[example.pk])
    assert reverse("call:edit", args=[example.pk]) in content
    assert reverse("jointproject:ranking", args=[example.pk]) in content
    assert reverse("call:duplicate", args=[example.pk]) in content
    assert "Duplicate as next year&#x27;s" in content or "Duplicate as next year's" in content
    # Wagtail's own copy view is off: it copied neither tiers nor criteria.
    assert "/copy/" not in content


def test_the_listing_filters_by_status_network_and_kind_and_searches(coordinator_client):
    now = timezone.now()
    network = NetworkFactory(name="Réseau des Maisons")
    CallFactory(title="Upcoming call", opens_at=now + timedelta(days=3), network=network)
    CallFactory(title="Open call", kind="mobility")
    CallFactory(
        title="Closed call", opens_at=now - timedelta(days=60), deadline=now - timedelta(days=1)
    )

    def titles(**params):
        response = coordinator_client.get(reverse("call:index"), params)
        assert response.status_code == 200
        return sorted(call.title for call in response.context["object_list"])

    assert titles(status="upcoming") == ["Upcoming call"]
    assert titles(status="open") == ["Open call"]
    assert titles(status="closed") == ["Closed call"]
    assert titles() == ["Closed call", "Open call", "Upcoming call"]
    assert titles(network=network.pk) == ["Upcoming call"]
    assert titles(kind="mobility") == ["Open call"]
    assert titles(q="closed") == ["Closed call"]
    content = coordinator_client.get(reverse("call:index")).content.decode()
    assert "Upcoming" in content and "Closed" in content


def test_the_listing_sorts_by_the_committed_amount(coordinator_client, example):
    response = coordinator_client.get(reverse("call:index"), {"ordering": "-committed"})
    assert [call.title for call in response.context["object_list"]] == [
        "Staff mobility 2027",
        "Joint Projects 2027",
    ]
    response = coordinator_client.get(reverse("call:index"), {"ordering": "-proposal_count"})
    assert response.context["object_list"][0].title == "Joint Projects 2027"


def test_wagtail_copy_view_is_disabled(coordinator_client, example):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("call:copy", args=[example.pk])


# --- Duplicate as next year's -------------------------------------------------------------------


@pytest.fixture
def past_call():
    call = CallFactory(
        title="Joint Projects 2027",
        slug="joint-projects-2027",
        opens_at=brussels(2027, 1, 15, 9, 0),
        deadline=brussels(2027, 3, 31, 17, 0),
        questions=[
            {"type": "date", "value": {"label": "Opening night", "help_text": "", "required": True}}
        ],
    )
    CallTierFactory(call=call, name="Small")
    CallTierFactory(call=call, name="Large")
    AwardCriterionFactory(call=call, name="Quality")
    return call


def test_the_duplicate_form_is_prefilled_with_next_year(new_york_client, past_call):
    response = new_york_client.get(reverse("call:duplicate", args=[past_call.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Joint Projects 2028"' in content
    assert 'value="2028-01-15 09:00"' in content
    assert 'value="2028-03-31 17:00"' in content
    assert "tiers (2), award criteria (1) and questions (1)" in text_of(content)
    for name, label in (("title", "Title"), ("opens_at", "Opens at"), ("deadline", "Deadline")):
        assert re.search(rf'<label[^>]*for="id_{name}"[^>]*>\s*{label}', content), label


def test_a_coordinator_duplicates_a_call_and_lands_on_its_edit_form(new_york_client, past_call):
    coordinator_client = new_york_client
    url = reverse("call:duplicate", args=[past_call.pk])
    response = coordinator_client.post(
        url,
        {
            "title": "Joint Projects 2028",
            "opens_at": "2028-01-20 10:00",
            "deadline": "2028-04-02 17:00",
        },
    )
    copy = Call.objects.exclude(pk=past_call.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("call:edit", args=[copy.pk])
    assert copy.title == "Joint Projects 2028"
    assert copy.slug == "joint-projects-2028"
    # Typed in Brussels time.
    assert copy.opens_at == brussels(2028, 1, 20, 10, 0)
    assert copy.deadline == brussels(2028, 4, 2, 17, 0)
    assert sorted(copy.tiers.values_list("name", flat=True)) == ["Large", "Small"]
    assert list(copy.criteria.values_list("name", flat=True)) == ["Quality"]
    assert len(copy.questions) == 1
    page = coordinator_client.get(response["Location"])
    assert page.status_code == 200
    assert "“Joint Projects 2028” was created from “Joint Projects 2027”" in (
        page.content.decode().replace("&#x27;", "'")
    )


def test_a_deadline_before_the_opening_is_refused_on_the_form(coordinator_client, past_call):
    response = coordinator_client.post(
        reverse("call:duplicate", args=[past_call.pk]),
        {
            "title": "Joint Projects 2028",
            "opens_at": "2028-04-20 10:00",
            "deadline": "2028-04-02 17:00",
        },
    )
    assert response.status_code == 200
    assert "The deadline must come after the opening." in response.content.decode()
    assert Call.objects.count() == 1


def test_the_service_refusal_is_shown_as_a_message(coordinator_client, past_call, monkeypatch):
    from projects.admin import calls
    from workflow.conditions import Failure
    from workflow.exceptions import ConditionsNotMet

    def refuse(**kwargs):
        raise ConditionsNotMet([Failure("deadline_before_opening", "Not after the opening.")])

    monkeypatch.setattr(calls, "call_duplicate", refuse)
    response = coordinator_client.post(
        reverse("call:duplicate", args=[past_call.pk]),
        {"title": "X 2028", "opens_at": "2028-01-20 10:00", "deadline": "2028-04-02 17:00"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The call could not be duplicated." in content
    assert "Not after the opening." in content


# --- Non-coordinators ---------------------------------------------------------------------------


@pytest.fixture
def staff_editor():
    """Admin access and every permission on calls, yet no coordinator."""
    user = UserFactory(username="editor", is_staff=True)
    grant_permissions(
        user, "access_admin", *(f"{verb}_call" for verb in ("add", "change", "delete", "view"))
    )
    return user


def test_every_call_view_refuses_a_non_coordinator(client, staff_editor, past_call):
    verified_login(client, staff_editor)
    for url in (
        reverse("call:index"),
        reverse("call:inspect", args=[past_call.pk]),
        reverse("call:duplicate", args=[past_call.pk]),
    ):
        for method in (client.get, client.post):
            response = method(
                url,
                {"title": "X 2028", "opens_at": "2028-01-20 10:00", "deadline": "2028-04-02 17:00"},
            )
            assert (response.status_code, response.get("Location")) == (
                302,
                reverse("wagtailadmin_home"),
            ), (method.__name__, url)
    assert Call.objects.count() == 1


@pytest.mark.parametrize("view_class", [CallIndexView, CallInspectView, CallDuplicateView])
def test_the_views_check_themselves_without_the_menu_wrapper(staff_editor, past_call, view_class):
    """The views refuse even where they are served without the Grants menu's guard."""
    request = RequestFactory().get("/")
    request.user = staff_editor
    view = (
        view_class.as_view() if view_class is CallDuplicateView else view_class.as_view(model=Call)
    )
    with pytest.raises(PermissionDenied):
        view(request, pk=past_call.pk)


def test_a_centre_member_never_reaches_the_call_views(client, past_call):
    client.force_login(MembershipFactory().user)
    response = client.get(reverse("call:inspect", args=[past_call.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Query counts -------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_calls(count):
    for _ in range(count):
        call = CallFactory()
        CallTierFactory(call=call)
        project(call, ProjectState.APPROVED, awarded=Decimal("1000"))
        project(call, ProjectState.SUBMITTED)


def test_the_listing_runs_a_fixed_number_of_queries(coordinator_client):
    url = reverse("call:index")
    make_calls(3)
    count_queries(coordinator_client, url)  # warm per-process caches
    small = count_queries(coordinator_client, url)
    make_calls(9)
    large = count_queries(coordinator_client, url)
    assert large == small, f"{small} queries for 3 calls, {large} for 12"


def fill_call(call, count):
    for _ in range(count):
        for state in (ProjectState.UNDER_REVIEW, ProjectState.APPROVED, ProjectState.TERMINATED):
            project(
                call,
                state,
                awarded=Decimal("1000") if state != ProjectState.UNDER_REVIEW else None,
                final=Decimal("500") if state == ProjectState.TERMINATED else None,
                budget=[(["3000", "1000"], "500"), (["2000"], "0")],
            )
    CallTierFactory(call=call)
    AwardCriterionFactory(call=call)


def test_the_call_page_runs_a_fixed_number_of_queries(coordinator_client):
    call = CallFactory()
    url = reverse("call:inspect", args=[call.pk])
    fill_call(call, 1)
    count_queries(coordinator_client, url)  # warm per-process caches
    small = count_queries(coordinator_client, url)
    fill_call(call, 4)
    large = count_queries(coordinator_client, url)
    assert large == small, f"{small} queries for 3 proposals, {large} for 15"
