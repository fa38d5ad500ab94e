"""A call's own questions built in the admin (the call's edit form, projects/admin/call_form.py):
frozen once a proposal has answered them, new ones always welcome; and the reviewer reads the
answers on the review page."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Call, ProposalAnswer
from projects.questions import call_questions, project_answers_set
from tests.factories import CallFactory
from tests.factories.auth import verified_login
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

MOTTO = (
    "short_text",
    {"label": "Motto", "help_text": "", "required": True, "max_length": 80},
    "motto",
)
FORMS = (
    "choice",
    {
        "label": "Art forms",
        "help_text": "Those the project shows.",
        "required": True,
        "choices": ["Theatre", "Dance"],
        "multiple": True,
    },
    "forms",
)
APPROACH = (
    "long_text",
    {"label": "Approach", "help_text": "", "required": False, "word_limit": 300},
    "approach",
)


def stream(questions):
    """The StreamField's form data, as the admin's editor posts it (the block id included)."""
    data = {"questions-count": str(len(questions))}
    for index, (kind, value, question_id) in enumerate(questions):
        prefix = f"questions-{index}"
        data |= {
            f"{prefix}-type": kind,
            f"{prefix}-id": question_id or "",
            f"{prefix}-deleted": "",
            f"{prefix}-order": str(index),
        }
        for name, item in value.items():
            if name == "choices":
                data[f"{prefix}-value-choices-count"] = str(len(item))
                for position, choice in enumerate(item):
                    data |= {
                        f"{prefix}-value-choices-{position}-value": choice,
                        f"{prefix}-value-choices-{position}-deleted": "",
                        f"{prefix}-value-choices-{position}-order": str(position),
                        f"{prefix}-value-choices-{position}-id": f"{question_id}-{position}",
                    }
            elif isinstance(item, bool):
                if item:  # a ticked checkbox; an unticked one is not posted
                    data[f"{prefix}-value-{name}"] = "on"
            else:
                data[f"{prefix}-value-{name}"] = "" if item is None else str(item)
    return data


def formset(name, rows, fields):
    data = {
        f"{name}-TOTAL_FORMS": str(len(rows)),
        f"{name}-INITIAL_FORMS": str(len(rows)),
        f"{name}-MIN_NUM_FORMS": "0",
        f"{name}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"{name}-{index}-{field}": getattr(row, field) for field in fields}
        data |= {f"{name}-{index}-ORDER": str(index + 1), f"{name}-{index}-DELETE": ""}
    return data


def call_data(call, questions):
    """The call's edit form as it stands, with `questions` in its StreamField."""

    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    data = {
        "title": call.title,
        "slug": call.slug,
        "network": call.network_id,
        "kind": call.kind,
        "summary": call.summary,
        "opens_at": moment(call.opens_at),
        "deadline": moment(call.deadline),
        "budget": call.budget,
        "min_partners": call.min_partners,
        "min_countries": call.min_countries,
        "max_grant": call.max_grant,
        "max_cofinancing_rate": call.max_cofinancing_rate,
        "max_duration_months": call.max_duration_months,
        "prefinancing_rate": call.prefinancing_rate,
        "min_reviews": call.min_reviews,
        "overall_threshold": call.overall_threshold,
        **formset(
            "tiers",
            list(call.tiers.all()),
            [
                "id",
                "name",
                "min_partners",
                "min_countries",
                "max_grant",
                "max_cofinancing_rate",
                "max_duration_months",
            ],
        ),
        **formset(
            "criteria",
            list(call.criteria.all()),
            ["id", "name", "description", "max_score", "threshold", "weight"],
        ),
        **stream(questions),
    }
    if call.conflict_same_country:
        data["conflict_same_country"] = "on"
    return data


@pytest.fixture
def coordinator_client(client, cast):
    verified_login(client, cast.coordinator)
    return client


def edit(client, call, questions):
    return client.post(reverse("call:edit", args=[call.pk]), call_data(call, questions))


def saved(call):
    return [(x.id, x.kind, x.label) for x in call_questions(Call.objects.get(pk=call.pk))]


def questions_error(response):
    """The StreamField's error, as the admin hands it to its editor (JSON in an attribute)."""
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get("questions")


@pytest.fixture
def answered(cast, coordinator_client):
    """The cast's call with two questions built in the admin; a proposal answered "motto"."""
    assert edit(coordinator_client, cast.call, [MOTTO, FORMS]).status_code == 302
    project = build_draft(cast)
    project_answers_set(project_id=project.pk, actor=cast.lead_manager, answers={"motto": "Hi"})
    return cast.call


def test_a_coordinator_builds_the_questions_in_the_admin(cast, coordinator_client):
    call = CallFactory()
    response = edit(coordinator_client, call, [MOTTO, FORMS, APPROACH])
    assert response.status_code == 302, response.context["form"].errors
    assert saved(call) == [
        ("motto", "short_text", "Motto"),
        ("forms", "choice", "Art forms"),
        ("approach", "long_text", "Approach"),
    ]
    forms = call_questions(Call.objects.get(pk=call.pk))[1]
    assert forms.choices == ("Theatre", "Dance") and forms.multiple and forms.required
    assert forms.help == "Those the project shows."
    # The edit form shows them again, without any frozen note: nobody answered yet.
    page = coordinator_client.get(reverse("call:edit", args=[call.pk])).content.decode()
    assert "Art forms" in page and "Frozen" not in page


