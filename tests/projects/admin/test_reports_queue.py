"""The reports queue in the coordinators' admin: the order, the overdue flags, each report's page,
Accept and Return with feedback, the accepted costs; accepting the final report completes the
project."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from projects.admin.reports import report_queue
from projects.models import PaymentKind, Report, ReportAttachment, ReportCost, ReportKind
from tests.factories import (
    CallFactory,
    JointProjectFactory,
    PartnershipFactory,
    UserFactory,
    grant_permissions,
)
from tests.factories.auth import verified_login
from tests.projects.conftest import messages_of
from tests.workflow.conftest import advance, build_ready, write_final_report
from workflow import services
from workflow.models import TransitionLog
from workflow.states import ProjectState, ReportState

pytestmark = pytest.mark.django_db

INDEX = "report:index"


def page_url(report):
    return reverse("report:inspect", args=[report.pk])


def decision_url(report, name):
    return reverse("report:transition", args=[report.pk, name])


def listed(response):
    return [report.pk for report in response.context["object_list"]]


@pytest.fixture
def report_submitted(cast):
    return advance(cast, build_ready(cast), ProjectState.REPORT_SUBMITTED)


def a_report(*, state=ReportState.SUBMITTED, kind=ReportKind.FINAL, partners=1, **project):
    """A report built directly, on a project in the matching state, with every partner's costs."""
    project.setdefault(
        "state",
        ProjectState.REPORT_SUBMITTED
        if state == ReportState.SUBMITTED and kind == ReportKind.FINAL
        else ProjectState.REPORTING,
    )
    project = JointProjectFactory(awarded_amount=Decimal("20000.00"), **project)
    for _ in range(partners):
        PartnershipFactory(project=project)
    submitted = timezone.now() if state != ReportState.DRAFT else None
    report = Report.objects.create(
        project=project,
        kind=kind,
        state=state,
        submitted_at=submitted,
        narrative="We toured.",
        indicators={"events": 3, "audience": {"FR": 100}},
    )
    for partnership in project.partnerships.all():
        ReportCost.objects.create(report=report, partnership=partnership, amount=Decimal("5000"))
    return report


# --- The queue ----------------------------------------------------------------------------------


def test_submitted_reports_come_first_the_oldest_first(admin_client):
    accepted = a_report(state=ReportState.ACCEPTED, kind=ReportKind.INTERIM)
    draft = a_report(state=ReportState.DRAFT)
    newer = a_report()
    older = a_report()
    Report.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=5))
    returned = a_report(state=ReportState.RETURNED)
    response = admin_client.get(reverse(INDEX))
    assert response.status_code == 200
    assert listed(response) == [older.pk, newer.pk, returned.pk, draft.pk, accepted.pk]
    content = response.content.decode()
    assert page_url(older) in content
    assert reverse("jointproject:inspect", args=[older.project_id]) in content


def test_overdue_and_returned_reports_are_flagged_and_filtered(admin_client):
    long_ago = timezone.localdate() - timedelta(days=200)
    overdue = a_report(state=ReportState.DRAFT, end_date=long_ago, start_date=long_ago)
    not_yet_due = a_report(state=ReportState.DRAFT)
    returned = a_report(state=ReportState.RETURNED)
    submitted_late = a_report(end_date=long_ago, start_date=long_ago)  # submitted: not overdue
    url = reverse(INDEX)

    def rows(**params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        assert listed(response) == [r.pk for r in report_queue(params)]
        return response

    response = rows()
    content = response.content.decode()
    due = date_format(long_ago + timedelta(days=60), "SHORT_DATE_FORMAT")
    assert f"Overdue since {due}" in content
    assert "Waiting for resubmission" in content
    assert set(listed(rows(overdue="yes"))) == {overdue.pk, returned.pk}
    assert not_yet_due.pk not in listed(rows(overdue="yes"))
    assert submitted_late.pk not in listed(rows(overdue="yes"))


def test_the_queue_filters_by_state_kind_and_call_and_searches(admin_client):
    call = CallFactory()
    final = a_report(call=call, title="Dancing Borders")
    interim = a_report(kind=ReportKind.INTERIM, state=ReportState.SUBMITTED)
    accepted = a_report(state=ReportState.ACCEPTED, kind=ReportKind.INTERIM)
    url = reverse(INDEX)

    def rows(**params):
        response = admin_client.get(url, params)
        assert listed(response) == [r.pk for r in report_queue(params)]
        return set(listed(response))

    assert rows(state=ReportState.ACCEPTED) == {accepted.pk}
    assert rows(kind=ReportKind.INTERIM) == {interim.pk, accepted.pk}
    assert rows(call=call.pk) == {final.pk}
    assert rows(q="dancing") == {final.pk}
    results = admin_client.get(reverse("report:index_results"), {"q": "dancing"})
    assert results.status_code == 200 and "Dancing Borders" in results.content.decode()


def test_projects_without_a_final_report_past_due_are_counted_above_the_queue(admin_client):
    long_ago = timezone.localdate() - timedelta(days=200)
    JointProjectFactory(state=ProjectState.REPORTING, start_date=long_ago, end_date=long_ago)
    JointProjectFactory(state=ProjectState.REPORTING)  # not due yet
    response = admin_client.get(reverse(INDEX))
    assert response.context["missing_final_reports"] == 1
    assert "1 project in its reporting period has not started its final report" in (
        response.content.decode()
    )


def test_the_queue_runs_a_fixed_number_of_queries(admin_client):
    url = reverse(INDEX)

    def count(params=None):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url, params or {}).status_code == 200
        return len(queries)

    for _ in range(3):
        a_report()
    count()  # warm per-process caches
    small = count()
    for state in [ReportState.DRAFT, ReportState.RETURNED, ReportState.SUBMITTED] * 3:
        a_report(state=state, partners=3)
    large = count()
    assert large == small, f"{small} queries for 3 reports, {large} for 12"
    assert count({"overdue": "yes", "kind": "final", "q": "stages"}) == small


