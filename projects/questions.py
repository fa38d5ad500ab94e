"""A call's own questions (Call.questions) and a proposal's answers to them (ProposalAnswer).

The reads turn the StreamField into plain `Question`s and the stored answers into what the
reviewer's page, the admin's proposal page and the exports show. The one service,
`project_answers_set`, is how answers change: the lead centre's members, while the proposal is
editable, each answer checked against its question (word limit, bounds, choices, ISO date, a
file by its content).

Answers are keyed by the question's stable block id, so a question keeps its answers while the
call's other questions move around; `questions_answered_ids` is what freezes a question once a
proposal has answered it (projects/admin/call_form.py).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.blocks.list_block import ListValue

from projects import uploads
from projects.models import JointProject, ProposalAnswer
from workflow import permissions
from workflow.exceptions import NotPermitted, NotVisible
from workflow.services.projects import lock_project, project_is_editable_or_409

SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
NUMBER = "number"
CHOICE = "choice"
DATE = "date"
FILE = "file"
KINDS = (SHORT_TEXT, LONG_TEXT, NUMBER, CHOICE, DATE, FILE)

# The settings of each kind that its answers are held to (besides label and required): a
# change to one of them changes what an answer means, so they are frozen with the question.
OPTION_NAMES = {
    SHORT_TEXT: ("max_length",),
    LONG_TEXT: ("word_limit",),
    NUMBER: ("min_value", "max_value"),
    CHOICE: ("choices", "multiple"),
    DATE: (),
    FILE: (),
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    label: str
    help: str = ""
    required: bool = True
    # The kind's own settings (OPTION_NAMES): max_length, word_limit, min_value / max_value
    # (Decimal or None), choices (a list of labels) and multiple.
    options: dict = field(default_factory=dict)

    @property
    def choices(self):
        return self.options.get("choices", ())

    @property
    def multiple(self):
        return bool(self.options.get("multiple"))

    def frozen_signature(self):
        """What may no longer change once the question is answered."""
        return (self.kind, self.label, self.required, tuple(sorted(self.options.items())))


def _plain(value):
    if isinstance(value, (list, tuple, ListValue)):
        return tuple(str(item) for item in value)
    return value


def questions_of(stream):
    """The questions of a StreamValue (a call's `questions`, or a form's cleaned value)."""
    questions = []
    for block in stream or []:
        value = block.value
        options = {name: _plain(value.get(name)) for name in OPTION_NAMES.get(block.block_type, ())}
        if "choices" in options:
            options["choices"] = tuple(choice for choice in options["choices"] or () if choice)
        questions.append(
            Question(
                id=str(block.id),
                kind=block.block_type,
                label=str(value.get("label") or ""),
                help=str(value.get("help_text") or ""),
                required=bool(value.get("required")),
                options=options,
            )
        )
    return questions


def call_questions(call):
    """The call's questions, in the order the call asks them."""
    return questions_of(call.questions)


# --- Reading the answers -----------------------------------------------------------------------


def _answers_by_question(project):
    """{question id: ProposalAnswer}; read once per project instance (a prefetch of `answers`
    is used when there is one), so the task list, the eligibility panel and the page share it."""
    prefetch_related_objects([project], "answers")
    return {answer.question_id: answer for answer in project.answers.all()}


def _is_answered(answer):
    return answer is not None and (bool(answer.file) or answer.value not in (None, "", []))


def questions_unanswered(project):
    """The labels of the required questions the proposal has not answered, in the call's order
    (no query when the call asks nothing required)."""
    required = [question for question in call_questions(project.call) if question.required]
    if not required:
        return []
    answers = _answers_by_question(project)
    return [q.label for q in required if not _is_answered(answers.get(q.id))]


def questions_answered_ids(call):
    """The ids of the call's questions that some proposal has answered: they are frozen."""
    if call is None or call.pk is None:
        return set()
    return set(
        ProposalAnswer.objects.filter(project__call_id=call.pk)
        .values_list("question_id", flat=True)
        .distinct()
    )


def _choices_of(value):
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list) else [value]


def display_value(question, answer):
    """The answer as a reader sees it, in the current language ("" when unanswered)."""
    if not _is_answered(answer):
        return ""
    value = answer.value
    if question.kind == FILE:
        return answer.filename or answer.file.name.rsplit("/", 1)[-1]
    if question.kind == NUMBER:
        return number_format(Decimal(str(value)), use_l10n=True, force_grouping=True)
    if question.kind == DATE:
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    if question.kind == CHOICE:
        return ", ".join(_choices_of(value))
    return str(value)


