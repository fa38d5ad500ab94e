"""Proposal revisions (issue 7, item 5): recorded by the services on every saved change, read
by the lead, the partners and the coordinators, compared as a reader compares them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import ProposalRevision, RevisionReason
from projects.revisions import default_comparison, revision_diff, word_diff
from projects.services import project_update
from tests.factories.auth import verified_login
from tests.workflow.conftest import add_partner, advance, build_draft, build_ready
from workflow import services

pytestmark = pytest.mark.django_db


def reasons(project):
    return list(project.revisions.order_by("number").values_list("reason", flat=True))


def test_creating_and_saving_a_proposal_records_revisions_only_when_something_changed(cast):
    project = build_draft(cast)
    assert reasons(project) == ["saved"]
    project_update(project_id=project.pk, actor=cast.lead_manager, title="Shared Stages")
    assert reasons(project) == ["saved"]  # same title: nothing new
    project_update(project_id=project.pk, actor=cast.lead_manager, title="Open Stages")
    assert reasons(project) == ["saved", "saved"]
    latest = project.revisions.order_by("-number").first()
    assert latest.number == 2
    assert latest.author == cast.lead_manager
    assert latest.content["fields"]["title"] == "Open Stages"


def test_budgets_partners_and_submission_are_revisions_too(cast):
    project = build_ready(cast)
    assert "budget" in reasons(project)
    assert "consortium" in reasons(project)  # invitations, answers, mandates
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    assert reasons(project)[-1] == "submitted"
    snapshot = project.revisions.order_by("-number").first().content
    assert {p["centre"] for p in snapshot["partners"]} == {
        cast.lead_centre.name,
        cast.partner_centre.name,
        cast.partner2_centre.name,
    }
    assert snapshot["budgets"][cast.partner_centre.name]["lines"]


def test_a_return_and_a_resubmission_are_the_default_comparison(cast):
    project = build_ready(cast)
    advance(cast, project, "under_review")
    services.project_transition(
        project_id=project.pk, name="request_changes", actor=cast.coordinator, comment="More."
    )
    project_update(
        project_id=project.pk,
        actor=cast.lead_manager,
        description="A longer description with the audience named.",
    )
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    revisions = list(project.revisions.all())  # newest first
    assert revisions[0].reason == RevisionReason.RESUBMITTED
    returned = next(r for r in revisions if r.reason == RevisionReason.RETURNED)
    assert default_comparison(revisions) == (returned.number, revisions[0].number)
    diff = revision_diff(returned.content, revisions[0].content)
    assert [change.name for change in diff.fields] == ["description"]


def test_word_diff_marks_only_the_changed_words():
    assert word_diff("Three centres share stages", "Four centres share their stages") == [
        ("delete", "Three "),
        ("insert", "Four "),
        ("equal", "centres share "),
        ("insert", "their "),
        ("equal", "stages"),
    ]
    # A run of changed words is one change.
    assert word_diff("with young audiences.", "with school classes and families.") == [
        ("equal", "with "),
        ("delete", "young audiences."),
        ("insert", "school classes and families."),
    ]


def test_the_diff_lists_partners_and_budget_lines(cast):
    project = build_draft(cast)
    first = project.revisions.get().content
    add_partner(cast, project, cast.partner_centre, cast.partner_manager)
    last = project.revisions.order_by("-number").first().content
    diff = revision_diff(first, last)
    assert diff.partners_added == [
        f"{cast.partner_centre.name} ({cast.partner_centre.country.code})"
    ]
    (centre, contribution, removed, added) = diff.budgets[0]
    assert centre == cast.partner_centre.name
    assert contribution == ("0.00", "2000.00")
    assert removed == [] and added


# --- Pages ---------------------------------------------------------------------------------


def test_lead_partner_and_coordinator_read_revisions_others_get_404(client, cast):
    project = build_ready(cast)
    url = f"/workspace/projects/{project.pk}/revisions/"
    for user in (cast.lead_manager, cast.partner_manager, cast.coordinator):
        verified_login(client, user)
        assert client.get(url).status_code == 200, user
        client.logout()
    for user in (cast.other_manager, cast.reviewer):
        verified_login(client, user)
        assert client.get(url).status_code == 404, user
        assert client.get(url + "compare/?from=1&to=2").status_code == 404, user
        client.logout()


def test_the_comparison_page_shows_what_changed(client, cast):
    project = build_draft(cast)
    project_update(
        project_id=project.pk, actor=cast.lead_manager, summary="Three centres share stages."
    )
    project_update(
        project_id=project.pk, actor=cast.lead_manager, summary="Four centres share stages."
    )
    verified_login(client, cast.lead_manager)
    response = client.get(f"/workspace/projects/{project.pk}/revisions/compare/?from=2&to=3")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Three </del>" in body
    assert "Four </ins>" in body
    assert "Public summary" in body
    # Without parameters: the two newest (no submission yet).
    assert client.get(f"/workspace/projects/{project.pk}/revisions/compare/").status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [("?from=x&to=2", 400), ("?from=1", 400), ("?from=1&to=99", 404), ("?from=-1&to=2", 400)],
)
def test_bad_comparisons_are_4xx(client, cast, query, status):
    project = build_draft(cast)
    project_update(project_id=project.pk, actor=cast.lead_manager, title="Changed")
    verified_login(client, cast.lead_manager)
    response = client.get(f"/workspace/projects/{project.pk}/revisions/compare/{query}")
    assert response.status_code == status


def test_the_revision_list_costs_the_same_for_2_and_25_revisions(client, cast):
    project = build_draft(cast)
    verified_login(client, cast.lead_manager)
    url = f"/workspace/projects/{project.pk}/revisions/"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    project_update(project_id=project.pk, actor=cast.lead_manager, title="t-1")
    small = count()
    for n in range(23):
        project_update(project_id=project.pk, actor=cast.lead_manager, title=f"t{n}")
    assert ProposalRevision.objects.filter(project=project).count() == 25
    assert count() == small
