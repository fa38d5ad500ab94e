"""The coordinator's overview on the admin home, in a real browser: one "Grants" menu and the
open calls by state, with what is overdue or pending."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import log_in
from tests.factories import CallFactory, JointProjectFactory, UserFactory, coordinator
from workflow.models import Review
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_sees_the_grants_overview(live_server, site_tree, page, output_dir):
    coordinator(username="coordinator", password="ensemble-demo", first_name="Claire")
    call = CallFactory(title="Joint Projects 2027")
    for state in (ProjectState.SUBMITTED, ProjectState.SUBMITTED, ProjectState.DRAFT):
        JointProjectFactory(call=call, state=state)
    late = JointProjectFactory(call=call, state=ProjectState.UNDER_REVIEW)
    Review.objects.create(
        project=late, reviewer=UserFactory(), due_date=timezone.localdate() - timedelta(days=3)
    )
    JointProjectFactory(state=ProjectState.APPROVED)

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    panel = page.locator("#grants-overview-section")
    panel.wait_for()
    row = panel.locator(f"tr[data-call='{call.pk}']")
    assert "Joint Projects 2027" in row.inner_text()
    assert "Submitted: 2" in row.inner_text()
    figures = panel.locator("[data-grants-figures]").inner_text()
    assert "Reviews overdue" in figures and "Grant agreements pending" in figures
    sidebar = page.locator("#wagtail-sidebar")
    assert sidebar.get_by_role("button", name="Grants", exact=True).count() == 1
    assert sidebar.get_by_role("button", name="Network", exact=True).count() == 0
    page.screenshot(path=output_dir / "admin-home-panels.png", full_page=True)

    row.get_by_role("link", name="Submitted: 2").click()
    page.wait_for_url("**/admin/network/projects/?call=*")
    assert page.locator("table.listing tbody tr").count() == 2