def answers_for_display(project):
    """Every question of the call with its answer, in the call's order: {id, label, kind,
    required, value (text, "" when unanswered), file_url (the checked download, or None),
    filename} — for the reviewer's page, the admin's proposal page and the check page."""
    questions = call_questions(project.call)
    if not questions:
        return []
    answers = _answers_by_question(project)
    rows = []
    for question in questions:
        answer = answers.get(question.id)
        has_file = question.kind == FILE and answer is not None and bool(answer.file)
        rows.append(
            {
                "id": question.id,
                "label": question.label,
                "kind": question.kind,
                "required": question.required,
                "value": display_value(question, answer),
                "file_url": reverse("workspace:answer_file", args=[answer.pk])
                if has_file
                else None,
                "filename": answer.filename if has_file else "",
            }
        )
    return rows


def answers_export_columns(call):
    """The exports' headers for the call's questions, in the call's order."""
    return [question.label for question in call_questions(call)]


def answers_export_values(project, call):
    """One exported row's values, in the order of `answers_export_columns(call)`: plain text,
    numbers as decimal strings, dates in ISO, choices joined by ", ", files as their file name.
    Prefetch `answers` on the projects of a long export: each row then costs no query."""
    questions = call_questions(call)
    if not questions:
        return []
    answers = {answer.question_id: answer for answer in project.answers.all()}
    values = []
    for question in questions:
        answer = answers.get(question.id)
        if not _is_answered(answer):
            values.append("")
        elif question.kind == FILE:
            values.append(answer.filename or answer.file.name.rsplit("/", 1)[-1])
        elif question.kind == CHOICE:
            values.append(", ".join(_choices_of(answer.value)))
        else:
            values.append(str(answer.value))
    return values


# --- Checking an answer ------------------------------------------------------------------------


def word_count(text):
    return len(str(text or "").split())


def _text(question, raw):
    if not isinstance(raw, str):
        raise ValidationError(_("Enter text."), code="invalid")
    text = raw.strip()
    if question.kind == SHORT_TEXT:
        limit = question.options.get("max_length")
        if limit and len(text) > limit:
            raise ValidationError(
                ngettext(
                    "At most %(limit)s character (you wrote %(count)s).",
                    "At most %(limit)s characters (you wrote %(count)s).",
                    limit,
                )
                % {"limit": limit, "count": len(text)},
                code="max_length",
            )
    else:
        limit, count = question.options.get("word_limit"), word_count(text)
        if limit and count > limit:
            raise ValidationError(
                ngettext(
                    "At most %(limit)s word (you wrote %(count)s).",
                    "At most %(limit)s words (you wrote %(count)s).",
                    limit,
                )
                % {"limit": limit, "count": count},
                code="word_limit",
            )
    return text or None


def _number(question, raw):
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    low, high = question.options.get("min_value"), question.options.get("max_value")
    if low is not None and number < low:
        raise ValidationError(
            _("Enter a number of at least %(min)s.") % {"min": number_format(low)}, code="min"
        )
    if high is not None and number > high:
        raise ValidationError(
            _("Enter a number of at most %(max)s.") % {"max": number_format(high)}, code="max"
        )
    return str(number)


def _choice(question, raw):
    chosen = [str(item) for item in (raw if isinstance(raw, (list, tuple)) else [raw]) if item]
    unknown = [item for item in chosen if item not in question.choices]
    if unknown:
        raise ValidationError(
            _("Choose among the options given: %(choice)s is not one of them.")
            % {"choice": ", ".join(f"“{item}”" for item in unknown)},
            code="invalid_choice",
        )
    if len(chosen) > 1 and not question.multiple:
        raise ValidationError(_("Choose one option only."), code="multiple")
    # Kept in the call's order, each once, whatever order they came in.
    chosen = [choice for choice in question.choices if choice in chosen]
    return chosen or None


def _date(question, raw):
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError(
            _("Enter a real date as year-month-day, e.g. 2027-03-31."), code="invalid"
        ) from None


CHECKS = {SHORT_TEXT: _text, LONG_TEXT: _text, NUMBER: _number, CHOICE: _choice, DATE: _date}


