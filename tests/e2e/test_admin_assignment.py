"""A coordinator assigns reviewers to a whole call in the Wagtail admin: preview, then confirm."""

from collections import Counter

import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_admin_decisions import screenshot
from tests.factories import JointProjectFactory, MembershipFactory, PartnershipFactory, reviewer
from tests.workflow.conftest import advance, build_ready
from workflow.models import Review
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db(transaction=True)


def name(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()


def test_coordinator_previews_and_confirms_a_bulk_assignment(
    live_server, site_tree, cast, page, output_dir
):
    cast.coordinator.set_password("ensemble-demo")
    cast.coordinator.save()
    name(cast.reviewer, "Rita", "Alves")
    name(cast.reviewer2, "Jonas", "Berg")
    ana = reviewer(username="ana", first_name="Ana", last_name="Horvat")
    MembershipFactory(centre=cast.partner2_centre, user=ana, role="staff")
    project = advance(cast, build_ready(cast), ProjectState.SUBMITTED)
    for title in ("Dancing Borders", "River Voices"):
        other = JointProjectFactory(
            call=cast.call, title=title, acronym=title[:3].upper(), state=ProjectState.SUBMITTED
        )
        PartnershipFactory(project=other)

    log_in(page, live_server, "coordinator", "ensemble-demo", then="/admin/")

    # The proposal's page: each reviewer's load, Ana's conflict shown and not offered.
    page.goto(f"{live_server.url}/admin/network/projects/inspect/{project.pk}/")
    load = page.locator("#reviewer-load")
    assert "Works for Kulturni centar Zagreb, a centre of this project" in load.inner_text()
    options = page.locator("select[name='assign-reviewer'] option").all_inner_texts()
    assert not any("Ana Horvat" in option for option in options)
    assert any("Rita Alves" in option for option in options)
    assert_accessible(page)
    screenshot(page, output_dir / "1-proposal-reviewers.png")

    page.get_by_role("link", name="Assign reviewers to every proposal of the call").click()
    page.wait_for_url(f"**/admin/network/projects/calls/{cast.call.pk}/assign/")
    assert page.get_by_label("Reviewers per proposal").input_value() == "2"
    assert page.get_by_role("checkbox", name="Ana Horvat").first.is_checked()
    assert_accessible(page)
    screenshot(page, output_dir / "2-bulk-parameters.png")

    page.get_by_role("button", name="Preview the assignments").click()
    page.wait_for_load_state()
    summary = page.locator("#plan-summary").inner_text()
    assert "6 new reviews to assign" in summary
    row = page.locator(f"#plan-proposals tr[data-project='{project.pk}']")
    assert "Ana Horvat" not in row.locator("[data-new]").inner_text()
    assert "Ana Horvat" in row.inner_text()  # named with her conflict
    assert not Review.objects.exists()  # a preview writes nothing
    assert_accessible(page)
    screenshot(page, output_dir / "3-bulk-preview.png")

    page.get_by_role("button", name="Confirm and assign 6 reviews").click()
    page.wait_for_url(f"**/admin/network/projects/calls/{cast.call.pk}/assign/")
    assert "6 reviews assigned" in page.locator(".messages .success").inner_text()
    screenshot(page, output_dir / "4-bulk-assigned.png")

    assert Review.objects.count() == 6
    assert not Review.objects.filter(reviewer=ana, project=project).exists()
    loads = Counter(Review.objects.values_list("reviewer__username", flat=True))
    assert loads == {"reviewer": 2, "reviewer2": 2, "ana": 2}
