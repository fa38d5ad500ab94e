"""A coordinator opens a call's page in the Wagtail admin and duplicates the call as next year's,
in a real browser."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import Call
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.factories import (
    AwardCriterionFactory,
    BudgetLineFactory,
    CallFactory,
    CallTierFactory,
    JointProjectFactory,
    coordinator,
)
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_opens_a_call_and_duplicates_it(live_server, site_tree, page, output_dir):
    coordinator(username="coordinator", password="ensemble-demo", first_name="Claire")
    now = timezone.now()
    call = CallFactory(
        title="Joint Projects 2027",
        slug="joint-projects-2027",
        budget=Decimal("100000.00"),
        opens_at=now - timedelta(days=20),
        deadline=now + timedelta(days=12),
        questions=[
            {
                "type": "long_text",
                "value": {
                    "label": "Who are your audiences?",
                    "help_text": "",
                    "required": True,
                    "word_limit": 300,
                },
            }
        ],
    )
    CallTierFactory(call=call, name="Small", max_grant=Decimal("20000.00"))
    CallTierFactory(call=call, name="Large", max_grant=Decimal("60000.00"))
    AwardCriterionFactory(call=call, name="Artistic quality", max_score=10, threshold=6)
    AwardCriterionFactory(call=call, name="Reach", max_score=10, threshold=4)
    for state, awarded in (
        (ProjectState.UNDER_REVIEW, None),
        (ProjectState.UNDER_REVIEW, None),
        (ProjectState.APPROVED, Decimal("30000")),
        (ProjectState.IN_PROGRESS, Decimal("12500")),
        (ProjectState.REJECTED, None),
    ):
        project = JointProjectFactory(call=call, state=state, awarded_amount=awarded)
        BudgetLineFactory(partnership=project.partnerships.get(), amount=Decimal("15000"))

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/network/calls/")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "open" in row.lower() and "42,500.00 EUR" in row
    screenshot(page, output_dir / "1-calls.png")
    assert_accessible(page)

    # The title opens the call's page.
    page.get_by_role("link", name="Joint Projects 2027").first.click()
    page.wait_for_url(f"**/admin/network/calls/inspect/{call.pk}/")
    budget = page.locator("#budget-section").inner_text()
    assert "42,500.00 EUR" in budget and "57,500.00 EUR" in budget and "30,000.00 EUR" in budget
    proposals = page.locator("#proposals-by-state")
    assert "Under review" in proposals.inner_text()
    assert page.locator("[data-call-schedule]").inner_text() == "closes in 12 days"
    screenshot(page, output_dir / "2-call-page.png")
    assert_accessible(page)

    # Each state leads to the proposals' listing filtered by the call and the state.
    proposals.get_by_role("link", name="Under review").click()
    page.wait_for_url(f"**/admin/network/projects/?call={call.pk}&state=under_review")
    assert page.locator("table.listing tbody tr").count() == 2
    page.go_back()

    page.get_by_role("link", name="Duplicate as next year's").first.click()
    page.wait_for_url(f"**/admin/network/calls/duplicate/{call.pk}/")
    assert page.get_by_label("Title").input_value() == "Joint Projects 2028"
    screenshot(page, output_dir / "3-duplicate-form.png")
    assert_accessible(page)

    page.get_by_role("button", name="Duplicate as next year's").click()
    copy = Call.objects.get(slug="joint-projects-2028")
    page.wait_for_url(f"**/admin/network/calls/edit/{copy.pk}/")
    success = page.locator(".messages .success").inner_text()
    assert "“Joint Projects 2028” was created from “Joint Projects 2027”" in success
    screenshot(page, output_dir / "4-new-call-edit.png")

    assert sorted(copy.tiers.values_list("name", flat=True)) == ["Large", "Small"]
    assert copy.criteria.count() == 2
    assert len(copy.questions) == 1
    assert copy.deadline.year == call.deadline.year + 1 or (copy.deadline - call.deadline).days in (
        365,
        366,
    )
