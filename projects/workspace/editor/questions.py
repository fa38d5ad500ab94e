"""The editor's section "Questions of the call" (/workspace/projects/<pk>/edit/questions/): one
field per question the call asks (Call.questions), saved through
`projects.questions.project_answers_set`. Only for a call that asks questions.

The form reads what was typed (a number, a date, the options ticked, an upload); the service
decides (word limits, bounds, choices, a file by its content) and its refusals come back next to
their fields. A required question may be left for later: the submission checks it
(`question_unanswered`).
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from projects import questions as q
from projects import uploads
from projects.workspace.editor._shared import (
    Locked,
    _add_service_errors,
    editor_view,
    render_section_form,
)
from projects.workspace.editor_forms import DateInput
from workflow.exceptions import WrongState

SECTION_TITLE = gettext_lazy("Questions of the call")
ACCEPTED_FILES = ",".join(kind.content_type for kind in uploads.ATTACHMENT_KINDS)
REMOVE = "{}-remove"


def _hint(question, current_words=None):
    """What the question asks for, in words: its help, then its limits."""
    parts = [question.help] if question.help else []
    options = question.options
    if question.kind == q.SHORT_TEXT and options.get("max_length"):
        parts.append(_("At most %(limit)s characters.") % {"limit": options["max_length"]})
    elif question.kind == q.LONG_TEXT and options.get("word_limit"):
        parts.append(
            ngettext("At most %(limit)s word.", "At most %(limit)s words.", options["word_limit"])
            % {"limit": options["word_limit"]}
        )
        if current_words:
            # Counted on the server, so the count is there without JavaScript.
            parts.append(
                ngettext("Now %(count)s word.", "Now %(count)s words.", current_words)
                % {"count": current_words}
            )
    elif question.kind == q.NUMBER:
        low, high = (
            None if options.get(name) is None else number_format(options[name])
            for name in ("min_value", "max_value")
        )
        if low is not None and high is not None:
            parts.append(_("A number from %(min)s to %(max)s.") % {"min": low, "max": high})
        elif low is not None:
            parts.append(_("A number of at least %(min)s.") % {"min": low})
        elif high is not None:
            parts.append(_("A number of at most %(max)s.") % {"max": high})
    elif question.kind == q.CHOICE and question.multiple:
        parts.append(_("Tick every option that applies."))
    elif question.kind == q.FILE:
        parts.append(
            _("A PDF, JPEG, PNG or WebP file of at most %(size)s MB.")
            % {"size": uploads.ATTACHMENT_MAX_BYTES // uploads.MB}
        )
    return " ".join(str(part) for part in parts)


def _label(question):
    if question.required:
        return question.label
    return _("%(question)s (optional)") % {"question": question.label}


def _field_for(question):
    """A form field that only reads what was typed: every answer may wait (the submission
    checks the required ones) and the service checks the limits."""
    common = {"label": _label(question), "required": False}
    if question.kind == q.SHORT_TEXT:
        return forms.CharField(**common)
    if question.kind == q.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), **common)
    if question.kind == q.NUMBER:
        return forms.DecimalField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if question.kind == q.CHOICE:
        choices = [(choice, choice) for choice in question.choices]
        if question.multiple:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if not question.required:
            choices.append(("", _("No answer")))
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == q.DATE:
        return forms.DateField(widget=DateInput, **common)
    return forms.FileField(widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}), **common)


def _initial(question, answer):
    if answer is None or answer.value in (None, ""):
        return None
    value = answer.value
    if question.kind == q.NUMBER:
        return Decimal(str(value))
    if question.kind == q.DATE:
        return date.fromisoformat(value)
    if question.kind == q.CHOICE:
        chosen = value if isinstance(value, list) else [value]
        return chosen if question.multiple else (chosen[0] if chosen else None)
    return value


class QuestionsForm(forms.Form):
    """One field per question, named by the question's id; a file already given can be
    replaced by a new upload, or removed."""

    def __init__(self, *args, questions, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.stored = answers
        for question in questions:
            answer = answers.get(question.id)
            self.fields[question.id] = _field_for(question)
            self.initial[question.id] = _initial(question, answer)
            if question.kind == q.FILE and answer is not None and answer.file:
                self.fields[REMOVE.format(question.id)] = forms.BooleanField(
                    label=_("Remove this file"), required=False
                )
        for question in questions:
            words = None
            if question.kind == q.LONG_TEXT:
                text = self.data.get(question.id) if self.is_bound else self.initial[question.id]
                words = q.word_count(text)
            self.fields[question.id].help_text = _hint(question, words)

    def answers(self):
        """{question id: value} for the service: every question but the files."""
        return {
            question.id: self.cleaned_data.get(question.id)
            for question in self.questions
            if question.kind != q.FILE
        }

    def files_to_save(self):
        """{question id: the new upload, or None to remove the stored file}."""
        chosen = {}
        for question in self.questions:
            if question.kind != q.FILE:
                continue
            upload = self.cleaned_data.get(question.id)
            if upload:
                chosen[question.id] = upload
            elif self.cleaned_data.get(REMOVE.format(question.id)):
                chosen[question.id] = None
        return chosen

    def rows(self):
        """Each question with its field, and for a file its stored answer and "remove" box."""
        rows = []
        for question in self.questions:
            answer = self.stored.get(question.id)
            has_file = question.kind == q.FILE and answer is not None and bool(answer.file)
            rows.append(
                {
                    "question": question,
                    "field": self[question.id],
                    "file": answer if has_file else None,
                    "file_url": reverse("workspace:answer_file", args=[answer.pk])
                    if has_file
                    else "",
                    "remove": self[REMOVE.format(question.id)] if has_file else None,
                }
            )
        return rows


@require_http_methods(["GET", "POST"])
@editor_view(edit=True)
def questions_section(request, project):
    questions = q.call_questions(project.call)
    if not questions:
        raise Http404("The call asks no questions of its own.")
    if not project.is_editable:
        raise Locked
    answers = {answer.question_id: answer for answer in project.answers.all()}
    back_to_check = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    if request.method == "POST":
        form = QuestionsForm(request.POST, request.FILES, questions=questions, answers=answers)
        if form.is_valid():
            try:
                q.project_answers_set(
                    project_id=project.pk,
                    actor=request.user,
                    answers=form.answers(),
                    files=form.files_to_save(),
                )
            except WrongState:
                raise Locked from None
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Saved: %(section)s.") % {"section": SECTION_TITLE})
                target = "workspace:editor_check" if back_to_check else "workspace:editor"
                return redirect(target, pk=project.pk)
        status = 400
    else:
        form = QuestionsForm(questions=questions, answers=answers)
        status = 200
    return render_section_form(
        request,
        project,
        "projects/workspace/editor/questions.html",
        title=SECTION_TITLE,
        form=form,
        back_to_check=back_to_check,
        status=status,
    )
