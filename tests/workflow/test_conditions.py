"""Every condition of every transition, failing through the JSON API (PRODUCT.md §3, §4).

A failed condition answers 422 with `{"errors": [{"code", "message"}]}` listing every failure.
One table maps each condition code to a scenario that triggers it; the last test checks that the
table covers every code the application defines (the `Failure("code", …)` in
workflow/conditions.py and workflow/services/), so a new condition without a test fails here.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import BudgetCategory, Call, JointProject, Partnership, Report
from tests.workflow.conftest import (
    BUDGET,
    add_partner,
    advance,
    build_draft,
    build_ready,
    review,
    write_final_report,
)
from tests.workflow.test_question_conditions import question_unanswered
from workflow import services
from workflow.models import Review
from workflow.states import PartnershipState, ProjectState, ReportState

pytestmark = pytest.mark.django_db

COMMENT = "Explained in the letter of 3 March."

# --- Helpers ------------------------------------------------------------------------------------


def client_for(user, language=None):
    client = APIClient(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    client.force_authenticate(user)
    return client


def run(user, project, name, body=None, language=None):
    return client_for(user, language).post(
        f"/api/v1/projects/{project.pk}/transitions/{name}/", body or {}, format="json"
    )


def codes(response):
    return [error["code"] for error in response.json()["errors"]]


def assert_conditions(response, expected):
    """422, the documented body shape, and exactly the `expected` codes (each once)."""
    assert response.status_code == 422, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"errors"}
    for error in body["errors"]:
        assert set(error) == {"code", "message"}
        assert isinstance(error["message"], str) and error["message"].strip()
    found = codes(response)
    assert len(found) == len(set(found)), f"a code is listed twice: {found}"
    assert set(found) == set(expected)
    return {error["code"]: error["message"] for error in body["errors"]}


def fresh(project):
    return JointProject.objects.get(pk=project.pk)


def set_call(cast, **fields):
    Call.objects.filter(pk=cast.call.pk).update(**fields)
    cast.call.refresh_from_db()


def set_budget(cast, project, centre, manager, amount, own_contribution):
    partnership = project.partnerships.get(centre=centre)
    services.partnership_set_budget(
        partnership_id=partnership.pk,
        actor=manager,
        lines=[{"category": BudgetCategory.PRODUCTION, "description": "Stage", "amount": amount}],
        own_contribution=own_contribution,
    )


def under_review(cast, scores=((8, 7), (8, 7))):
    """A ready proposal under review, with one submitted review per entry of `scores`."""
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    for user, marks in zip((cast.reviewer, cast.reviewer2), scores, strict=False):
        review(cast, project, user, scores=marks)
    return project


def accept_agreements(cast, project):
    managers = {
        cast.lead_centre.pk: cast.lead_manager,
        cast.partner_centre.pk: cast.partner_manager,
        cast.partner2_centre.pk: cast.partner2_manager,
    }
    for partnership in project.partnerships.filter(state=PartnershipState.CONFIRMED):
        services.partnership_accept_agreement(
            partnership_id=partnership.pk, actor=managers[partnership.centre_id]
        )


def passed_deadline(cast):
    set_call(cast, deadline=timezone.now() - timedelta(days=1))


# --- One scenario per condition code: each returns (the 422 response, the exact codes) ----------
# The ready proposal: 3 confirmed centres (FR, BE, HR), mandates signed, each 10,000 of costs and
# 2,000 own contribution (24,000 requested of 30,000: 80 %), 12 months, call open, max 100,000.


def title_missing(cast):
    project = build_draft(cast)
    JointProject.objects.filter(pk=project.pk).update(title="  ")
    return run(cast.lead_staff, project, "open_partner_search"), {"title_missing"}


def summary_missing(cast):
    project = build_draft(cast)
    JointProject.objects.filter(pk=project.pk).update(summary="")
    return run(cast.lead_staff, project, "open_partner_search"), {"summary_missing"}


def call_closed(cast):
    project = build_ready(cast)
    passed_deadline(cast)
    response = run(cast.lead_manager, project, "open_partner_search")
    assert_conditions(response, {"call_closed"})
    return run(cast.lead_manager, project, "submit"), {"call_closed"}


def min_partners(cast):
    project = build_ready(cast)  # FR, BE, HR; one leaves: 2 centres in 2 countries, 3 needed
    services.partnership_transition(
        partnership_id=project.partnerships.get(centre=cast.partner2_centre).pk,
        name="withdraw",
        actor=cast.partner2_manager,
    )
    return run(cast.lead_manager, project, "submit"), {"min_partners"}


def min_countries(cast):
    project = build_ready(cast)  # 3 countries
    set_call(cast, min_countries=4)
    return run(cast.lead_manager, project, "submit"), {"min_countries"}


def mandate_missing(cast):
    project = build_ready(cast)
    Partnership.objects.filter(project=project, centre=cast.partner_centre).update(
        mandate_signed_at=None, mandate_signed_by=None
    )
    response = run(cast.lead_manager, project, "submit")
    messages = assert_conditions(response, {"mandate_missing"})
    assert cast.partner_centre.name in messages["mandate_missing"]
    assert cast.partner2_centre.name not in messages["mandate_missing"]
    return response, {"mandate_missing"}


def budget_empty(cast):
    project = build_ready(cast)
    managers = [
        (cast.lead_centre, cast.lead_manager),
        (cast.partner_centre, cast.partner_manager),
        (cast.partner2_centre, cast.partner2_manager),
    ]
    for centre, manager in managers:
        services.partnership_set_budget(
            partnership_id=project.partnerships.get(centre=centre).pk,
            actor=manager,
            lines=[],
            own_contribution=Decimal("0"),
        )
    return run(cast.lead_manager, project, "submit"), {"budget_empty"}


def max_grant(cast):
    project = build_ready(cast)
    # The lead: 200,000 of costs, 60,000 own → 140,000 + 2 × 8,000 = 156,000 requested of
    # 220,000 (71 %): above the 100,000 maximum, within the 80 % rate.
    set_budget(
        cast, project, cast.lead_centre, cast.lead_manager, Decimal("200000"), Decimal("60000")
    )
    return run(cast.lead_manager, project, "submit"), {"max_grant"}


def cofinancing_rate(cast):
    project = build_ready(cast)
    # The lead asks for all its 10,000: 26,000 requested of 30,000 = 86.7 % > 80 %.
    set_budget(cast, project, cast.lead_centre, cast.lead_manager, Decimal("10000"), Decimal("0"))
    return run(cast.lead_manager, project, "submit"), {"cofinancing_rate"}


def duration(cast):
    project = build_ready(cast)
    JointProject.objects.filter(pk=project.pk).update(
        end_date=project.start_date + timedelta(days=3 * 365)
    )
    return run(cast.lead_manager, project, "submit"), {"duration"}


def comment_required(cast):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    return run(cast.coordinator, project, "reject", {"comment": "   "}), {"comment_required"}


def min_reviews(cast):
    project = under_review(cast, scores=((8, 7),))  # 1 of the 2 reviews the call needs
    return (
        run(cast.coordinator, project, "approve", {"awarded_amount": "20000.00"}),
        {"min_reviews"},
    )


def awarded_amount(cast):
    project = under_review(cast)
    return run(cast.coordinator, project, "approve", {}), {"awarded_amount"}


def call_budget(cast):
    # A first proposal of the call is awarded 20,000 of a 30,000 budget: 10,000 remain.
    first = under_review(cast)
    services.project_transition(
        project_id=first.pk,
        name="approve",
        actor=cast.coordinator,
        awarded_amount=Decimal("20000.00"),
    )
    set_call(cast, budget=Decimal("30000.00"))
    second = under_review(cast)
    response = run(cast.coordinator, second, "approve", {"awarded_amount": "10000.01"})
    assert_conditions(response, {"call_budget"})
    within = run(cast.coordinator, second, "approve", {"awarded_amount": "10000.00"})
    assert within.status_code == 200, within.content
    third = under_review(cast)
    return run(cast.coordinator, third, "approve", {"awarded_amount": "1.00"}), {"call_budget"}


def below_threshold(cast):
    project = under_review(cast, scores=((3, 2), (4, 3)))  # below every threshold
    return (
        run(cast.coordinator, project, "approve", {"awarded_amount": "20000.00"}),
        {"below_threshold"},
    )


def agreement_pending(cast):
    project = advance(cast, build_ready(cast), ProjectState.APPROVED)
    lead = project.partnerships.get(centre=cast.lead_centre)
    services.partnership_accept_agreement(partnership_id=lead.pk, actor=cast.lead_manager)
    response = run(cast.coordinator, project, "start")
    messages = assert_conditions(response, {"agreement_pending"})
    assert cast.partner_centre.name in messages["agreement_pending"]
    assert cast.lead_centre.name not in messages["agreement_pending"]
    return response, {"agreement_pending"}


def report_incomplete(cast):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)  # no final report yet
    return run(cast.lead_manager, project, "submit_report"), {"report_incomplete"}


def already_partner(cast):
    project = build_ready(cast)
    response = client_for(cast.lead_manager).post(
        f"/api/v1/projects/{project.pk}/partnerships/",
        {"centre": cast.partner_centre.pk},
        format="json",
    )
    return response, {"already_partner"}


def project_locked(cast):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    response = client_for(cast.lead_manager).post(
        f"/api/v1/projects/{project.pk}/partnerships/",
        {"centre": cast.other_centre.pk},
        format="json",
    )
    return response, {"project_locked"}


def not_open(cast):
    project = advance(cast, build_ready(cast), ProjectState.APPROVED)  # public, not open
    response = client_for(cast.other_manager).post(
        f"/api/v1/projects/{project.pk}/partnerships/",
        {"centre": cast.other_centre.pk},
        format="json",
    )
    return response, {"not_open"}


def lead_cannot_leave(cast):
    project = build_ready(cast)
    lead = project.partnerships.get(centre=cast.lead_centre)
    response = client_for(cast.lead_manager).post(
        f"/api/v1/partnerships/{lead.pk}/transitions/withdraw/", {}, format="json"
    )
    return response, {"lead_cannot_leave"}


def assign(cast, project, user):
    return client_for(cast.coordinator).post(
        f"/api/v1/projects/{project.pk}/reviews/", {"reviewer": user.pk}, format="json"
    )


def conflict_of_interest(cast):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    # The partner's manager is also an expert of the Reviewers group.
    cast.partner_manager.groups.add(Group.objects.get(name="Reviewers"))
    return assign(cast, project, cast.partner_manager), {"conflict_of_interest"}


def not_a_reviewer(cast):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    return assign(cast, project, cast.other_manager), {"not_a_reviewer"}


def already_assigned(cast):
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    assert assign(cast, project, cast.reviewer).status_code == 201
    return assign(cast, project, cast.reviewer), {"already_assigned"}


def scores_incomplete(cast):
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    assigned = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    first = cast.call.criteria.order_by("pk").first()
    services.review_score(
        review_id=assigned.pk,
        actor=cast.reviewer,
        scores=[{"criterion": first.pk, "score": 7, "comment": ""}],
    )
    response = client_for(cast.reviewer).post(
        f"/api/v1/reviews/{assigned.pk}/transitions/submit/", {}, format="json"
    )
    messages = assert_conditions(response, {"scores_incomplete"})
    assert "Reach" in messages["scores_incomplete"]
    assert "Quality" not in messages["scores_incomplete"]
    return response, {"scores_incomplete"}


def report_exists(cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    client = client_for(cast.lead_manager)
    url = f"/api/v1/projects/{project.pk}/reports/"
    assert client.post(url, {"kind": "final"}, format="json").status_code == 201
    assert client.post(url, {"kind": "interim"}, format="json").status_code == 201
    assert client.post(url, {"kind": "interim"}, format="json").status_code == 201
    return client.post(url, {"kind": "final"}, format="json"), {"report_exists"}


SCENARIOS = {
    scenario.__name__: scenario
    for scenario in [
        # open_partner_search
        title_missing,
        summary_missing,
        call_closed,
        # submit
        min_partners,
        min_countries,
        mandate_missing,
        budget_empty,
        max_grant,
        cofinancing_rate,
        duration,
        question_unanswered,
        # decisions
        comment_required,
        min_reviews,
        awarded_amount,
        call_budget,
        below_threshold,
        agreement_pending,
        report_incomplete,
        # partnerships
        already_partner,
        project_locked,
        not_open,
        lead_cannot_leave,
        # reviews
        conflict_of_interest,
        not_a_reviewer,
        already_assigned,
        scores_incomplete,
        # reports
        report_exists,
    ]
}


@pytest.mark.parametrize("code", list(SCENARIOS))
def test_condition_fails_through_the_api(cast, code):
    response, expected = SCENARIOS[code](cast)
    assert code in expected
    assert_conditions(response, expected)


# --- Conditions in more detail -----------------------------------------------------------------


def test_an_override_reason_lets_a_proposal_below_threshold_be_approved(cast):
    project = under_review(cast, scores=((3, 2), (4, 3)))
    blank = run(
        cast.coordinator,
        project,
        "approve",
        {"awarded_amount": "20000.00", "override_reason": "   "},
    )
    assert_conditions(blank, {"below_threshold"})
    response = run(
        cast.coordinator,
        project,
        "approve",
        {"awarded_amount": "20000.00", "override_reason": "Unique in its region."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ProjectState.APPROVED
    project = fresh(project)
    assert project.awarded_amount == Decimal("20000.00")
    approval = project.history.get(transition="approve")
    assert approval.payload["override_reason"] == "Unique in its region."


@pytest.mark.parametrize(
    "amount",
    [None, "0.00", "-100.00", "24000.01"],
    ids=["missing", "zero", "negative", "above_requested"],
)
def test_the_awarded_amount_is_above_zero_and_at_most_the_requested_grant(cast, amount):
    project = under_review(cast)
    body = {} if amount is None else {"awarded_amount": amount}
    assert_conditions(run(cast.coordinator, project, "approve", body), {"awarded_amount"})
    exactly = run(cast.coordinator, project, "approve", {"awarded_amount": "24000.00"})
    assert exactly.status_code == 200, exactly.content


def test_the_call_is_closed_before_it_opens(cast):
    project = build_ready(cast)
    set_call(
        cast,
        opens_at=timezone.now() + timedelta(days=2),
        deadline=timezone.now() + timedelta(days=30),
    )
    assert_conditions(run(cast.lead_manager, project, "submit"), {"call_closed"})


def test_a_proposal_with_changes_requested_keeps_to_the_resubmission_date(cast):
    """After the call's deadline, the coordinator's resubmission date decides instead."""
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    response = run(
        cast.coordinator,
        project,
        "request_changes",
        {"comment": COMMENT, "resubmission_date": (timezone.now() + timedelta(days=7)).isoformat()},
    )
    assert response.status_code == 200, response.content
    passed_deadline(cast)

    # The resubmission date has passed: closed, and the message names that date, not the call's.
    JointProject.objects.filter(pk=project.pk).update(
        resubmission_date=timezone.now() - timedelta(hours=1)
    )
    messages = assert_conditions(run(cast.lead_manager, project, "submit"), {"call_closed"})
    assert "resubmission" in messages["call_closed"]

    # Still before the resubmission date: the call's passed deadline does not matter.
    JointProject.objects.filter(pk=project.pk).update(
        resubmission_date=timezone.now() + timedelta(days=3)
    )
    response = run(cast.lead_manager, project, "submit")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == ProjectState.SUBMITTED


def test_the_resubmission_date_does_not_reopen_a_call_that_is_still_open(cast):
    """Within the call's deadline but past the resubmission date: closed for this proposal."""
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    services.project_transition(
        project_id=project.pk, name="request_changes", actor=cast.coordinator, comment=COMMENT
    )
    JointProject.objects.filter(pk=project.pk).update(
        resubmission_date=timezone.now() - timedelta(minutes=5)
    )
    assert_conditions(run(cast.lead_manager, project, "submit"), {"call_closed"})


