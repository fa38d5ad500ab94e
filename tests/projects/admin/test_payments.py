"""Agreements and payments in the coordinators' admin: the funded projects' listing, each
project's page (agreements, start, the schedule with "Mark paid", accepted costs)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.admin.payments import funded_projects
from projects.models import PaymentKind, Report, ReportCost, ReportKind
from tests.factories import (
    CallFactory,
    JointProjectFactory,
    PartnershipFactory,
    PaymentFactory,
    UserFactory,
    coordinator,
    grant_permissions,
)
from tests.factories.auth import verified_login
from tests.projects.conftest import messages_of
from tests.workflow.conftest import advance, build_ready
from workflow import services
from workflow.models import TransitionLog
from workflow.states import ProjectState, ReportState

pytestmark = pytest.mark.django_db

INDEX = "payment:index"


def page_url(project):
    return reverse("payment:inspect", args=[project.pk])


def mark_paid_url(payment):
    return reverse("payment:mark_paid", args=[payment.pk])


def listed(response):
    return [project.pk for project in response.context["object_list"]]


@pytest.fixture
def approved(cast):
    return advance(cast, build_ready(cast), ProjectState.APPROVED)


def accept_all_agreements(cast, project):
    managers = {
        cast.lead_centre.pk: cast.lead_manager,
        cast.partner_centre.pk: cast.partner_manager,
        cast.partner2_centre.pk: cast.partner2_manager,
    }
    for partnership in project.partnerships.filter(state="confirmed"):
        services.partnership_accept_agreement(
            partnership_id=partnership.pk, actor=managers[partnership.centre_id]
        )


def funded(*, partners=1, payments=1, state=ProjectState.IN_PROGRESS, call=None, **fields):
    """A funded project built directly: partners who accepted the agreement, its payments (the
    first one paid through the service, so its history row exists), a submitted final report
    with every partner's costs."""
    project = JointProjectFactory(
        state=state, awarded_amount=Decimal("20000.00"), call=call or CallFactory(), **fields
    )
    now = timezone.now()
    signer = UserFactory()
    project.partnerships.update(agreement_accepted_at=now, agreement_accepted_by=signer)
    for _ in range(partners):
        PartnershipFactory(project=project, agreement_accepted_at=now, agreement_accepted_by=signer)
    kinds = [PaymentKind.PREFINANCING, PaymentKind.BALANCE, PaymentKind.RECOVERY]
    for index in range(payments):
        payment = PaymentFactory(project=project, kind=kinds[index % 3])
        if index == 0:
            services.payment_mark_paid(
                payment_id=payment.pk, actor=coordinator(), paid_on=timezone.localdate()
            )
    report = Report.objects.create(
        project=project, kind=ReportKind.FINAL, state=ReportState.SUBMITTED, submitted_at=now
    )
    for partnership in project.partnerships.all():
        ReportCost.objects.create(report=report, partnership=partnership, amount=Decimal("5000"))
    return project


# --- The listing --------------------------------------------------------------------------------


