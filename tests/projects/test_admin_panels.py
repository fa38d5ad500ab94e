"""The coordinators' overview on the admin home: open calls by state, reviews and reports
overdue, grant agreements pending; aggregate queries only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.admin.panels import agreements_pending, reports_overdue, reviews_overdue
from projects.models import Report, ReportKind
from tests.factories import (
    CallFactory,
    JointProjectFactory,
    PartnershipFactory,
    UserFactory,
    coordinator,
    grant_permissions,
)
from tests.factories.auth import verified_login
from workflow.models import Review
from workflow.states import ProjectState, ReportState, ReviewState

pytestmark = pytest.mark.django_db


def home(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def open_calls(count):
    calls = []
    for _ in range(count):
        call = CallFactory()
        JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
        JointProjectFactory(call=call, state=ProjectState.SUBMITTED)
        JointProjectFactory(call=call, state=ProjectState.DRAFT)
        calls.append(call)
    return calls


def test_the_panel_counts_the_proposals_of_open_calls_by_state(client):
    [call] = open_calls(1)
    closed = CallFactory(
        title="Closed call",
        opens_at=timezone.now() - timedelta(days=90),
        deadline=timezone.now() - timedelta(days=30),
    )
    JointProjectFactory(call=closed, state=ProjectState.SUBMITTED)
    verified_login(client, coordinator())
    content = home(client)
    assert 'id="grants-overview-section"' in content
    assert call.title in content
    assert "Closed call" not in content
    index = reverse("jointproject:index")
    assert f"{index}?call={call.pk}&amp;state=submitted" in content
    assert "Submitted: 2" in content
    assert "Draft: 1" in content


def test_the_figures_count_what_is_overdue_or_pending(client):
    today = timezone.localdate()
    under_review = JointProjectFactory(state=ProjectState.UNDER_REVIEW)
    late, on_time, done = (UserFactory() for _ in range(3))
    Review.objects.create(project=under_review, reviewer=late, due_date=today - timedelta(days=1))
    Review.objects.create(project=under_review, reviewer=on_time, due_date=today)
    submitted = Review.objects.create(
        project=under_review, reviewer=done, due_date=today - timedelta(days=5)
    )
    Review.objects.filter(pk=submitted.pk).update(state=ReviewState.SUBMITTED)
    # A late review on a proposal already decided no longer counts.
    rejected = JointProjectFactory(state=ProjectState.REJECTED)
    Review.objects.create(project=rejected, reviewer=late, due_date=today - timedelta(days=9))

    long_ago = today - timedelta(days=200)

    def reporting(end_date):
        return JointProjectFactory(
            state=ProjectState.REPORTING,
            start_date=end_date - timedelta(days=365),
            end_date=end_date,
        )

    owed = reporting(long_ago)
    returned = reporting(long_ago)
    Report.objects.create(project=returned, kind=ReportKind.FINAL, state=ReportState.RETURNED)
    handed_in = reporting(long_ago)
    Report.objects.create(project=handed_in, kind=ReportKind.FINAL, state=ReportState.SUBMITTED)
    reporting(today - timedelta(days=10))  # not due yet
    assert owed and reports_overdue(today) == 2

    approved = JointProjectFactory(state=ProjectState.APPROVED)  # the lead has not accepted
    PartnershipFactory(project=approved)  # nor this partner: still one project
    signed = JointProjectFactory(state=ProjectState.APPROVED)
    signed.partnerships.update(agreement_accepted_at=timezone.now())

    assert reviews_overdue(today) == 1
    assert agreements_pending() == 1

    verified_login(client, coordinator())
    content = home(client)
    index = reverse("jointproject:index")
    for label, state, count in [
        ("Reviews overdue", "under_review", 1),
        ("Final reports overdue", "reporting", 2),
        ("Grant agreements pending", "approved", 1),
    ]:
        assert label in content
        assert f'href="{index}?state={state}"' in content
        start = content.index(label)
        assert f">{count}</a>" in content[start : start + 400]


def test_the_panel_is_for_coordinators_only(client):
    open_calls(1)
    editor = UserFactory(username="editor", is_staff=True)
    grant_permissions(editor, "access_admin", "view_call", "view_jointproject")
    client.force_login(editor)
    content = home(client)
    assert "grants-overview" not in content
    assert "Reviews overdue" not in content


def count_home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        home(client)
    return len(queries)


def test_the_panel_runs_the_same_queries_for_one_or_five_open_calls(client):
    verified_login(client, coordinator())
    open_calls(1)
    home(client)  # warm the caches (content types, site, sessions)
    one = count_home_queries(client)
    open_calls(4)
    five = count_home_queries(client)
    assert one == five
