"""The approve and reject emails are the decision letters, in each recipient's language.

The French catalogue of the letters' new sentences comes later (the lead updates the .po at the
end), so "in French" is proven with what is already French whatever the catalogue holds: the
date at the top of the letter (month names come from Django's own French catalogue), the
amounts (French number format: grouped by narrow spaces, decimal comma), the subject and the
greeting (already in our catalogue). A letter rendered outside `translation.override(recipient
language)` would carry the English date and figures, so these checks fail without it.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format

from tests.workflow.conftest import advance, build_ready, review
from workflow import services
from workflow.models import Notification
from workflow.notifications import SUBJECTS
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db


def _speaks_french(user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save()


def _in(language, render):
    with translation.override(language):
        return str(render())


def _under_review(cast):
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review(cast, project, cast.reviewer, scores=(8, 7))
    review(cast, project, cast.reviewer2, scores=(7, 6))
    return project


def _decide(cast, project, name, capture, **data):
    mail.outbox.clear()
    with capture(execute=True):
        services.project_transition(
            project_id=project.pk, name=name, actor=cast.coordinator, **data
        )
    event = f"project_{name}"
    french = Notification.objects.get(event=event, recipient=cast.partner_manager)
    english = Notification.objects.get(event=event, recipient=cast.partner2_manager)
    return french, english


def test_the_approval_letter_in_each_recipient_s_language(cast, django_capture_on_commit_callbacks):
    _speaks_french(cast.partner_manager)
    project = _under_review(cast)
    french, english = _decide(
        cast,
        project,
        "approve",
        django_capture_on_commit_callbacks,
        awarded_amount=Decimal("20000.00"),
        comment="A strong network with a clear plan for audiences.",
    )
    today = timezone.localdate()

    # English: the call, the project, the grant and its rate (20,000 of the 30,000 EUR of
    # eligible costs of three partners: 67 %), the comment, and what to do next.
    assert english.language == "en"
    assert english.subject == "Shared Stages (SHS) is approved"
    body = english.body
    assert body.startswith(_in("en", lambda: date_format(today, "DATE_FORMAT")))
    assert "Hello " in body
    assert (
        "the network has approved the proposal “Shared Stages (SHS)”, submitted to the call "
        f"“{cast.call.title}”." in body
    )
    assert "Awarded grant: 20,000.00 EUR" in body
    assert "Co-financing rate: 67 % of the total eligible cost (30,000.00 EUR)" in body
    assert "A strong network with a clear plan for audiences." in body
    assert "accepts the grant agreement in the workspace: http" in body
    assert f"/workspace/projects/{project.pk}/\n" in body
    assert "pre-financing payment (60 % of the grant)" in body
    assert "The network secretariat" in body

    # French: rendered under the recipient's language.
    assert french.language == "fr"
    assert french.subject == _in("fr", lambda: SUBJECTS["project", "approve"]) % {
        "project": "Shared Stages (SHS)"
    }
    assert french.subject != english.subject
    body = french.body
    french_date = _in("fr", lambda: date_format(today, "DATE_FORMAT"))
    assert french_date != _in("en", lambda: date_format(today, "DATE_FORMAT"))
    assert body.startswith(french_date)
    assert "Bonjour " in body
    french_amount = _in(
        "fr", lambda: number_format(Decimal("20000.00"), decimal_pos=2, force_grouping=True)
    )
    assert french_amount != "20,000.00" and "," in french_amount
    assert f"{french_amount} EUR" in body
    assert "20,000.00" not in body
    # The email sent is that notification.
    sent = {message.to[0]: message for message in mail.outbox}
    assert sent[cast.partner_manager.email].body.strip() == french.body.strip()


def test_the_rejection_letter_gives_the_reasons_in_each_recipient_s_language(
    cast, django_capture_on_commit_callbacks
):
    _speaks_french(cast.partner_manager)
    project = _under_review(cast)
    reasons = "The audience plan does not reach beyond the partners' regular visitors."
    french, english = _decide(
        cast, project, "reject", django_capture_on_commit_callbacks, comment=reasons
    )
    today = timezone.localdate()

    assert english.subject == "Shared Stages (SHS) was not selected"
    body = english.body
    assert body.startswith(_in("en", lambda: date_format(today, "DATE_FORMAT")))
    assert (
        "the proposal “Shared Stages (SHS)”, submitted to the call "
        f"“{cast.call.title}”, was not selected for funding." in body
    )
    assert f"The reasons for the decision:\n{reasons}" in body
    assert "Next steps:" in body and "The decision is final." in body

    assert french.language == "fr"
    assert french.subject == _in("fr", lambda: SUBJECTS["project", "reject"]) % {
        "project": "Shared Stages (SHS)"
    }
    assert french.body.startswith(_in("fr", lambda: date_format(today, "DATE_FORMAT")))
    assert "Bonjour " in french.body and reasons in french.body
