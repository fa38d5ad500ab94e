"""The blocks of a call's own questions, built by coordinators in the admin without code.

Each question is a StreamField block; its stable block id is the key its answers are stored
under (projects.models.ProposalAnswer.question_id), so a question once answered is frozen: its
text and kind cannot change under the answers already given.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class QuestionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Question"), max_length=300)
    help_text = blocks.CharBlock(label=_("Help text"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("An answer is required"), required=False, default=True)

    class Meta:
        icon = "help"


class ShortTextQuestionBlock(QuestionBlock):
    max_length = blocks.IntegerBlock(
        label=_("Maximum characters"), min_value=1, max_value=1000, default=200
    )

    class Meta:
        label = _("Short text")
        icon = "pilcrow"


class LongTextQuestionBlock(QuestionBlock):
    word_limit = blocks.IntegerBlock(label=_("Word limit"), min_value=1, default=500)

    class Meta:
        label = _("Long text")
        icon = "doc-full"


class NumberQuestionBlock(QuestionBlock):
    min_value = blocks.DecimalBlock(label=_("Minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("Maximum"), required=False)

    class Meta:
        label = _("Number")
        icon = "order"


class ChoiceQuestionBlock(QuestionBlock):
    choices = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("Choices"), min_num=2)
    multiple = blocks.BooleanBlock(label=_("Several may be chosen"), required=False)

    class Meta:
        label = _("Choice")
        icon = "list-ul"


class DateQuestionBlock(QuestionBlock):
    class Meta:
        label = _("Date")
        icon = "date"


class FileQuestionBlock(QuestionBlock):
    class Meta:
        label = _("File (PDF or image)")
        icon = "doc-empty"


class CallQuestionsBlock(blocks.StreamBlock):
    short_text = ShortTextQuestionBlock()
    long_text = LongTextQuestionBlock()
    number = NumberQuestionBlock()
    choice = ChoiceQuestionBlock()
    date = DateQuestionBlock()
    file = FileQuestionBlock()

    class Meta:
        required = False