def clean_answer(question, raw):
    """The answer as stored (JSON: text, a decimal string, an ISO date, a list of chosen
    labels), or None for no answer; ValidationError when the question refuses it."""
    if raw is None or raw == "" or raw == [] or raw == ():
        return None
    return CHECKS[question.kind](question, raw)


def _check_file(file):
    return uploads.check(
        file, kinds=uploads.ATTACHMENT_KINDS, max_bytes=uploads.ATTACHMENT_MAX_BYTES
    )


# --- The service -------------------------------------------------------------------------------


def project_answers_set(*, project_id, actor, answers, files=None):
    """Save a proposal's answers: the lead centre's members, while the proposal is editable.

    `answers`: {question id: value} for the questions other than files (text, a number, a date
    or its ISO text, a chosen label or a list of them); `files`: {question id: an uploaded
    file, or None to remove the stored one}. An empty value removes the answer; a question
    not named is left as it is. Whether the required questions are answered is checked at
    submission (`question_unanswered`), so a proposal can be answered bit by bit.

    Every refused answer is reported at once: ValidationError({question id: [messages]}).
    Returns {question id: ProposalAnswer} of the answers the proposal now has."""
    answers, files = dict(answers or {}), dict(files or {})
    # Parsing a 10 MB PDF must not hold the project row: files are checked before the lock
    # (their refusals are reported after the permission checks, with the other answers').
    errors, kinds = {}, {}
    for question_id, file in files.items():
        if file is None:
            continue
        try:
            kinds[question_id] = _check_file(file)
        except ValidationError as error:
            errors[question_id] = error.error_list
    with transaction.atomic():
        try:
            project = lock_project(project_id)
        except JointProject.DoesNotExist:
            raise NotVisible("No such project.") from None
        if not permissions.can_view_project(actor, project):
            raise NotVisible("No such project.")
        if not permissions.can_edit_project(actor, project):
            raise NotPermitted("Only the lead centre answers the call's questions.")
        project_is_editable_or_409(project)
        questions = {question.id: question for question in call_questions(project.call)}
        cleaned = {}
        for question_id, raw in answers.items():
            question = questions.get(question_id)
            if question is None:
                errors[question_id] = [_("The call has no such question.")]
            elif question.kind == FILE:
                if raw not in (None, ""):
                    errors[question_id] = [_("Upload a file to answer this question.")]
                elif question_id not in files:
                    files[question_id] = None
            else:
                try:
                    cleaned[question_id] = clean_answer(question, raw)
                except ValidationError as error:
                    errors[question_id] = error.error_list
        for question_id in files:
            question = questions.get(question_id)
            if question is None:
                errors.setdefault(question_id, [_("The call has no such question.")])
            elif question.kind != FILE:
                errors.setdefault(question_id, [_("This question is not answered by a file.")])
        if errors:
            raise ValidationError(errors)
        stored = {answer.question_id: answer for answer in project.answers.all()}
        for question_id, value in cleaned.items():
            _store_value(project, stored, question_id, value, actor)
        for question_id, file in files.items():
            _store_file(project, stored, question_id, file, kinds.get(question_id), actor)
    return stored


def _remove(stored, question_id):
    answer = stored.pop(question_id, None)
    if answer is not None:
        if answer.file:
            uploads.delete_after_commit(answer.file.storage, answer.file.name)
        answer.delete()


def _store_value(project, stored, question_id, value, actor):
    if value is None:
        _remove(stored, question_id)
        return
    answer = stored.get(question_id) or ProposalAnswer(project=project, question_id=question_id)
    if answer.pk and answer.value == value:
        return
    answer.value, answer.answered_by = value, actor
    answer.save()
    stored[question_id] = answer


def _store_file(project, stored, question_id, file, kind, actor):
    if file is None:
        _remove(stored, question_id)
        return
    answer = stored.get(question_id) or ProposalAnswer(project=project, question_id=question_id)
    if answer.file:
        # The replaced file goes once the new one is committed: a rollback loses nothing.
        uploads.delete_after_commit(answer.file.storage, answer.file.name)
    answer.filename = uploads.display_name(getattr(file, "name", ""), kind, default="answer")
    answer.file = uploads.prepare(file, kind)
    answer.content_type = kind.content_type
    answer.value, answer.answered_by = None, actor
    answer.save()
    stored[question_id] = answer