@pytest.mark.parametrize(
    ("source", "transition"),
    [
        (ProjectState.SUBMITTED, "request_changes"),
        (ProjectState.UNDER_REVIEW, "request_changes"),
        (ProjectState.SUBMITTED, "reject"),
        (ProjectState.UNDER_REVIEW, "reject"),
        (ProjectState.REPORT_SUBMITTED, "return_report"),
        (ProjectState.APPROVED, "terminate"),
        (ProjectState.IN_PROGRESS, "terminate"),
        (ProjectState.REPORTING, "terminate"),
    ],
    ids=lambda value: str(value),
)
def test_decisions_need_a_comment(cast, source, transition):
    project = advance(cast, build_ready(cast), source)
    assert_conditions(run(cast.coordinator, project, transition), {"comment_required"})
    assert_conditions(
        run(cast.coordinator, project, transition, {"comment": ""}), {"comment_required"}
    )
    assert fresh(project).state == source
    response = run(cast.coordinator, project, transition, {"comment": COMMENT})
    assert response.status_code == 200, response.content


def test_returning_an_interim_report_needs_a_comment(cast):
    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    report = services.report_create(project_id=project.pk, actor=cast.lead_manager, kind="interim")
    # An interim report is not held to the final report's completeness.
    client = client_for(cast.lead_manager)
    response = client.post(f"/api/v1/reports/{report.pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    coordinator = client_for(cast.coordinator)
    url = f"/api/v1/reports/{report.pk}/transitions/return/"
    assert_conditions(coordinator.post(url, {}, format="json"), {"comment_required"})
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert coordinator.post(url, {"comment": COMMENT}, format="json").status_code == 200


@pytest.mark.parametrize(
    "gap", ["narrative", "indicators", "a partner's costs"], ids=lambda gap: gap.replace(" ", "_")
)
def test_an_incomplete_final_report_cannot_be_submitted(cast, gap):
    project = advance(cast, build_ready(cast), ProjectState.REPORTING)
    report = write_final_report(cast, project)
    if gap == "narrative":
        Report.objects.filter(pk=report.pk).update(narrative=" ")
    elif gap == "indicators":
        Report.objects.filter(pk=report.pk).update(indicators={"events": 0, "audience": {}})
    else:
        report.costs.filter(partnership__centre=cast.partner2_centre).delete()
    # Through the project's transition and through the report's own.
    messages = assert_conditions(
        run(cast.lead_manager, project, "submit_report"), {"report_incomplete"}
    )
    if gap == "a partner's costs":
        assert cast.partner2_centre.name in messages["report_incomplete"]
    response = client_for(cast.lead_manager).post(
        f"/api/v1/reports/{report.pk}/transitions/submit/", {}, format="json"
    )
    assert_conditions(response, {"report_incomplete"})
    assert fresh(project).state == ProjectState.REPORTING
    assert Report.objects.get(pk=report.pk).state == ReportState.DRAFT


@pytest.mark.parametrize("transition", ["accept", "withdraw"])
def test_partners_no_longer_change_once_the_proposal_is_locked(cast, transition):
    project = build_ready(cast)
    if transition == "accept":
        # A pending invitation of a proposal that was then withdrawn.
        partnership = services.partnership_invite(
            project_id=project.pk, centre_id=cast.other_centre.pk, actor=cast.lead_manager
        )
        services.project_transition(project_id=project.pk, name="withdraw", actor=cast.lead_manager)
        user = cast.other_manager
    else:
        advance(cast, project, ProjectState.SUBMITTED)
        partnership = project.partnerships.get(centre=cast.partner_centre)
        user = cast.partner_manager
    response = client_for(user).post(
        f"/api/v1/partnerships/{partnership.pk}/transitions/{transition}/", {}, format="json"
    )
    assert_conditions(response, {"project_locked"})


def test_the_minimum_of_partners_counts_confirmed_centres_only(cast):
    """Invited and requesting centres do not count; the lead does."""
    project = build_draft(cast)
    lead = project.partnerships.get()
    services.partnership_sign_mandate(
        partnership_id=lead.pk, actor=cast.lead_manager, declaration=True
    )
    services.partnership_set_budget(
        partnership_id=lead.pk,
        actor=cast.lead_manager,
        lines=BUDGET,
        own_contribution=Decimal("2000.00"),
    )
    add_partner(cast, project, cast.partner_centre, cast.partner_manager)
    services.partnership_invite(
        project_id=project.pk, centre_id=cast.partner2_centre.pk, actor=cast.lead_manager
    )
    messages = assert_conditions(run(cast.lead_manager, project, "submit"), {"min_partners"})
    assert "3" in messages["min_partners"] and "2" in messages["min_partners"]


# --- Several failures at once ------------------------------------------------------------------


def failing_everywhere(cast):
    """A bare draft after the deadline: only the lead, no mandate, no dates, and a budget that
    asks for everything (200,000 of 200,000)."""
    project = build_draft(cast, start_date=None, end_date=None)
    lead = project.partnerships.get()
    services.partnership_set_budget(
        partnership_id=lead.pk,
        actor=cast.lead_manager,
        lines=[
            {"category": BudgetCategory.STAFF, "description": "Team", "amount": Decimal("200000")}
        ],
        own_contribution=Decimal("0"),
    )
    passed_deadline(cast)
    return project


EVERY_SUBMIT_FAILURE = {
    "call_closed",
    "min_partners",
    "min_countries",
    "mandate_missing",
    "max_grant",
    "cofinancing_rate",
    "duration",
}


def test_a_submission_lists_every_failed_condition(cast):
    project = failing_everywhere(cast)
    response = run(cast.lead_manager, project, "submit")
    assert_conditions(response, EVERY_SUBMIT_FAILURE)
    assert fresh(project).state == ProjectState.DRAFT


def test_an_empty_draft_lists_every_failed_condition(cast):
    project = build_draft(cast, start_date=None, end_date=None)
    JointProject.objects.filter(pk=project.pk).update(title="", summary="")
    passed_deadline(cast)
    assert_conditions(
        run(cast.lead_manager, project, "open_partner_search"),
        {"title_missing", "summary_missing", "call_closed"},
    )
    assert_conditions(
        run(cast.lead_manager, project, "submit"),
        {
            "call_closed",
            "min_partners",
            "min_countries",
            "mandate_missing",
            "budget_empty",
            "duration",
        },
    )


def test_an_assignment_lists_every_failed_condition(cast):
    """A centre's manager, not an expert, already assigned by mistake: every reason at once."""
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    Review.objects.create(project=project, reviewer=cast.partner_manager)
    assert_conditions(
        assign(cast, project, cast.partner_manager),
        {"not_a_reviewer", "conflict_of_interest", "already_assigned"},
    )


# --- French ------------------------------------------------------------------------------------

SOURCES = [
    Path(settings.BASE_DIR) / "workflow" / "conditions.py",
    *sorted((Path(settings.BASE_DIR) / "workflow" / "services").glob("*.py")),
]
PO_FILE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _unquote(literal):
    return literal.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def source_messages():
    """Every translatable message of the conditions (the `_("…")` of the sources)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    return {_unquote(m) for m in re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', text)}


def french_catalogue():
    """{msgid: msgstr} of locale/fr/LC_MESSAGES/django.po, without fuzzy or empty entries."""
    if not PO_FILE.exists():
        return {}
    catalogue = {}
    for entry in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = entry.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields, current = {}, None
        for line in lines:
            if match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line):
                current = match.group(1)
                fields[current] = _unquote(match.group(2))
            elif current and (match := re.match(r'^"(.*)"$', line)):
                fields[current] += _unquote(match.group(1))
        msgid = fields.get("msgid")
        msgstr = fields.get("msgstr") or fields.get("msgstr[0]")
        if msgid and msgstr:
            catalogue[msgid] = msgstr
    return catalogue


def template_of(message, templates):
    """The source message an English message was formatted from."""
    for template in templates:
        pattern = re.escape(template)
        pattern = re.sub(r"%\\\(\w+\\\)s", "(.+?)", pattern).replace("%%", "%")
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return template
    raise AssertionError(f"no source message matches {message!r}")


def test_condition_messages_follow_the_request_language(cast):
    project = failing_everywhere(cast)
    english = run(cast.lead_manager, project, "submit", language="en")
    french = run(cast.lead_manager, project, "submit", language="fr")
    english_messages = assert_conditions(english, EVERY_SUBMIT_FAILURE)
    french_messages = assert_conditions(french, EVERY_SUBMIT_FAILURE)
    assert french["Content-Language"] == "fr"
    assert english["Content-Language"] == "en"
    templates, catalogue = source_messages(), french_catalogue()
    untranslated = []
    for code, message in english_messages.items():
        template = template_of(message, templates)
        if template in catalogue:
            assert french_messages[code] != message, (code, french_messages[code])
        else:
            untranslated.append(code)
            assert isinstance(french_messages[code], str) and french_messages[code].strip()
    # The messages without a French translation yet are reported by name (see the report).
    print("condition messages without a French translation:", sorted(untranslated))


# --- Every condition code has its test ---------------------------------------------------------


def defined_codes():
    text = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    return set(re.findall(r'Failure\(\s*"([a-z_]+)"', text))


# The conditions of the coordinators' money services, which only the admin calls (no API
# endpoint): each is refused by the service itself, and the admin shows it as a message
# (tests/projects/admin/test_payments.py, test_reports_queue.py).


def _paid_on_future(cast):
    from datetime import timedelta

    from django.utils import timezone

    project = advance(cast, build_ready(cast), ProjectState.IN_PROGRESS)
    services.payment_mark_paid(
        payment_id=project.payments.get().pk,
        actor=cast.coordinator,
        paid_on=timezone.localdate() + timedelta(days=1),
    )


def _accepted_costs(amount):
    def scenario(cast):
        project = advance(cast, build_ready(cast), ProjectState.REPORT_SUBMITTED)
        report = project.reports.get(kind="final")
        partnership = report.costs.first().partnership_id
        services.report_costs_accept(
            report_id=report.pk, actor=cast.coordinator, accepted={partnership: amount}
        )

    return scenario


SERVICE_SCENARIOS = {
    "paid_on_future": _paid_on_future,
    "accepted_negative": _accepted_costs(Decimal("-1")),
    "accepted_above_reported": _accepted_costs(Decimal("99999999")),
}


@pytest.mark.parametrize("code", list(SERVICE_SCENARIOS))
def test_condition_fails_in_the_service(cast, code):
    from workflow.exceptions import ConditionsNotMet

    with pytest.raises(ConditionsNotMet) as refused:
        SERVICE_SCENARIOS[code](cast)
    assert [failure.code for failure in refused.value.failures] == [code]


def test_every_condition_code_is_covered():
    defined = defined_codes()
    assert len(defined) >= 25, defined  # the regex still finds them
    covered = set(SCENARIOS) | set(SERVICE_SCENARIOS)
    assert covered == defined, {
        "defined but without a scenario": sorted(defined - covered),
        "scenario for an unknown code": sorted(covered - defined),
    }
