"""The call's admin form: a question some proposal has answered is frozen.

Answers are stored under the question's block id (ProposalAnswer.question_id), so changing an
answered question's kind, text, options or whether it is required would change what the
answers given mean, and removing it would orphan them. Such a change is refused with an error
on the question; adding new questions is always allowed (that is the call's "new version":
the answers keep pointing at the question they answered). Its help and the order of the
questions may change.

Call.base_form_class names this form, so it is imported by the model module: nothing here
imports the models at import time.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.blocks.stream_block import StreamBlockValidationError


def _quoted(labels):
    return ", ".join(f"“{label}”" for label in labels)


class CallForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen = self._frozen_questions()
        field = self.fields.get("questions")
        if self.frozen and field is not None:
            note = _(
                "Frozen, because proposals have answered them: %(questions)s. Their kind, "
                "text, options and whether they are required can no longer change, and they "
                "cannot be removed; add a new question instead."
            ) % {"questions": _quoted(question.label for question in self.frozen.values())}
            field.help_text = f"{field.help_text} {note}" if field.help_text else note

    def _frozen_questions(self):
        """{id: Question} of the stored questions that some proposal answered."""
        from projects.questions import call_questions, questions_answered_ids

        if self.instance.pk is None:
            return {}
        answered = questions_answered_ids(self.instance)
        if not answered:
            return {}
        return {q.id: q for q in call_questions(self.instance) if q.id in answered}

    def clean_questions(self):
        from projects.questions import questions_of

        value = self.cleaned_data.get("questions")
        if not self.frozen:
            return value
        posted = questions_of(value)
        at = {question.id: index for index, question in enumerate(posted)}
        block_errors = {}
        for index, question in enumerate(posted):
            before = self.frozen.get(question.id)
            if before is not None and question.frozen_signature() != before.frozen_signature():
                block_errors[index] = ValidationError(
                    _(
                        "“%(question)s” has been answered by proposals: its kind, text, options "
                        "and whether it is required can no longer change. Add a new question "
                        "instead."
                    )
                    % {"question": before.label}
                )
        removed = [q.label for qid, q in self.frozen.items() if qid not in at]
        non_block_errors = []
        if removed:
            non_block_errors.append(
                ValidationError(
                    _(
                        "These questions have been answered by proposals and cannot be "
                        "removed: %(questions)s."
                    )
                    % {"questions": _quoted(removed)}
                )
            )
        if block_errors or non_block_errors:
            raise StreamBlockValidationError(
                block_errors=block_errors, non_block_errors=non_block_errors
            )
        return value
