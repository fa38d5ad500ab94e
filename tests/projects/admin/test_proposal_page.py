"""A proposal's page in the admin (projects/admin/inspect/): the workflow tracker, the actions to
take (projects/admin/next_actions.py), every section on a hand-built proposal, the coordinators-
only rule, and a fixed number of queries whatever the proposal's size."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.admin.inspect import JointProjectInspectView
from projects.admin.next_actions import ACTION, WAITING, coordinator_actions
from projects.models import (
    BudgetCategory,
    Partnership,
    PaymentKind,
    ProposalAnswer,
    Report,
    ReportKind,
)
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    CentreFactory,
    JointProjectFactory,
    PartnershipFactory,
    PaymentFactory,
    UserFactory,
    coordinator,
    grant_permissions,
    reviewer,
)
from tests.factories.auth import verified_login
from workflow.models import Message, Review, ReviewScore
from workflow.services._core import write_log
from workflow.states import PartnershipState, ProjectState, ReportState, ReviewState

TODAY = date(2027, 6, 15)
LINKS = {
    "eligibility": "#eligibility-section",
    "reviews": "#reviews-section",
    "decisions": "#decisions-section",
    "partners": "#partners-section",
    "payments": "/admin/network/payments/",
    "report": "/admin/network/reports/inspect/7/",
}


# --- coordinator_actions: the rules, on hand-made objects (no database) --------------------------


def a_project(state, *, min_reviews=2, partners=(), end_date=None, resubmission_date=None):
    return SimpleNamespace(
        state=state,
        call=SimpleNamespace(min_reviews=min_reviews),
        confirmed_partnerships=lambda: list(partners),
        end_date=end_date,
        resubmission_date=resubmission_date,
    )


def a_review(state, due_date=None):
    return SimpleNamespace(state=state, due_date=due_date)


def a_partner(accepted):
    return SimpleNamespace(agreement_accepted_at=timezone.now() if accepted else None)


def a_payment(kind, *, due=TODAY, paid=False, amount="12000.00"):
    return SimpleNamespace(
        kind=kind, amount=Decimal(amount), due_date=due, paid_at=timezone.now() if paid else None
    )


S, R = ProjectState, ReviewState
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)

# (project, what the page loaded, [(code, kind, url)] expected, a label fragment of the first)
CASES = {
    "draft": (a_project(S.DRAFT), {}, [("preparing", WAITING, "")], "preparing"),
    "open for partners": (
        a_project(S.OPEN_FOR_PARTNERS),
        {},
        [("preparing", WAITING, "")],
        "lead centre",
    ),
    "submitted and eligible": (
        a_project(S.SUBMITTED),
        {},
        [("start_review", ACTION, "#eligibility-section")],
        "Check eligibility and start the review",
    ),
    "submitted, two conditions fail": (
        a_project(S.SUBMITTED),
        {"eligibility_failed": ["min_partners", "duration"]},
        [("eligibility_failed", ACTION, "#eligibility-section")],
        "2 submission conditions fail now",
    ),
    "under review, nobody assigned": (
        a_project(S.UNDER_REVIEW),
        {},
        [("assign_reviewers", ACTION, "#reviews-section")],
        "Assign reviewers (0 of 2)",
    ),
    "under review, a declined review does not count": (
        a_project(S.UNDER_REVIEW, min_reviews=3),
        {"reviews": [a_review(R.SUBMITTED), a_review(R.ASSIGNED), a_review(R.DECLINED)]},
        [("assign_reviewers", ACTION, "#reviews-section")],
        "Assign reviewers (2 of 3)",
    ),
    "under review, reviews being written": (
        a_project(S.UNDER_REVIEW),
        {"reviews": [a_review(R.SUBMITTED), a_review(R.ASSIGNED, TOMORROW)]},
        [("reviews_pending", WAITING, "#reviews-section")],
        "1 of 2 submitted",
    ),
    "under review, a review overdue": (
        a_project(S.UNDER_REVIEW),
        {"reviews": [a_review(R.SUBMITTED), a_review(R.ASSIGNED, YESTERDAY)]},
        [("reviews_overdue", ACTION, "#reviews-section")],
        "Chase 1 overdue review (1 of 2 submitted)",
    ),
    "under review, enough reviews": (
        a_project(S.UNDER_REVIEW),
        {"reviews": [a_review(R.SUBMITTED), a_review(R.SUBMITTED), a_review(R.ASSIGNED)]},
        [("decide", ACTION, "#decisions-section")],
        "Decide: approve or reject",
    ),
    "changes requested": (
        a_project(
            S.CHANGES_REQUESTED,
            resubmission_date=timezone.make_aware(datetime(2027, 7, 1, 23, 59)),
        ),
        {},
        [("resubmission", WAITING, "")],
        "resubmit by July 1, 2027",
    ),
    "approved, two agreements pending": (
        a_project(S.APPROVED, partners=[a_partner(True), a_partner(False), a_partner(False)]),
        {},
        [("agreements_pending", WAITING, "#partners-section")],
        "Waiting for 2 partners to accept the grant agreement",
    ),
    "approved, every agreement accepted": (
        a_project(S.APPROVED, partners=[a_partner(True), a_partner(True)]),
        {},
        [("start", ACTION, "#decisions-section")],
        "Start the project",
    ),
    "in progress, pre-financing unpaid": (
        a_project(S.IN_PROGRESS, end_date=TOMORROW),
        {"payments": [a_payment(PaymentKind.PREFINANCING, due=YESTERDAY)]},
        [
            ("running", WAITING, ""),
            ("pay_prefinancing", ACTION, "/admin/network/payments/"),
        ],
        "runs until June 16, 2027",
    ),
    "in progress, ended": (
        a_project(S.IN_PROGRESS, end_date=YESTERDAY),
        {"payments": [a_payment(PaymentKind.PREFINANCING, paid=True)]},
        [("begin_reporting", ACTION, "#decisions-section")],
        "Begin reporting: the project ended on June 14, 2027",
    ),
    "reporting, report not yet due": (
        a_project(S.REPORTING, end_date=TODAY - timedelta(days=10)),
        {},
        [("report_pending", WAITING, "")],
        "Waiting for the final report, due Aug. 4, 2027",
    ),
    "reporting, report overdue": (
        a_project(S.REPORTING, end_date=TODAY - timedelta(days=61)),
        {"final_report": SimpleNamespace(pk=7, state=ReportState.DRAFT)},
        [("report_overdue", ACTION, "/admin/network/reports/inspect/7/")],
        "it was due on June 14, 2027",
    ),
    "report submitted": (
        a_project(S.REPORT_SUBMITTED),
        {"final_report": SimpleNamespace(pk=7, state=ReportState.SUBMITTED)},
        [("review_report", ACTION, "/admin/network/reports/inspect/7/")],
        "Review the final report",
    ),
    "completed, balance unpaid": (
        a_project(S.COMPLETED),
        {
            "payments": [
                a_payment(PaymentKind.PREFINANCING, paid=True),
                a_payment(PaymentKind.BALANCE, due=TOMORROW, amount="8000.00"),
            ]
        },
        [("pay_balance", ACTION, "/admin/network/payments/")],
        "Pay the balance: 8,000.00 EUR, due June 16, 2027",
    ),
    "terminated, a recovery": (
        a_project(S.TERMINATED),
        {"payments": [a_payment(PaymentKind.RECOVERY, amount="500.00")]},
        [("pay_recovery", ACTION, "/admin/network/payments/")],
        "Recover 500.00 EUR owed back",
    ),
    "rejected": (a_project(S.REJECTED), {}, [], ""),
    "completed and settled": (
        a_project(S.COMPLETED),
        {"payments": [a_payment(PaymentKind.BALANCE, paid=True)]},
        [],
        "",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_actions_to_take(case):
    project, loaded, expected, label = case
    actions = coordinator_actions(project, today=TODAY, links=LINKS, **loaded)
    assert [(a.code, a.kind, a.url) for a in actions] == expected
    if label:
        assert label.lower() in actions[0].label.lower()


def test_only_late_actions_are_overdue():
    project = a_project(S.IN_PROGRESS, end_date=TOMORROW)
    late, on_time = (
        coordinator_actions(
            project, today=TODAY, payments=[a_payment(PaymentKind.PREFINANCING, due=due)]
        )[-1]
        for due in (YESTERDAY, TODAY)
    )
    assert late.overdue and not on_time.overdue


# --- The page, on a hand-built proposal --------------------------------------------------------


def inspect_url(project):
    return reverse("jointproject:inspect", args=[project.pk])


def log(project, obj, name, from_state, to_state, at, actor=None, **payload):
    return write_log(
        obj=obj,
        project=project,
        name=name,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=at,
        payload=payload,
    )


@pytest.fixture
def secretariat(db):
    return coordinator(username="claire", first_name="Claire", last_name="Martin")


@pytest.fixture
def proposal(secretariat):
    """Under review after one round of changes: a lead and a confirmed partner, an invited
    centre, budgets, one mandate, two submitted reviews and one being written, two messages."""
    call = CallFactory(min_partners=3, min_reviews=2, max_cofinancing_rate=Decimal("0.80"))
    call.questions = [
        {"type": "short_text", "value": {"label": "Motto", "required": True}, "id": "motto"},
        {"type": "number", "value": {"label": "Audience", "required": False}, "id": "audience"},
    ]
    call.save()
    quality = AwardCriterionFactory(call=call, name="Quality", threshold=6, sort_order=0)
    reach = AwardCriterionFactory(call=call, name="Reach", threshold=4, sort_order=1)
    lyon = CentreFactory(name="Maison de la culture de Lyon", country="FR")
    project = JointProjectFactory(
        call=call, lead_centre=lyon, title="Shared Stages", state=ProjectState.UNDER_REVIEW
    )
    lead = project.partnerships.get()
    liege = PartnershipFactory(
        project=project, centre=CentreFactory(name="Centre culturel de Liège", country="BE")
    )
    graz = PartnershipFactory(
        project=project,
        centre=CentreFactory(name="Kulturhaus Graz", country="AT"),
        state=PartnershipState.INVITED,
    )
    for partnership, lines, own in (
        (lead, [("staff", "8000"), ("travel", "2000")], "2000"),
        (liege, [("staff", "5000"), ("production", "3000")], "1000"),
        (graz, [("travel", "1000")], "0"),
    ):
        for category, amount in lines:
            BudgetLineFactory(partnership=partnership, category=category, amount=Decimal(amount))
        Partnership.objects.filter(pk=partnership.pk).update(own_contribution=Decimal(own))
    signer = UserFactory(username="lucie", first_name="Lucie", last_name="Bernard")
    Partnership.objects.filter(pk=lead.pk).update(
        mandate_signed_by=signer,
        mandate_signed_at=timezone.make_aware(datetime(2027, 3, 2, 10, 0)),
        mandate_file="mandates/lyon.pdf",
    )
    ProposalAnswer.objects.create(project=project, question_id="motto", value="Stages for all")

    for name, scores, state in (
        ("Ana Horvat", {quality: 8, reach: 6}, ReviewState.SUBMITTED),
        ("Bo Lind", {quality: 3, reach: 5}, ReviewState.SUBMITTED),
        ("Cy Moreau", {quality: 9}, ReviewState.ASSIGNED),
    ):
        first, last = name.split()
        person = reviewer(username=first.lower(), first_name=first, last_name=last)
        review = Review.objects.create(project=project, reviewer=person, state=state)
        for criterion, score in scores.items():
            ReviewScore.objects.create(review=review, criterion=criterion, score=score)

    start = timezone.make_aware(datetime(2027, 3, 1, 9, 0))
    for days, (name, source, target) in enumerate(
        (
            ("submit", S.DRAFT, S.SUBMITTED),
            ("request_changes", S.SUBMITTED, S.CHANGES_REQUESTED),
            ("submit", S.CHANGES_REQUESTED, S.SUBMITTED),
            ("start_review", S.SUBMITTED, S.UNDER_REVIEW),
        )
    ):
        log(project, project, name, source, target, start + timedelta(days=days), secretariat)

    Message.objects.create(
        project=project, author=signer, author_centre=lyon, body="Our budget is final."
    )
    Message.objects.create(
        project=project,
        author=secretariat,
        from_secretariat=True,
        coordinators_only=True,
        body="Check the Graz invitation.",
    )
    return project


@pytest.fixture
def page(client, secretariat, proposal):
    verified_login(client, secretariat)
    response = client.get(inspect_url(proposal))
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(node):
    return " ".join(node.get_text(" ").split())


def test_the_tracker_marks_the_current_step_and_the_earlier_round_of_changes(page):
    steps = page.select("#tracker-heading + ol > li")
    assert [step["data-step"] for step in steps] == [
        "draft",
        "open_for_partners",
        "submitted",
        "under_review",
        "approved",
        "in_progress",
        "reporting",
        "report_submitted",
        "completed",
    ]
    [current] = page.select("[aria-current=step]")
    assert current["data-step"] == "under_review"
    assert "Current step" in text(current)
    by_state = {step["data-step"]: text(step) for step in steps}
    assert "Done" in by_state["draft"]
    assert "Not reached" in by_state["open_for_partners"]  # submitted straight from the draft
    assert "Changes requested on" in by_state["submitted"]
    assert "To come" in by_state["approved"]


def test_the_tracker_shows_a_side_exit_where_it_happened(client, secretariat, proposal):
    Review.objects.filter(project=proposal).delete()
    at = timezone.make_aware(datetime(2027, 3, 10, 9, 0))  # after the fixture's history
    log(proposal, proposal, "reject", S.UNDER_REVIEW, S.REJECTED, at, secretariat)
    type(proposal).objects.filter(pk=proposal.pk).update(state=ProjectState.REJECTED)
    verified_login(client, secretariat)
    html = BeautifulSoup(client.get(inspect_url(proposal)).content.decode(), "html.parser")
    states = [step["data-step"] for step in html.select("#tracker-heading + ol > li")]
    assert states[3:5] == ["under_review", "rejected"]
    [current] = html.select("[aria-current=step]")
    assert current["data-step"] == "rejected" and "Ended here" in text(current)


def test_the_actions_to_take_come_first(page, proposal):
    panel = page.select_one("#actions-section")
    assert page.select_one("#tracker-heading").find_next("section") is panel
    [action] = panel.select("[data-action-code]")
    assert action["data-action-code"] == "decide"  # two reviews submitted, two needed
    assert action.a["href"] == "#decisions-section"
    assert "To do: Decide: approve or reject" in text(action)


def test_the_partners_with_who_signed_their_mandate(page, proposal):
    panel = page.select_one("#partners-section")
    rows = {text(row.th).split(" (")[0]: row for row in panel.select("tbody tr")}
    assert list(rows) == [
        "Maison de la culture de Lyon",
        "Centre culturel de Liège",
        "Kulturhaus Graz",
    ]
    lyon = rows["Maison de la culture de Lyon"]
    assert "Signed by Lucie Bernard on" in text(lyon)
    lead = proposal.partnerships.get(role="lead")
    assert lyon.select_one("a")["href"] == reverse("workspace:mandate_file", args=[lead.pk])
    assert "not signed" in text(rows["Centre culturel de Liège"])
    assert rows["Centre culturel de Liège"].select_one("a") is None


def test_the_budget_by_partner_and_category(page):
    panel = page.select_one("#budget-section")
    headers = [text(th) for th in panel.select("thead th")]
    # Only the categories the proposal uses, in the categories' order.
    assert headers == [
        "Centre",
        "Staff",
        "Travel",
        "Production",
        "Total costs",
        "Own contribution",
        "Requested grant",
        "Rate",
    ]
    cells = {
        text(row.th).split(" (")[0]: [text(td) for td in row.select("td")]
        for row in panel.select("tbody tr")
    }
    assert cells["Maison de la culture de Lyon"] == [
        "8,000.00", "2,000.00", "0.00", "10,000.00", "2,000.00", "8,000.00", "80.0 %"
    ]  # fmt: skip
    assert cells["Centre culturel de Liège"] == [
        "5,000.00", "0.00", "3,000.00", "8,000.00", "1,000.00", "7,000.00", "87.5 %"
    ]  # fmt: skip
    graz = panel.select("tbody tr")[2]
    assert "not counted" in text(graz.th)
    # The totals count the confirmed partners: 18,000 of costs, 15,000 requested = 83.3 %.
    total = [text(td) for td in panel.select("tfoot td")]
    assert total == [
        "13,000.00", "2,000.00", "3,000.00", "18,000.00", "3,000.00", "15,000.00", "83.3 %"
    ]  # fmt: skip
    assert "The co-financing rate is above the call's maximum." in text(panel)
    assert "at most 80.0 %" in text(panel)


def test_the_eligibility_results(page):
    panel = page.select_one("#eligibility-section")
    results = {item["data-condition"]: text(item) for item in panel.select("[data-condition]")}
    assert list(results) == [
        "call_closed",
        "min_partners",
        "min_countries",
        "mandate_missing",
        "budget_empty",
        "max_grant",
        "cofinancing_rate",
        "duration",
        *(["question_unanswered"] if "question_unanswered" in results else []),
    ]
    # Submitted before the deadline, whenever the page is read.
    assert results["call_closed"].startswith("Passed Submitted while the call accepted")
    assert results["min_partners"].startswith("Failed")
    assert (
        "3 confirmed centres are needed (the lead included); there are 2."
        in (results["min_partners"])
    )
    assert results["mandate_missing"].startswith("Failed")
    assert "Centre culturel de Liège" in results["mandate_missing"]
    assert results["cofinancing_rate"].startswith("Failed")
    assert results["min_countries"].startswith("Passed")
    assert "6 of " in text(panel)


def test_the_answers_to_the_calls_questions(page):
    panel = page.select_one("#answers-section")
    assert "Motto" in text(panel) and "Stages for all" in text(panel)
    assert "Audience" in text(panel) and "Not answered" in text(panel)


def test_the_reviews_with_the_means_per_criterion(page):
    panel = page.select_one("#reviews-section")
    rows = {
        text(row.th): [text(td) for td in row.select("td")] for row in panel.select("[data-review]")
    }
    assert rows["Ana Horvat"][2:] == ["8", "6", "14.00"]
    assert rows["Bo Lind"][2:] == ["3", "5", "8.00"]
    assert rows["Cy Moreau"][2:] == ["—", "—", "—"]  # a review being written is no score yet
    means = [text(td) for td in panel.select("[data-criterion-means] td")]
    assert means == ["5.50 below 6", "5.50", "11.00"]
    assert "Mean weighted score 11.00 over 2 submitted reviews" in text(panel)


def test_the_messages_newest_first_with_the_coordinators_notes(page, proposal):
    panel = page.select_one("#messages-section")
    messages = [text(item) for item in panel.select("[data-message]")]
    assert len(messages) == 2
    assert messages[0].startswith("Claire Martin (network secretariat)")
    assert "Coordinators only" in messages[0] and "Check the Graz invitation." in messages[0]
    assert messages[1].startswith("Lucie Bernard (Maison de la culture de Lyon)")
    link = reverse("workspace:project_messages", args=[proposal.pk])
    assert panel.select_one(f"a[href='{link}']") is not None


def test_the_history_and_the_header_actions(page, proposal):
    history = text(page.select_one("#history-section"))
    assert "Request changes" in history and "Claire Martin" in history
    header = str(page.select_one("header"))
    assert reverse("jointproject:ranking", args=[proposal.call_id]) in header
    assert reverse("jointproject:bulk_assign", args=[proposal.call_id]) in header


def test_a_submitted_report_and_an_unpaid_payment_are_actions(client, secretariat):
    project = JointProjectFactory(state=ProjectState.REPORT_SUBMITTED)
    report = Report.objects.create(
        project=project, kind=ReportKind.FINAL, state=ReportState.SUBMITTED
    )
    PaymentFactory(project=project, kind=PaymentKind.PREFINANCING, amount=Decimal("6000"))
    verified_login(client, secretariat)
    html = BeautifulSoup(client.get(inspect_url(project)).content.decode(), "html.parser")
    actions = {
        item["data-action-code"]: item
        for item in html.select("#actions-section [data-action-code]")
    }
    assert list(actions) == ["review_report", "pay_prefinancing"]
    assert actions["review_report"].a["href"] == reverse("report:inspect", args=[report.pk])
    assert actions["pay_prefinancing"].a["href"] == reverse("payment:index")
    assert "Pay the pre-financing: 6,000.00 EUR" in text(actions["pay_prefinancing"])


# --- Coordinators only ------------------------------------------------------------------------


def test_members_and_reviewers_are_sent_to_log_in(client, proposal):
    lead_member = UserFactory(username="member")
    for user in (lead_member, Review.objects.filter(project=proposal).first().reviewer):
        client.force_login(user)
        response = client.get(inspect_url(proposal))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_staff_editor_with_every_permission_is_refused(client, proposal):
    editor = UserFactory(username="editor", is_staff=True)
    grant_permissions(editor, "access_admin", "view_jointproject", "change_jointproject")
    client.force_login(editor)
    response = client.get(inspect_url(proposal))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    # The view refuses on its own too, not only behind the Grants menu's wrapper.
    request = RequestFactory().get(inspect_url(proposal))
    request.user = editor
    view = JointProjectInspectView.as_view(model=type(proposal))
    with pytest.raises(PermissionDenied):
        view(request, pk=proposal.pk)


# --- Queries --------------------------------------------------------------------------------------


def build(secretariat, state, *, partners, lines, reviews, history, messages, recoveries):
    """A proposal in `state` of the given size, on a call with two criteria."""
    call = CallFactory(min_reviews=2)
    criteria = [AwardCriterionFactory(call=call, sort_order=i) for i in range(2)]
    project = JointProjectFactory(call=call, state=state)
    partnerships = [project.partnerships.get()]
    partnerships += [PartnershipFactory(project=project) for _ in range(partners - 1)]
    categories = list(BudgetCategory)
    for partnership in partnerships:
        for i in range(lines):
            BudgetLineFactory(partnership=partnership, category=categories[i % len(categories)])
        Partnership.objects.filter(pk=partnership.pk).update(
            mandate_signed_by=secretariat,
            mandate_signed_at=timezone.now(),
            mandate_file="mandates/x.pdf",
            agreement_accepted_by=secretariat,
            agreement_accepted_at=timezone.now(),
        )
    for _ in range(reviews):
        review = Review.objects.create(
            project=project, reviewer=reviewer(), state=ReviewState.SUBMITTED
        )
        for criterion in criteria:
            ReviewScore.objects.create(review=review, criterion=criterion, score=5)
    for _ in range(history):
        log(project, project, "submit", S.DRAFT, S.SUBMITTED, timezone.now(), UserFactory())
    for _ in range(messages):
        Message.objects.create(project=project, author=UserFactory(), body="Hello.")
    PaymentFactory(project=project)
    for _ in range(recoveries):
        PaymentFactory(project=project, kind=PaymentKind.RECOVERY)
    Report.objects.create(project=project, kind=ReportKind.FINAL, state=ReportState.SUBMITTED)
    return project


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


SMALL = {"partners": 2, "lines": 2, "reviews": 2, "history": 3, "messages": 2, "recoveries": 0}
LARGE = {"partners": 6, "lines": 6, "reviews": 8, "history": 20, "messages": 25, "recoveries": 3}


@pytest.mark.django_db
@pytest.mark.parametrize("state", [ProjectState.UNDER_REVIEW, ProjectState.REPORT_SUBMITTED])
def test_the_page_runs_the_same_queries_for_a_small_and_a_large_proposal(
    client, secretariat, state
):
    """The admin's chrome, the session and roles, the proposal with its partners and budget
    lines, the history, the reviews and the score, the criteria with each review's scores, the
    messages, the reviewer assignment (while reviewable), the payments and the final report
    (while they matter): at most 20, the issue's bound."""
    small = build(secretariat, state, **SMALL)
    large = build(secretariat, state, **LARGE)
    verified_login(client, secretariat)
    count_queries(client, inspect_url(small))  # warm the per-process caches
    few = count_queries(client, inspect_url(small))
    many = count_queries(client, inspect_url(large))
    assert few == many <= 20, f"{few} queries for the small proposal, {many} for the large one"