def test_the_listing_shows_funded_projects_with_agreements_and_schedule(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    submitted = JointProjectFactory(state=ProjectState.SUBMITTED, title="Not funded yet")
    response = admin_client.get(reverse(INDEX))
    assert response.status_code == 200
    assert listed(response) == [project.pk]
    content = response.content.decode()
    assert submitted.title not in content
    assert "3 of 3" in content  # every partner accepted
    assert "12,000.00 EUR" in content  # the pre-financing: 60 % of 20,000
    assert "not paid" in content
    assert page_url(project) in content
    assert reverse("jointproject:inspect", args=[project.pk]) in content
    assert "Add joint project" not in content


def test_the_listing_filters_and_searches(admin_client, cast, approved):
    other_call = CallFactory()
    running = funded(call=other_call, title="Dancing Borders", acronym="DAB")
    overdue = funded(call=other_call, payments=2, title="Late Payments")
    overdue.payments.filter(paid_at__isnull=True).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    url = reverse(INDEX)

    def rows(**params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        # The listing and its plain function (the exports') agree on every filter.
        assert sorted(listed(response)) == sorted(p.pk for p in funded_projects(params))
        return set(listed(response))

    assert rows() == {approved.pk, running.pk, overdue.pk}
    assert rows(call=other_call.pk) == {running.pk, overdue.pk}
    assert rows(state=ProjectState.APPROVED) == {approved.pk}
    assert rows(agreements="pending") == {approved.pk}
    assert rows(agreements="accepted") == {running.pk, overdue.pk}
    assert rows(payments="due") == {overdue.pk}
    assert rows(payments="overdue") == {overdue.pk}
    assert rows(q="dancing") == {running.pk}
    assert rows(q="Maison de la culture de Lyon") == {approved.pk}  # the lead centre
    assert rows(state="submitted") == {approved.pk, running.pk, overdue.pk}  # not a choice
    accept_all_agreements(cast, approved)
    assert rows(agreements="pending") == set()
    # The filters' partial refresh (without reloading the page) answers too.
    results = admin_client.get(reverse("payment:index_results"), {"q": "dancing"})
    assert results.status_code == 200 and "Dancing Borders" in results.content.decode()


def test_the_listing_runs_a_fixed_number_of_queries(admin_client):
    url = reverse(INDEX)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    for _ in range(3):
        funded(partners=1, payments=1)
    count()  # warm per-process caches
    small = count()
    for _ in range(9):
        funded(partners=4, payments=3)
    large = count()
    assert large == small, f"{small} queries for 3 projects, {large} for 12"
    # Filtering and searching add no query either.
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(
            url, {"payments": "due", "agreements": "accepted", "q": "stages"}
        )
    assert len(listed(response)) == 9
    assert len(queries) == small


# --- A project's page ---------------------------------------------------------------------------


def test_the_page_shows_who_accepted_and_offers_no_start_while_one_is_pending(
    admin_client, cast, approved
):
    lead = approved.partnerships.get(role="lead")
    services.partnership_accept_agreement(partnership_id=lead.pk, actor=cast.lead_manager)
    cast.lead_manager.first_name, cast.lead_manager.last_name = "Léa", "Moreau"
    cast.lead_manager.save()
    response = admin_client.get(page_url(approved))
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of 3 partners accepted the grant agreement." in content
    assert "Léa Moreau" in content
    assert "not accepted yet" in content
    assert "once 2 more partners have accepted" in content
    assert reverse("payment:start", args=[approved.pk]) not in content
    assert "the pre-financing of 12,000.00 EUR is scheduled when the project starts" in content
    assert reverse("jointproject:inspect", args=[approved.pk]) in content


def test_a_coordinator_starts_the_project_once_everyone_accepted(admin_client, cast, approved):
    accept_all_agreements(cast, approved)
    start = reverse("payment:start", args=[approved.pk])
    assert start in admin_client.get(page_url(approved)).content.decode()
    response = admin_client.post(start, follow=True)
    assert response.redirect_chain[-1][0] == page_url(approved)
    assert any("has started" in message for message in messages_of(response))
    approved.refresh_from_db()
    assert approved.state == ProjectState.IN_PROGRESS
    assert approved.payments.get().amount == Decimal("12000.00")
    assert "Mark paid" in response.content.decode()


def test_starting_with_an_agreement_pending_shows_the_services_refusal(admin_client, approved):
    response = admin_client.post(reverse("payment:start", args=[approved.pk]), follow=True)
    [message] = messages_of(response)
    assert "could not start" in message
    assert "grant agreement" in message
    approved.refresh_from_db()
    assert approved.state == ProjectState.APPROVED


def test_a_coordinator_marks_a_payment_paid(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    payment = project.payments.get()
    form = admin_client.get(page_url(project)).context["payments"][0]["form"]
    assert form["paid_on"].value() == timezone.localdate()  # today by default
    day = timezone.localdate() - timedelta(days=2)
    response = admin_client.post(
        mark_paid_url(payment), {f"payment-{payment.pk}-paid_on": day.isoformat()}, follow=True
    )
    assert response.redirect_chain[-1][0] == page_url(project)
    assert any("marked paid" in message for message in messages_of(response))
    payment.refresh_from_db()
    assert timezone.localtime(payment.paid_at).date() == day
    assert TransitionLog.objects.get(transition="mark_paid").actor == cast.coordinator
    assert f"recorded by {cast.coordinator.get_full_name()}" in response.content.decode()
    assert response.context["payments"][0]["form"] is None
    # The proposal's history and the lead's timeline show it too.
    proposal = admin_client.get(reverse("jointproject:inspect", args=[project.pk]))
    assert proposal.status_code == 200
    assert "Mark paid" in proposal.content.decode()
    admin_client.force_login(cast.lead_manager)
    workspace = admin_client.get(reverse("workspace:project", args=[project.pk]))
    assert workspace.status_code == 200
    assert "Mark paid" in workspace.content.decode()


@pytest.mark.parametrize(
    ("days", "expected"),
    [(-1, "already marked paid"), (1, "cannot be in the future")],
)
def test_mark_paid_refusals_are_messages(admin_client, cast, days, expected):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    payment = project.payments.get()
    if days < 0:
        services.payment_mark_paid(
            payment_id=payment.pk, actor=cast.coordinator, paid_on=timezone.localdate()
        )
    day = timezone.localdate() + timedelta(days=days)
    response = admin_client.post(
        mark_paid_url(payment), {f"payment-{payment.pk}-paid_on": day.isoformat()}, follow=True
    )
    [message] = messages_of(response)
    assert "could not be marked paid" in message and expected in message
    assert TransitionLog.objects.filter(transition="mark_paid").count() == (1 if days < 0 else 0)


def test_mark_paid_needs_a_date(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    payment = project.payments.get()
    response = admin_client.post(
        mark_paid_url(payment), {f"payment-{payment.pk}-paid_on": "someday"}, follow=True
    )
    [message] = messages_of(response)
    assert "Paid on" in message
    payment.refresh_from_db()
    assert payment.paid_at is None


def test_the_accepted_costs_are_adjusted_from_the_payments_page(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.REPORT_SUBMITTED)
    report = project.reports.get()
    lead = project.partnerships.get(role="lead")
    page = admin_client.get(page_url(project))
    form = page.context["costs_form"]
    assert page.context["costs_editable"]
    data = {"next": page_url(project)}
    for cost, field in form.rows():
        data[field.html_name] = "7500.00" if cost.partnership_id == lead.pk else "10000.00"
    response = admin_client.post(reverse("report:costs", args=[report.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == page_url(project)
    assert messages_of(response)[0].startswith("The accepted costs are saved.")
    assert report.costs.get(partnership=lead).accepted_amount == Decimal("7500.00")

    data[form.rows()[0][1].html_name] = "10000.01"
    response = admin_client.post(reverse("report:costs", args=[report.pk]), data, follow=True)
    [message] = messages_of(response)
    assert "were not saved" in message and "at most the reported costs" in message


def test_the_costs_are_read_only_once_completed(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.COMPLETED)
    response = admin_client.get(page_url(project))
    assert not response.context["costs_editable"]
    assert 'id="costs-form"' not in response.content.decode()
    assert "Balance" in response.content.decode()


def test_a_project_that_was_not_funded_has_no_payments_page(admin_client):
    project = JointProjectFactory(state=ProjectState.SUBMITTED)
    assert admin_client.get(page_url(project)).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(admin_client):
    def count(project):
        url = page_url(project)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    small_project = funded(partners=1, payments=1, state=ProjectState.REPORT_SUBMITTED)
    large_project = funded(partners=6, payments=3, state=ProjectState.REPORT_SUBMITTED)
    count(small_project)  # warm per-process caches
    small = count(small_project)
    large = count(large_project)
    assert large == small, f"{small} queries for 2 partners, {large} for 7"


# --- Who may ------------------------------------------------------------------------------------


@pytest.fixture
def staff_editor():
    user = UserFactory(username="editor", is_staff=True)
    grant_permissions(
        user,
        "access_admin",
        *(
            f"{verb}_{model}"
            for verb in ("add", "change", "delete", "view")
            for model in (
                "jointproject",
                "payment",
                "report",
            )
        ),
    )
    return user


def test_every_payments_view_refuses_non_coordinators(client, cast, staff_editor):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    payment = project.payments.get()
    urls = [
        reverse(INDEX),
        reverse("payment:index_results"),
        page_url(project),
        reverse("payment:start", args=[project.pk]),
        mark_paid_url(payment),
    ]
    verified_login(client, staff_editor)
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert (response.status_code, response.get("Location")) == (
                302,
                reverse("wagtailadmin_home"),
            ), (method.__name__, url)
    client.force_login(cast.lead_manager)
    for url in urls:
        response = client.post(url, {f"payment-{payment.pk}-paid_on": "2020-01-01"})
        assert response["Location"].startswith("/accounts/login/"), url
    payment.refresh_from_db()
    assert payment.paid_at is None