# --- A report's page ----------------------------------------------------------------------------


def test_the_page_shows_narrative_indicators_costs_and_attachments(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    report = write_final_report(cast, project, amount=Decimal("9000.00"))
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        indicators={
            "events": 12,
            "audience": {"FR": 900, "BE": 400},
            "outputs": [{"title": "A film", "url": "https://example.org/film"}],
        },
    )
    attachment = ReportAttachment.objects.create(
        report=report,
        title="Programme",
        file="attachments/programme.pdf",
        filename="programme.pdf",
        content_type="application/pdf",
        size=2048,
    )
    response = admin_client.get(page_url(report))
    assert response.status_code == 200
    content = response.content.decode()
    assert "We toured three cities." in content
    assert "Events" in content and "12" in content
    assert "Belgium" in content and "900" in content
    assert 'href="https://example.org/film"' in content
    assert "9,000.00" in content
    assert reverse("workspace:attachment_file", args=[attachment.pk]) in content
    # A draft is the lead's: no decision, no cost to weigh.
    assert response.context["decisions"] == []
    assert not response.context["costs_editable"]
    assert reverse("payment:inspect", args=[project.pk]) in content


def test_accepting_the_final_report_completes_the_project(admin_client, cast, report_submitted):
    report = report_submitted.reports.get()
    page = admin_client.get(page_url(report))
    assert [d["name"] for d in page.context["decisions"]] == ["accept", "return"]
    response = admin_client.post(
        decision_url(report, "accept"), {"accept-comment": "A fine report."}, follow=True
    )
    assert response.redirect_chain[-1][0] == page_url(report)
    [message] = messages_of(response)
    assert "is now “Completed”" in message
    report.refresh_from_db()
    report_submitted.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert report_submitted.state == ProjectState.COMPLETED
    # min(awarded, 2/3 of the 30,000 accepted: every partner's 10,000 as reported).
    assert report_submitted.final_grant == Decimal("20000.00")
    balance = report_submitted.payments.get(kind=PaymentKind.BALANCE)
    assert balance.amount == Decimal("8000.00")  # the final grant − 12,000 pre-financed
    complete = TransitionLog.objects.get(project=report_submitted, transition="complete")
    assert (complete.actor, complete.comment) == (cast.coordinator, "A fine report.")
    assert all(c.accepted_amount == Decimal("10000.00") for c in report.costs.all())


