"""The workspace home's side panels come a page at a time: the page does not grow with a
reviewer's or a manager's history."""

import re

import pytest

from projects.workspace.dashboard import SIDE_PAGE_SIZE
from tests.factories import JointProjectFactory, PartnershipFactory
from workflow.models import Review
from workflow.states import PartnershipState, ReviewState

pytestmark = pytest.mark.django_db


def titles(response):
    return re.findall(r"Review me (\d+)", response.content.decode())


def test_the_review_queue_is_paged_open_reviews_first(client, cast):
    for i in range(SIDE_PAGE_SIZE + 3):
        review = Review.objects.create(
            project=JointProjectFactory(call=cast.call, title=f"Review me {i}"),
            reviewer=cast.reviewer,
        )
        if i < 3:  # the three oldest are done: they come after every open one
            Review.objects.filter(pk=review.pk).update(state=ReviewState.SUBMITTED)
    client.force_login(cast.reviewer)

    first = client.get("/workspace/?state=draft")
    shown = titles(first)
    assert len(shown) == SIDE_PAGE_SIZE
    assert not {"0", "1", "2"} & set(shown)
    assert 'href="?state=draft&amp;reviews=2">More</a>' in first.content.decode()

    second = client.get("/workspace/?state=draft&reviews=2")
    assert sorted(titles(second)) == ["0", "1", "2"]
    body = second.content.decode()
    assert 'href="?state=draft&amp;reviews=1">Previous</a>' in body
    assert ">More</a>" not in body

    beyond = client.get("/workspace/?reviews=9")
    assert titles(beyond) == []
    assert "No more reviews." in beyond.content.decode()
    assert client.get("/workspace/?reviews=nonsense").status_code == 200


def waiting_panel(response):
    body = response.content.decode()
    return body[body.index('aria-labelledby="waiting-title"') :].split("</section>")[0]


def test_the_waiting_answers_are_paged(client, cast):
    for i in range(SIDE_PAGE_SIZE + 1):
        PartnershipFactory(
            project=JointProjectFactory(call=cast.call, title=f"Invitation {i}"),
            centre=cast.lead_centre,
            state=PartnershipState.INVITED,
        )
    client.force_login(cast.lead_manager)
    body = waiting_panel(client.get("/workspace/"))
    assert len(set(re.findall(r"Invitation \d+", body))) == SIDE_PAGE_SIZE
    assert 'href="?waiting=2">More</a>' in body
    body = waiting_panel(client.get("/workspace/?waiting=2"))
    assert set(re.findall(r"Invitation \d+", body)) == {"Invitation 0"}  # the oldest, last


def test_invitations_and_requests_share_one_newest_first_paging(client, cast):
    for i in range(SIDE_PAGE_SIZE + 1):
        if i % 2:  # a request from another centre to join a project the lead leads
            project = JointProjectFactory(
                call=cast.call, lead_centre=cast.lead_centre, title=f"Answer {i}"
            )
            PartnershipFactory(
                project=project, centre=cast.other_centre, state=PartnershipState.REQUESTED
            )
        else:
            PartnershipFactory(
                project=JointProjectFactory(call=cast.call, title=f"Answer {i}"),
                centre=cast.lead_centre,
                state=PartnershipState.INVITED,
            )
    client.force_login(cast.lead_manager)
    first = set(re.findall(r"Answer \d+", waiting_panel(client.get("/workspace/"))))
    assert first == {f"Answer {i}" for i in range(1, SIDE_PAGE_SIZE + 1)}
    second = set(re.findall(r"Answer \d+", waiting_panel(client.get("/workspace/?waiting=2"))))
    assert second == {"Answer 0"}
