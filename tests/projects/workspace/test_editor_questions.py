"""The editor's section "Questions of the call" (projects/workspace/editor/questions.py): only for
a call that asks questions; answered bit by bit, each answer checked by the service and its
refusal shown next to its field; listed in the task list and on the check page; fixed queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import JointProject, ProposalAnswer
from tests.factories.auth import verified_login
from tests.factories.uploads import HTML, pdf_bytes, upload
from tests.projects.workspace.test_editor import (
    check_url,
    error_codes,
    login,
    messages_of,
    panel,
    statuses,
    tasks_url,
    text,
)
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "type": "short_text",
        "value": {
            "label": "Motto",
            "help_text": "In a few words.",
            "required": True,
            "max_length": 40,
        },
        "id": "motto",
    },
    {
        "type": "long_text",
        "value": {"label": "Approach", "help_text": "", "required": True, "word_limit": 5},
        "id": "approach",
    },
    {
        "type": "number",
        "value": {
            "label": "Audience",
            "help_text": "",
            "required": False,
            "min_value": "0",
            "max_value": "1000",
        },
        "id": "audience",
    },
    {
        "type": "choice",
        "value": {
            "label": "Art forms",
            "help_text": "",
            "required": True,
            "choices": ["Theatre", "Dance", "Music"],
            "multiple": True,
        },
        "id": "forms",
    },
    {
        "type": "choice",
        "value": {
            "label": "Language",
            "help_text": "",
            "required": False,
            "choices": ["English", "French"],
            "multiple": False,
        },
        "id": "language",
    },
    {
        "type": "date",
        "value": {"label": "First event", "help_text": "", "required": False},
        "id": "first_event",
    },
    {
        "type": "file",
        "value": {"label": "Letter of support", "help_text": "", "required": False},
        "id": "letter",
    },
]
VALID = {
    "motto": "Stages for all",
    "approach": "We share three stages.",
    "audience": "250",
    "forms": ["Dance", "Music"],
    "language": "English",
    "first_event": "2027-05-01",
}


def ask(call, questions=QUESTIONS):
    call.questions = questions
    call.save()


def questions_url(project):
    return reverse("workspace:editor_questions", args=[project.pk])


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=str(tmp_path), base_url=None)
    monkeypatch.setattr(ProposalAnswer._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def project(cast):
    ask(cast.call)
    return build_draft(cast)


def stored(project):
    return {a.question_id: a.value for a in ProposalAnswer.objects.filter(project=project)}


# --- The section -------------------------------------------------------------------------------


def test_the_section_asks_each_question_with_its_label_and_limits(client, cast, project):
    login(client, cast.lead_manager)
    response = client.get(questions_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'enctype="multipart/form-data"' in body
    for question in QUESTIONS:
        assert f'for="id_{question["id"]}' in body  # every field has its label
    page = text(response)
    assert "Motto In a few words. At most 40 characters." in page
    assert "Approach At most 5 words." in page
    assert "Audience (optional) A number from 0 to 1000." in page
    assert "Art forms Tick every option that applies." in page
    assert "Letter of support (optional) A PDF, JPEG, PNG or WebP file of at most 10 MB." in page
    assert 'aria-describedby="id_motto-help"' in body
    assert 'type="date"' in body and 'type="file"' in body


def test_the_answers_are_saved_and_the_person_goes_back_to_the_task_list(client, cast, project):
    login(client, cast.lead_manager)
    response = client.post(questions_url(project), VALID)
    assert response.status_code == 302
    assert response["Location"] == tasks_url(project)
    assert "Saved: Questions of the call." in messages_of(response)
    assert stored(project) == {
        "motto": "Stages for all",
        "approach": "We share three stages.",
        "audience": "250",
        "forms": ["Dance", "Music"],
        "language": ["English"],
        "first_event": "2027-05-01",
    }
    # The page shows them again, as saved.
    page = client.get(questions_url(project)).content.decode()
    assert 'value="Stages for all"' in page
    assert re.search(r'<input type="checkbox" name="forms" value="Dance"[^>]*checked', page)
    assert 'value="2027-05-01"' in page
    assert "Now 4 words." in text(client.get(questions_url(project)))


def test_coming_from_the_check_page_goes_back_there(client, cast, project):
    login(client, cast.lead_manager)
    page = client.get(questions_url(project) + "?return=check").content.decode()
    assert 'name="return" value="check"' in page
    response = client.post(questions_url(project), {"motto": "Hi", "return": "check"})
    assert response["Location"] == check_url(project)


def test_refused_answers_are_shown_next_to_their_fields_and_nothing_is_saved(client, cast, project):
    login(client, cast.lead_manager)
    response = client.post(
        questions_url(project),
        {**VALID, "approach": "one two three four five six seven", "audience": "2000"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="error-summary"[^>]*\bautofocus\b', body)
    assert 'href="#id_approach"' in body and 'href="#id_audience"' in body
    page = text(response)
    assert "At most 5 words (you wrote 7)." in page
    assert "Enter a number of at most 1000." in page
    assert "Now 7 words." in page  # counted on the server: no JavaScript needed
    assert "one two three four five six seven" in body  # what was typed is kept
    assert 'aria-invalid="true"' in body
    assert stored(project) == {}


def test_a_value_the_form_cannot_read_is_refused_by_the_form(client, cast, project):
    login(client, cast.lead_manager)
    response = client.post(questions_url(project), {"audience": "many", "first_event": "soon"})
    assert response.status_code == 400
    assert error_codes(response) == ["invalid", "invalid"]
    assert stored(project) == {}


def test_a_file_is_uploaded_replaced_and_removed(client, cast, project, private_storage):
    login(client, cast.lead_manager)
    response = client.post(questions_url(project), {"letter": upload("Support.pdf", pdf_bytes())})
    assert response.status_code == 302
    answer = ProposalAnswer.objects.get(question_id="letter")
    assert answer.filename == "Support.pdf"
    page = client.get(questions_url(project)).content.decode()
    assert f'href="/workspace/files/answers/{answer.pk}/"' in page
    assert 'name="letter-remove"' in page
    response = client.post(questions_url(project), {"letter-remove": "on"})
    assert response.status_code == 302
    assert not ProposalAnswer.objects.exists()


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused(client, cast, project, private_storage):
    login(client, cast.lead_manager)
    response = client.post(questions_url(project), {"letter": upload("letter.pdf", HTML)})
    assert response.status_code == 400
    assert 'href="#id_letter"' in response.content.decode()
    assert "This type of file is not accepted." in text(response)
    assert not ProposalAnswer.objects.exists()


def test_only_a_call_with_questions_has_the_section(client, cast):
    project = build_draft(cast)
    login(client, cast.lead_manager)
    assert client.get(questions_url(project)).status_code == 404
    assert "questions" not in statuses(client.get(tasks_url(project)))


def test_who_may_answer(client, cast, project):
    services.partnership_invite(
        project_id=project.pk, centre_id=cast.partner_centre.pk, actor=cast.lead_manager
    )
    login(client, cast.partner_manager)  # sees the proposal, does not write it
    assert client.get(questions_url(project)).status_code == 403
    assert client.post(questions_url(project), VALID).status_code == 403
    login(client, cast.other_manager)
    assert client.get(questions_url(project)).status_code == 404
    login(client, cast.lead_staff)  # any member of the lead centre
    assert client.post(questions_url(project), VALID).status_code == 302


def test_a_submitted_proposal_can_no_longer_be_answered(client, cast):
    ask(cast.call, QUESTIONS[:1])
    project = build_ready(cast)
    login(client, cast.lead_manager)
    client.post(questions_url(project), {"motto": "Before"})
    advance(cast, project, ProjectState.SUBMITTED)
    response = client.post(questions_url(project), {"motto": "After"})
    assert response.status_code == 409
    assert stored(project) == {"motto": "Before"}


# --- The task list, the check page and the submission ------------------------------------------


def test_the_task_list_has_the_section_with_its_status(client, cast, project):
    login(client, cast.lead_manager)
    response = client.get(tasks_url(project))
    assert statuses(response)["questions"] == "not_started"
    assert f'href="{questions_url(project)}"' in response.content.decode()
    assert "0 of 7 questions answered" in text(response)
    client.post(questions_url(project), {"motto": "Hi", "audience": "3"})
    response = client.get(tasks_url(project))
    assert statuses(response)["questions"] == "in_progress"
    assert "2 of 7 questions answered" in text(response)
    client.post(questions_url(project), {"motto": "Hi", "approach": "Yes", "forms": ["Dance"]})
    assert statuses(client.get(tasks_url(project)))["questions"] == "completed"


def test_the_check_page_lists_the_section_until_it_is_completed(client, cast, project):
    login(client, cast.lead_manager)
    response = client.get(check_url(project))
    assert "Questions of the call — Not started" in text(response)
    assert [row["value"] for row in response.context["question_answers"]] == [""] * 7
    client.post(questions_url(project), VALID)
    response = client.get(check_url(project))
    assert "Questions of the call —" not in text(response)
    assert response.context["question_answers"][0]["value"] == "Stages for all"


def test_the_check_page_shows_the_answers_with_a_link_to_change_them(client, cast, project):
    login(client, cast.lead_manager)
    client.post(questions_url(project), VALID)
    response = client.get(check_url(project))
    body = response.content.decode()
    assert 'id="check-questions"' in body
    assert f'href="{questions_url(project)}?return=check"' in body
    page = text(response)
    assert "Motto Stages for all" in page
    assert "Art forms Dance, Music" in page
    assert "Letter of support (optional) Not answered" in page


def test_submitting_without_the_required_answers_lists_them(client, cast):
    ask(cast.call)
    project = build_ready(cast)
    login(client, cast.lead_manager)
    client.post(questions_url(project), {"motto": "Hi"})
    response = client.post(check_url(project), {"comment": ""})
    assert response.status_code == 422
    assert error_codes(response) == ["question_unanswered"]
    assert "Answer the call's required questions: “Approach”, “Art forms”." in text(response)
    assert JointProject.objects.get(pk=project.pk).state == ProjectState.DRAFT
    client.post(questions_url(project), VALID)
    response = client.post(check_url(project), {"comment": ""})
    assert response.status_code == 302
    assert JointProject.objects.get(pk=project.pk).state == ProjectState.SUBMITTED


def test_the_panel_checks_the_questions_only_for_a_call_that_asks_them(client, cast):
    project = build_ready(cast)
    login(client, cast.lead_manager)
    assert "question_unanswered" not in panel(client.get(tasks_url(project)))
    ask(cast.call)
    response = client.get(tasks_url(project))
    assert panel(response)["question_unanswered"] is False
    assert f'href="{questions_url(project)}"' in response.content.decode()
    client.post(questions_url(project), VALID)
    assert panel(client.get(tasks_url(project)))["question_unanswered"] is True


# --- Query counts ------------------------------------------------------------------------------


def many_questions(count):
    """`count` questions of every kind but files, each with a valid answer."""
    kinds = [question for question in QUESTIONS if question["id"] in VALID]
    questions, answers = [], {}
    for i in range(count):
        model = kinds[i % len(kinds)]
        questions.append({**model, "id": f"q{i}", "value": {**model["value"], "label": f"Q{i}"}})
        answers[f"q{i}"] = VALID[model["id"]]
    return questions, answers


def count_queries(client, url):
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["section", "tasks", "check"])
def test_the_section_runs_a_fixed_number_of_queries(client, cast, page, private_storage):
    from projects.questions import project_answers_set

    def fill(count):
        questions, answers = many_questions(count)
        ask(cast.call, [*questions, QUESTIONS[-1]])
        project_answers_set(
            project_id=project.pk,
            actor=cast.lead_manager,
            answers=answers,
            files={"letter": upload("s.pdf", pdf_bytes())},
        )

    project = build_draft(cast)
    url = {"section": questions_url, "tasks": tasks_url, "check": check_url}[page](project)
    verified_login(client, cast.lead_manager)
    fill(3)
    small = count_queries(client, url)
    fill(12)
    large = count_queries(client, url)
    assert ProposalAnswer.objects.filter(project=project).count() == 13
    print(f"editor questions {page}: {small} queries small, {large} large")
    assert small == large
    assert large <= 14
