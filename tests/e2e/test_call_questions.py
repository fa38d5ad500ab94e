"""A call's own questions in a real browser: a member of the lead centre opens the section
"Questions of the call" from the task list, goes over a word limit, sees the error next to the
field, answers every question (a file included) and finds the section completed."""

import re

import pytest
from django.core.files.storage import FileSystemStorage
from playwright.sync_api import expect

from projects.models import ProposalAnswer
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories.uploads import pdf_bytes
from tests.workflow.conftest import build_draft

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"  # UserFactory's default

QUESTIONS = [
    {
        "type": "short_text",
        "value": {
            "label": "Motto of the project",
            "help_text": "One line the public will read.",
            "required": True,
            "max_length": 80,
        },
        "id": "motto",
    },
    {
        "type": "long_text",
        "value": {
            "label": "Artistic approach",
            "help_text": "",
            "required": True,
            "word_limit": 12,
        },
        "id": "approach",
    },
    {
        "type": "number",
        "value": {
            "label": "Expected audience",
            "help_text": "",
            "required": False,
            "min_value": "0",
            "max_value": "100000",
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
        "type": "date",
        "value": {"label": "First public event", "help_text": "", "required": False},
        "id": "first_event",
    },
    {
        "type": "file",
        "value": {"label": "Letter of support", "help_text": "", "required": False},
        "id": "letter",
    },
]


def test_a_member_answers_the_calls_questions(
    live_server, site_tree, cast, page, output_dir, tmp_path, monkeypatch
):
    storage = FileSystemStorage(location=str(tmp_path), base_url=None)
    monkeypatch.setattr(ProposalAnswer._meta.get_field("file"), "storage", storage)
    cast.call.questions = QUESTIONS
    cast.call.save()
    project = build_draft(cast)
    tasks = f"/workspace/projects/{project.pk}/edit/"
    log_in(page, live_server, "member", PASSWORD, then=tasks)

    task = page.locator("#task-questions")
    expect(task).to_contain_text("Not started")
    expect(task).to_contain_text("0 of 6 questions answered")
    task.get_by_role("link", name="Questions of the call").click()
    page.wait_for_url(f"**/workspace/projects/{project.pk}/edit/questions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions of the call")

    # Over the word limit: the error in the summary and next to the field; the text is kept.
    page.get_by_label("Motto of the project").fill("Stages for all")
    too_long = "We share three stages and invite the public of each town to the two others."
    page.get_by_label("Artistic approach").fill(too_long)
    page.get_by_role("button", name="Save and continue").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("At most 12 words (you wrote 15).")
    expect(page.get_by_label("Artistic approach")).to_have_value(too_long)
    expect(page.get_by_label("Artistic approach")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_approach-help")).to_contain_text("Now 15 words.")
    page.screenshot(path=output_dir / "01-questions-errors.png", full_page=True)
    assert_accessible(page)
    assert not ProposalAnswer.objects.exists()

    # Every question answered, a PDF for the letter.
    page.get_by_label("Artistic approach").fill("We share three stages and tour them together.")
    page.get_by_label("Expected audience (optional)").fill("4500")
    page.get_by_label("Theatre").check()
    page.get_by_label("Music").check()
    page.get_by_label("First public event (optional)").fill("2027-05-01")
    page.get_by_label("Letter of support (optional)").set_input_files(
        {"name": "Letter.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.screenshot(path=output_dir / "02-questions-filled.png", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"{live_server.url}{tasks}")
    expect(page.get_by_role("status")).to_contain_text("Saved: Questions of the call.")
    expect(task).to_contain_text("Completed")
    expect(task).to_contain_text("6 of 6 questions answered")
    page.screenshot(path=output_dir / "03-tasks-completed.png", full_page=True)
    assert_accessible(page)

    # Back on the section: the answers as saved, the file ready to download or remove.
    task.get_by_role("link", name="Questions of the call").click()
    expect(page.get_by_label("Motto of the project")).to_have_value("Stages for all")
    expect(page.get_by_label("Music")).to_be_checked()
    expect(page.get_by_label("Dance")).not_to_be_checked()
    expect(page.get_by_role("link", name="Letter.pdf")).to_have_attribute(
        "href", re.compile(r"^/workspace/files/answers/\d+/$")
    )
    expect(page.get_by_label(re.compile("^Remove this file"))).not_to_be_checked()
    page.screenshot(path=output_dir / "04-questions-saved.png", full_page=True)
    assert_accessible(page)
    answers = {a.question_id: a for a in ProposalAnswer.objects.all()}
    assert answers["forms"].value == ["Theatre", "Music"]
    assert answers["letter"].filename == "Letter.pdf"
