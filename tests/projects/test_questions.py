"""A call's own questions (projects/questions.py): the reads, the service that saves the answers
(each kind checked, files by their content, who and when), what readers and exports show, and
the downloads of file answers."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import translation

from projects import questions as q
from projects.models import ProposalAnswer
from tests.factories import CallFactory
from tests.factories.auth import verified_login
from tests.factories.uploads import HTML, image_bytes, pdf_bytes, upload, zip_bytes
from tests.workflow.conftest import advance, build_draft, build_ready
from workflow import services
from workflow.exceptions import NotPermitted, NotVisible, WrongState
from workflow.states import ProjectState

pytestmark = pytest.mark.django_db

# The questions of the tests' call, as the admin stores them (block type, value, stable id).
QUESTIONS = [
    (
        "short_text",
        {"label": "Motto", "help_text": "In a few words.", "required": True, "max_length": 20},
        "motto",
    ),
    (
        "long_text",
        {"label": "Approach", "help_text": "", "required": True, "word_limit": 5},
        "approach",
    ),
    (
        "number",
        {
            "label": "Audience",
            "help_text": "",
            "required": False,
            "min_value": "0",
            "max_value": "1000",
        },
        "audience",
    ),
    (
        "choice",
        {
            "label": "Art forms",
            "help_text": "",
            "required": True,
            "choices": ["Theatre", "Dance", "Music"],
            "multiple": True,
        },
        "forms",
    ),
    (
        "choice",
        {
            "label": "Language",
            "help_text": "",
            "required": False,
            "choices": ["English", "French"],
            "multiple": False,
        },
        "language",
    ),
    ("date", {"label": "First event", "help_text": "", "required": False}, "first_event"),
    ("file", {"label": "Letter of support", "help_text": "", "required": False}, "letter"),
]
VALID = {
    "motto": "  Stages for all  ",
    "approach": "We share three stages.",
    "audience": "250",
    "forms": ["Music", "Theatre"],
    "language": "French",
    "first_event": "2027-05-01",
}


def ask(call, questions=QUESTIONS):
    call.questions = [{"type": kind, "value": value, "id": qid} for kind, value, qid in questions]
    call.save()
    return call


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=str(tmp_path), base_url=None)
    monkeypatch.setattr(ProposalAnswer._meta.get_field("file"), "storage", storage)
    return storage


def stored_files(storage):
    root = storage.location
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


@pytest.fixture
def project(cast):
    ask(cast.call)
    return build_draft(cast)


def save(cast, project, answers=None, files=None, actor=None):
    return q.project_answers_set(
        project_id=project.pk, actor=actor or cast.lead_manager, answers=answers or {}, files=files
    )


def errors_of(excinfo):
    return {key: [str(m) for m in messages] for key, messages in excinfo.value.message_dict.items()}


# --- The questions --------------------------------------------------------------------------------


def test_the_calls_questions_as_plain_questions(cast):
    questions = q.call_questions(ask(cast.call))
    assert [(x.id, x.kind, x.label) for x in questions] == [
        ("motto", "short_text", "Motto"),
        ("approach", "long_text", "Approach"),
        ("audience", "number", "Audience"),
        ("forms", "choice", "Art forms"),
        ("language", "choice", "Language"),
        ("first_event", "date", "First event"),
        ("letter", "file", "Letter of support"),
    ]
    motto, approach, audience, forms, language = questions[:5]
    assert motto.help == "In a few words." and motto.required and motto.options["max_length"] == 20
    assert approach.options == {"word_limit": 5}
    assert audience.options == {"min_value": Decimal(0), "max_value": Decimal(1000)}
    assert not audience.required
    assert forms.choices == ("Theatre", "Dance", "Music") and forms.multiple
    assert not language.multiple
    assert q.call_questions(CallFactory()) == []


# --- Saving answers: each kind is checked -------------------------------------------------------


def test_valid_answers_are_saved_in_their_stored_form(cast, project):
    save(cast, project, VALID)
    stored = {a.question_id: a.value for a in ProposalAnswer.objects.filter(project=project)}
    assert stored == {
        "motto": "Stages for all",
        "approach": "We share three stages.",
        "audience": "250",
        "forms": ["Theatre", "Music"],  # in the call's order
        "language": ["French"],
        "first_event": "2027-05-01",
    }
    assert {a.answered_by_id for a in ProposalAnswer.objects.all()} == {cast.lead_manager.pk}


def test_typed_values_are_accepted_too(cast, project):
    save(cast, project, {"audience": Decimal("12.5"), "first_event": date(2027, 6, 2)})
    stored = {a.question_id: a.value for a in ProposalAnswer.objects.filter(project=project)}
    assert stored == {"audience": "12.5", "first_event": "2027-06-02"}


@pytest.mark.parametrize(
    ("question_id", "value", "message"),
    [
        ("motto", "x" * 21, "At most 20 characters (you wrote 21)."),
        ("approach", "one two three four five six", "At most 5 words (you wrote 6)."),
        ("audience", "1001", "Enter a number of at most 1000."),
        ("audience", "-1", "Enter a number of at least 0."),
        ("audience", "many", "Enter a number."),
        ("audience", "NaN", "Enter a number."),
        (
            "forms",
            ["Theatre", "Opera"],
            "Choose among the options given: “Opera” is not one of them.",
        ),
        ("language", ["English", "French"], "Choose one option only."),
        ("first_event", "2027-02-30", "Enter a real date as year-month-day, e.g. 2027-03-31."),
        ("first_event", "01/05/2027", "Enter a real date as year-month-day, e.g. 2027-03-31."),
        ("motto", 42, "Enter text."),
        ("letter", "a text", "Upload a file to answer this question."),
        ("nope", "x", "The call has no such question."),
    ],
)
def test_each_kind_refuses_what_its_question_does_not_allow(
    cast, project, question_id, value, message
):
    with pytest.raises(ValidationError) as excinfo:
        save(cast, project, {question_id: value})
    assert errors_of(excinfo) == {question_id: [message]}
    assert not ProposalAnswer.objects.exists()


def test_a_word_limit_counts_words_not_characters(cast, project):
    save(cast, project, {"approach": "Extraordinarily-long-hyphenated words\n\ncount   once  each"})
    assert ProposalAnswer.objects.get(question_id="approach").value.startswith("Extraordinarily")


def test_every_refused_answer_is_reported_at_once_and_nothing_is_saved(cast, project):
    with pytest.raises(ValidationError) as excinfo:
        save(cast, project, {**VALID, "motto": "x" * 30, "audience": "5000", "forms": ["Opera"]})
    assert set(errors_of(excinfo)) == {"motto", "audience", "forms"}
    assert not ProposalAnswer.objects.exists()


def test_an_empty_answer_removes_it_and_a_question_not_named_is_left(cast, project):
    save(cast, project, VALID)
    save(cast, project, {"motto": "", "forms": [], "audience": None})
    left = set(ProposalAnswer.objects.values_list("question_id", flat=True))
    assert left == {"approach", "language", "first_event"}


# --- Files, checked by their content -------------------------------------------------------------


def test_a_file_answer_is_checked_by_content_and_stored_under_a_generated_name(
    cast, project, private_storage
):
    content = pdf_bytes()
    save(
        cast,
        project,
        files={"letter": upload("C:\\docs\\Support letter.pdf", content, "text/html")},
    )
    answer = ProposalAnswer.objects.get(question_id="letter")
    assert answer.filename == "Support letter.pdf"
    assert answer.content_type == "application/pdf"
    assert answer.value is None
    [name] = stored_files(private_storage)
    assert name.startswith("answers/") and name.endswith(".pdf") and "Support" not in name


@pytest.mark.parametrize(
    ("name", "content"),
    [("letter.pdf", HTML), ("letter.pdf", zip_bytes()), ("letter.pdf", pdf_bytes()[:200])],
    ids=["html named pdf", "zip", "truncated pdf"],
)
def test_a_file_that_is_not_what_it_claims_is_refused(
    cast, project, private_storage, name, content
):
    with pytest.raises(ValidationError) as excinfo:
        save(cast, project, files={"letter": upload(name, content)})
    assert list(errors_of(excinfo)) == ["letter"]
    assert not ProposalAnswer.objects.exists()
    assert stored_files(private_storage) == []


def test_an_image_is_accepted(cast, project, private_storage):
    save(cast, project, files={"letter": upload("photo.png", image_bytes("PNG"), "image/png")})
    assert ProposalAnswer.objects.get(question_id="letter").content_type == "image/png"


def test_a_replaced_or_removed_file_is_deleted_after_the_commit(
    cast, project, private_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save(cast, project, files={"letter": upload("one.pdf", pdf_bytes())})
    [first] = stored_files(private_storage)
    with django_capture_on_commit_callbacks(execute=True):
        save(cast, project, files={"letter": upload("two.pdf", pdf_bytes(pages=2))})
    [second] = stored_files(private_storage)
    assert second != first
    assert ProposalAnswer.objects.get(question_id="letter").filename == "two.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        save(cast, project, files={"letter": None})
    assert stored_files(private_storage) == []
    assert not ProposalAnswer.objects.exists()


def test_a_file_for_a_question_that_is_not_a_file_is_refused(cast, project, private_storage):
    with pytest.raises(ValidationError) as excinfo:
        save(cast, project, files={"motto": upload("one.pdf", pdf_bytes())})
    assert errors_of(excinfo) == {"motto": ["This question is not answered by a file."]}


# --- Who, and when ------------------------------------------------------------------------------


def test_any_member_of_the_lead_centre_answers(cast, project):
    save(cast, project, {"motto": "Hello"}, actor=cast.lead_staff)
    assert ProposalAnswer.objects.get().answered_by == cast.lead_staff


def test_a_partner_may_not_answer_and_an_outsider_does_not_see_the_proposal(cast, project):
    services.partnership_invite(
        project_id=project.pk, centre_id=cast.partner_centre.pk, actor=cast.lead_manager
    )
    with pytest.raises(NotPermitted):
        save(cast, project, {"motto": "Hello"}, actor=cast.partner_manager)
    with pytest.raises(NotVisible):
        save(cast, project, {"motto": "Hello"}, actor=cast.other_manager)
    with pytest.raises(NotVisible):
        q.project_answers_set(project_id=0, actor=cast.lead_manager, answers={"motto": "Hello"})
    assert not ProposalAnswer.objects.exists()


def test_permission_comes_before_the_answers_refusals(cast, project):
    with pytest.raises(NotVisible):
        save(cast, project, {"motto": "x" * 50}, actor=cast.other_manager)


def test_a_submitted_proposal_can_no_longer_be_answered(cast):
    ask(cast.call, [QUESTIONS[0]])
    project = build_ready(cast)
    save(cast, project, {"motto": "Before"})
    advance(cast, project, ProjectState.SUBMITTED)
    with pytest.raises(WrongState):
        save(cast, project, {"motto": "After"})
    assert ProposalAnswer.objects.get().value == "Before"


# --- What readers and exports see ----------------------------------------------------------------


def test_answers_for_display_follow_the_calls_order_in_words(cast, project, private_storage):
    save(
        cast, project, {**VALID, "audience": "1000"}, files={"letter": upload("s.pdf", pdf_bytes())}
    )
    letter = ProposalAnswer.objects.get(question_id="letter")
    with translation.override("en"):
        rows = q.answers_for_display(project)
    assert [(r["label"], r["kind"], r["value"]) for r in rows] == [
        ("Motto", "short_text", "Stages for all"),
        ("Approach", "long_text", "We share three stages."),
        ("Audience", "number", "1,000"),
        ("Art forms", "choice", "Theatre, Music"),
        ("Language", "choice", "French"),
        ("First event", "date", "May 1, 2027"),
        ("Letter of support", "file", "s.pdf"),
    ]
    assert [r["file_url"] for r in rows] == [None] * 6 + [f"/workspace/files/answers/{letter.pk}/"]


def test_unanswered_questions_show_empty_and_a_call_without_questions_shows_nothing(cast):
    project = build_draft(cast)
    assert q.answers_for_display(project) == []
    ask(cast.call)
    project.call.refresh_from_db()
    assert {r["value"] for r in q.answers_for_display(project)} == {""}


def test_the_required_questions_left_unanswered(cast, project):
    assert q.questions_unanswered(project) == ["Motto", "Approach", "Art forms"]
    save(cast, project, {"motto": "Hi", "audience": "3"})
    project = type(project).objects.get(pk=project.pk)
    assert q.questions_unanswered(project) == ["Approach", "Art forms"]


def test_exports_have_a_column_per_question_and_plain_values(cast, project, private_storage):
    save(cast, project, VALID, files={"letter": upload("Support.pdf", pdf_bytes())})
    call = project.call
    assert q.answers_export_columns(call) == [
        "Motto",
        "Approach",
        "Audience",
        "Art forms",
        "Language",
        "First event",
        "Letter of support",
    ]
    assert q.answers_export_values(project, call) == [
        "Stages for all",
        "We share three stages.",
        "250",
        "Theatre, Music",
        "French",
        "2027-05-01",
        "Support.pdf",
    ]
    other = build_draft(cast)
    assert q.answers_export_values(other, call) == [""] * 7


def test_the_answered_questions_of_a_call(cast, project):
    assert q.questions_answered_ids(project.call) == set()
    save(cast, project, {"motto": "Hi", "forms": ["Dance"]})
    assert q.questions_answered_ids(project.call) == {"motto", "forms"}
    assert q.questions_answered_ids(ask(CallFactory())) == set()


# --- Downloads of file answers ----------------------------------------------------------------


def test_a_file_answer_downloads_for_the_consortium_the_reviewers_and_coordinators(
    cast, client, private_storage
):
    ask(cast.call)
    project = build_ready(cast)
    content = pdf_bytes()
    save(cast, project, VALID, files={"letter": upload("support.pdf", content)})
    advance(cast, project, ProjectState.UNDER_REVIEW)
    services.review_assign(project_id=project.pk, reviewer=cast.reviewer, actor=cast.coordinator)
    answer = ProposalAnswer.objects.get(question_id="letter")
    url = f"/workspace/files/answers/{answer.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (cast.lead_staff, cast.partner_manager, cast.reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="support.pdf"' in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
    # Not assigned to it, or of another centre: no such file.
    for user in (cast.reviewer2, cast.other_manager):
        client.force_login(user)
        assert client.get(url).status_code == 404
    verified_login(client, cast.coordinator)
    assert client.get(url).status_code == 200
    assert client.get("/workspace/files/answers/0/").status_code == 404


def test_a_public_project_does_not_make_its_file_answers_public(cast, client, private_storage):
    ask(cast.call)
    project = build_draft(cast)
    save(cast, project, files={"letter": upload("support.pdf", pdf_bytes())})
    services.project_transition(
        project_id=project.pk, name="open_partner_search", actor=cast.lead_manager
    )
    client.force_login(cast.other_manager)
    assert (
        client.get(f"/workspace/files/answers/{ProposalAnswer.objects.get().pk}/").status_code
        == 404
    )
