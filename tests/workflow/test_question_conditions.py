"""`question_unanswered` on submit: a call's own required questions must be answered
(workflow/conditions.py, projects/questions.py), through the service and the JSON API."""

import pytest
from rest_framework.test import APIClient

from projects.models import JointProject
from projects.questions import project_answers_set
from tests.workflow.conftest import build_ready
from workflow import conditions, services
from workflow.exceptions import ConditionsNotMet
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "type": "short_text",
        "value": {"label": "Motto", "help_text": "", "required": True, "max_length": 50},
        "id": "motto",
    },
    {
        "type": "choice",
        "value": {
            "label": "Art forms",
            "help_text": "",
            "required": True,
            "choices": ["Theatre", "Dance"],
            "multiple": True,
        },
        "id": "forms",
    },
    {
        "type": "date",
        "value": {"label": "First event", "help_text": "", "required": False},
        "id": "first_event",
    },
]


def ask(call, questions=QUESTIONS):
    call.questions = questions
    call.save()


def submit(cast, project):
    client = APIClient()
    client.force_authenticate(cast.lead_manager)
    return client.post(f"/api/v1/projects/{project.pk}/transitions/submit/", {}, format="json")


def question_unanswered(cast):
    """The scenario of tests/workflow/test_conditions.py: a ready proposal whose call asks two
    required questions, one answered."""
    ask(cast.call)
    project = build_ready(cast)
    project_answers_set(project_id=project.pk, actor=cast.lead_manager, answers={"motto": "Hi"})
    return submit(cast, project), {"question_unanswered"}


def test_the_api_lists_the_unanswered_required_questions(cast):
    response, _expected = question_unanswered(cast)
    assert response.status_code == 422, response.content[:500]
    assert response.json() == {
        "errors": [
            {
                "code": "question_unanswered",
                "message": "Answer the call's required questions: “Art forms”.",
            }
        ]
    }
    assert JointProject.objects.get().state == ProjectState.DRAFT


def test_one_failure_lists_every_unanswered_required_question(cast):
    ask(cast.call)
    project = JointProject.objects.select_related("call").get(pk=build_ready(cast).pk)
    [failure] = conditions.failures("project", "submit", project)
    assert failure.code == "question_unanswered"
    assert failure.message == "Answer the call's required questions: “Motto”, “Art forms”."


def test_answered_required_questions_let_the_proposal_go(cast):
    ask(cast.call)
    project = build_ready(cast)
    project_answers_set(
        project_id=project.pk,
        actor=cast.lead_manager,
        answers={"motto": "Hi", "forms": ["Dance"]},  # the optional date may stay empty
    )
    response = submit(cast, project)
    assert response.status_code == 200, response.content[:500]
    assert JointProject.objects.get().state == ProjectState.SUBMITTED


def test_a_call_without_questions_asks_nothing(cast):
    project = build_ready(cast)
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    assert JointProject.objects.get().state == ProjectState.SUBMITTED


def test_a_call_whose_questions_are_all_optional_asks_nothing(cast):
    ask(cast.call, [QUESTIONS[2]])
    project = build_ready(cast)
    services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    assert JointProject.objects.get().state == ProjectState.SUBMITTED


def test_the_condition_is_checked_with_the_other_submit_conditions(cast):
    """Listed with the others (every failure at once), in the service as in the API."""
    ask(cast.call)
    project = build_ready(cast)
    JointProject.objects.filter(pk=project.pk).update(start_date=None)
    with pytest.raises(ConditionsNotMet) as excinfo:
        services.project_transition(project_id=project.pk, name="submit", actor=cast.lead_manager)
    assert [f.code for f in excinfo.value.failures] == ["duration", "question_unanswered"]


def test_a_removed_answer_counts_as_unanswered(cast):
    ask(cast.call)
    project = build_ready(cast)
    answers = {"motto": "Hi", "forms": ["Dance"]}
    project_answers_set(project_id=project.pk, actor=cast.lead_manager, answers=answers)
    project_answers_set(project_id=project.pk, actor=cast.lead_manager, answers={"motto": "  "})
    response = submit(cast, project)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].endswith("“Motto”.")