def test_the_edit_form_says_which_questions_are_frozen(answered, coordinator_client):
    page = coordinator_client.get(reverse("call:edit", args=[answered.pk])).content.decode()
    assert "Frozen, because proposals have answered them: “Motto”." in page


@pytest.mark.parametrize(
    "change",
    [
        {"label": "Motto of the project"},
        {"required": False},
        {"max_length": 120},
    ],
    ids=["label", "required", "option"],
)
def test_an_answered_question_cannot_change(answered, coordinator_client, change):
    kind, value, question_id = MOTTO
    response = edit(coordinator_client, answered, [(kind, value | change, question_id), FORMS])
    error = questions_error(response)
    assert error is not None
    assert "“Motto” has been answered by proposals" in str(error.as_data()[0].block_errors[0])
    assert call_questions(Call.objects.get(pk=answered.pk))[0].label == "Motto"
    assert "has been answered by proposals" in response.content.decode()


def test_an_answered_question_cannot_change_its_kind(answered, coordinator_client):
    changed = (
        "long_text",
        {"label": "Motto", "help_text": "", "required": True, "word_limit": 10},
        "motto",
    )
    assert questions_error(edit(coordinator_client, answered, [changed, FORMS])) is not None
    assert saved(answered)[0] == ("motto", "short_text", "Motto")


def test_an_answered_question_cannot_be_removed(answered, coordinator_client):
    response = edit(coordinator_client, answered, [FORMS])
    error = questions_error(response).as_data()[0]
    assert [str(m.message) for m in error.non_block_errors.as_data()] == [
        "These questions have been answered by proposals and cannot be removed: “Motto”."
    ]
    assert [x[0] for x in saved(answered)] == ["motto", "forms"]


def test_new_questions_reordering_new_help_and_unanswered_changes_are_allowed(
    answered, coordinator_client
):
    kind, value, question_id = MOTTO
    clearer = (kind, value | {"help_text": "One line, please."}, question_id)
    forms_kind, forms_value, forms_id = FORMS
    fewer_forms = (forms_kind, forms_value | {"choices": ["Theatre", "Dance", "Music"]}, forms_id)
    response = edit(coordinator_client, answered, [APPROACH, fewer_forms, clearer])
    assert response.status_code == 302, response.context["form"].errors
    assert saved(answered) == [
        ("approach", "long_text", "Approach"),
        ("forms", "choice", "Art forms"),
        ("motto", "short_text", "Motto"),
    ]
    # The answer still points at the question it answered.
    assert ProposalAnswer.objects.get().question_id == "motto"


def test_a_new_version_of_a_question_is_a_new_question(answered, coordinator_client):
    """Posted without an id (a block the editor just added): it gets its own."""
    new = ("short_text", MOTTO[1] | {"label": "Motto, in French"}, "")
    assert edit(coordinator_client, answered, [MOTTO, FORMS, new]).status_code == 302
    questions = call_questions(Call.objects.get(pk=answered.pk))
    assert [x.label for x in questions] == ["Motto", "Art forms", "Motto, in French"]
    assert questions[2].id not in {"", "None", "motto", "forms"}


def test_a_question_is_frozen_only_for_its_own_call(answered, coordinator_client):
    other = CallFactory()
    assert edit(coordinator_client, other, [MOTTO]).status_code == 302
    assert edit(coordinator_client, other, [FORMS]).status_code == 302  # "motto" removed: fine


# --- The reviewer reads the answers ------------------------------------------------------------


def test_the_reviewer_sees_the_answers_on_the_review_page(cast, coordinator_client, client):
    assert edit(coordinator_client, cast.call, [MOTTO, FORMS, APPROACH]).status_code == 302
    project = build_ready(cast)
    project_answers_set(
        project_id=project.pk,
        actor=cast.lead_manager,
        answers={"motto": "Stages for all", "forms": ["Dance", "Theatre"]},
    )
    advance(cast, project, ProjectState.UNDER_REVIEW)
    review = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    client.force_login(cast.reviewer)
    response = client.get(reverse("workspace:review", args=[review.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    section = re.search(r'<section aria-labelledby="questions-title">.*?</section>', body, re.S)
    assert section, "no questions section"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))
    assert "Questions of the call" in text
    assert "Motto Stages for all" in text
    assert "Art forms Theatre, Dance" in text
    assert "Approach (optional) Not answered" in text


def test_a_review_page_without_questions_has_no_such_section(cast, client):
    project = advance(cast, build_ready(cast), ProjectState.UNDER_REVIEW)
    review = services.review_assign(
        project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator
    )
    client.force_login(cast.reviewer)
    body = client.get(reverse("workspace:review", args=[review.pk])).content.decode()
    assert "Questions of the call" not in body