def test_adjusted_costs_count_when_the_final_report_is_accepted(
    admin_client, cast, report_submitted
):
    report = report_submitted.reports.get()
    form = admin_client.get(page_url(report)).context["costs_form"]
    data = {field.html_name: "6000" for _cost, field in form.rows()}
    response = admin_client.post(reverse("report:costs", args=[report.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == page_url(report)
    admin_client.post(decision_url(report, "accept"))
    report_submitted.refresh_from_db()
    assert report_submitted.final_grant == Decimal("12000.00")  # 2/3 of 18,000
    assert not report_submitted.payments.filter(kind=PaymentKind.BALANCE).exists()  # nothing left


def test_a_recovery_is_recorded_when_the_prefinancing_was_more(
    admin_client, cast, report_submitted
):
    report = report_submitted.reports.get()
    form = admin_client.get(page_url(report)).context["costs_form"]
    data = {field.html_name: "3000" for _cost, field in form.rows()}
    admin_client.post(reverse("report:costs", args=[report.pk]), data)
    admin_client.post(decision_url(report, "accept"))
    report_submitted.refresh_from_db()
    assert report_submitted.final_grant == Decimal("6000.00")
    recovery = report_submitted.payments.get(kind=PaymentKind.RECOVERY)
    assert recovery.amount == Decimal("6000.00")  # 12,000 pre-financed − 6,000


def test_returning_needs_feedback(admin_client, cast, report_submitted):
    report = report_submitted.reports.get()
    response = admin_client.post(
        decision_url(report, "return"), {"return-comment": " "}, follow=True
    )
    [message] = messages_of(response)
    assert "feedback is required" in message
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED

    response = admin_client.post(
        decision_url(report, "return"),
        {"return-comment": "The costs of Zagreb are missing receipts."},
        follow=True,
    )
    assert any("Returned for changes" in m for m in messages_of(response))
    report.refresh_from_db()
    report_submitted.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert report_submitted.state == ProjectState.REPORTING
    log = TransitionLog.objects.get(project=report_submitted, transition="return_report")
    assert log.comment == "The costs of Zagreb are missing receipts."
    assert "missing receipts" in response.content.decode()  # the page's history


def test_a_decision_from_the_wrong_state_is_an_error_message(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.COMPLETED)
    report = project.reports.get()
    response = admin_client.post(decision_url(report, "accept"), follow=True)
    [message] = messages_of(response)
    assert "was not possible" in message
    assert TransitionLog.objects.filter(project=project, transition="complete").count() == 1


def test_accepting_an_interim_report_leaves_the_project_running(admin_client, cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    report = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")
    lead = project.partnerships.get(role="lead")
    services.report_update(
        report_id=report.pk,
        actor=cast.lead_manager,
        narrative="Half way.",
        costs=[{"partnership": lead.pk, "amount": Decimal("3000")}],
    )
    services.report_transition(report_id=report.pk, name="submit", actor=cast.lead_manager)
    response = admin_client.post(decision_url(report, "accept"), follow=True)
    assert any("is now “Accepted”" in m for m in messages_of(response))
    project.refresh_from_db()
    assert project.state == ProjectState.IN_PROGRESS
    # Still adjustable until the project is settled.
    assert response.context["costs_editable"]


def test_costs_refusals_are_messages(admin_client, report_submitted):
    report = report_submitted.reports.get()
    form = admin_client.get(page_url(report)).context["costs_form"]
    data = {field.html_name: "-5" for _cost, field in form.rows()}
    response = admin_client.post(reverse("report:costs", args=[report.pk]), data, follow=True)
    [message] = messages_of(response)
    assert message.count("cannot be negative") == 3  # every partner's failure
    assert all(c.accepted_amount is None for c in report.costs.all())
    data = {field.html_name: "many" for _cost, field in form.rows()}
    response = admin_client.post(reverse("report:costs", args=[report.pk]), data, follow=True)
    [message] = messages_of(response)
    assert "were not saved" in message


def test_an_unknown_decision_is_not_found(admin_client, report_submitted):
    report = report_submitted.reports.get()
    assert admin_client.post(decision_url(report, "submit")).status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(admin_client, cast):
    def count(report):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(page_url(report)).status_code == 200
        return len(queries)

    small_report = a_report(partners=1)
    large_report = a_report(partners=6)
    for index in range(4):
        ReportAttachment.objects.create(
            report=large_report, title=f"Photo {index}", file=f"attachments/{index}.jpg"
        )
    lead = large_report.project.partnerships.first()
    for amount in ("4000", "4500", "3000"):
        services.report_costs_accept(
            report_id=large_report.pk, actor=cast.coordinator, accepted={lead.pk: Decimal(amount)}
        )
    count(small_report)  # warm per-process caches
    small = count(small_report)
    large = count(large_report)
    assert large == small, f"{small} queries for 2 partners, {large} for 7"


# --- Who may ------------------------------------------------------------------------------------


def test_every_reports_view_refuses_non_coordinators(client, cast, report_submitted):
    report = report_submitted.reports.get()
    editor = UserFactory(username="editor", is_staff=True)
    grant_permissions(editor, "access_admin", "view_report", "change_report", "view_jointproject")
    urls = [
        reverse(INDEX),
        reverse("report:index_results"),
        page_url(report),
        decision_url(report, "accept"),
        reverse("report:costs", args=[report.pk]),
    ]
    verified_login(client, editor)
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert (response.status_code, response.get("Location")) == (
                302,
                reverse("wagtailadmin_home"),
            ), (method.__name__, url)
    client.force_login(cast.lead_manager)
    for url in urls:
        assert client.post(url)["Location"].startswith("/accounts/login/"), url
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
