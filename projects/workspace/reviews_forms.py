"""The reviewer's forms: a score and a comment per award criterion of the call, and the
conflict-of-interest declaration. They check what a person typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.workspace._common import COMMENT_MAX_LENGTH

# The overall comment may be longer than a criterion's (the API's limit).
OVERALL_COMMENT_MAX_LENGTH = 10000


def score_field_name(criterion):
    return f"score_{criterion.pk}"


def comment_field_name(criterion):
    return f"comment_{criterion.pk}"


class ReviewScoresForm(forms.Form):
    """One score (0..the criterion's maximum, empty while drafting) and one optional comment
    per criterion, and the overall comment. A score already saved can be changed, not emptied:
    the service keeps saved scores, so an emptied field would quietly come back."""

    def __init__(self, *args, criteria, saved, **kwargs):
        self.criteria = list(criteria)
        self.saved = saved  # {criterion id: ReviewScore}
        initial = kwargs.pop("initial", None) or {}
        for criterion in self.criteria:
            score = saved.get(criterion.pk)
            if score is not None:
                initial.setdefault(score_field_name(criterion), score.score)
                initial.setdefault(comment_field_name(criterion), score.comment)
        kwargs.setdefault("auto_id", "review-%s")
        super().__init__(*args, initial=initial, **kwargs)
        for criterion in self.criteria:
            bounds = {"max": criterion.max_score}
            out_of_bounds = _("Enter a whole number from 0 to %(max)s.") % bounds
            self.fields[score_field_name(criterion)] = forms.IntegerField(
                label=_("Score for “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                min_value=0,
                max_value=criterion.max_score,
                help_text=_("From 0 to %(max)s.") % bounds,
                error_messages={
                    "invalid": out_of_bounds,
                    "min_value": out_of_bounds,
                    "max_value": out_of_bounds,
                },
                widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
            )
            self.fields[comment_field_name(criterion)] = forms.CharField(
                label=_("Comment on “%(criterion)s” (optional)") % {"criterion": criterion.name},
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Overall comment (optional)"),
            required=False,
            max_length=OVERALL_COMMENT_MAX_LENGTH,
            help_text=_(
                "Your comments are read by the network secretariat, and anonymously by the "
                "other reviewers once they have submitted theirs; never by the applicants."
            ),
            widget=forms.Textarea(attrs={"rows": 5}),
        )

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            name = score_field_name(criterion)
            if name in self._errors:
                continue
            if cleaned.get(name) is None:
                if criterion.pk in self.saved:
                    self.add_error(
                        name,
                        _(
                            "A saved score can be changed but not removed: enter a whole "
                            "number from 0 to %(max)s."
                        )
                        % {"max": criterion.max_score},
                    )
                elif (cleaned.get(comment_field_name(criterion)) or "").strip():
                    self.add_error(
                        name, _("Give a score with your comment, so that the comment is kept.")
                    )
        return cleaned

    def rows(self):
        """Per criterion: the criterion and its two bound fields, for the template."""
        return [
            {
                "criterion": criterion,
                "score": self[score_field_name(criterion)],
                "comment": self[comment_field_name(criterion)],
            }
            for criterion in self.criteria
        ]

    def scores(self):
        """The scores typed, in the services' shape (empty ones left out)."""
        entries = []
        for criterion in self.criteria:
            score = self.cleaned_data.get(score_field_name(criterion))
            if score is not None:
                entries.append(
                    {
                        "criterion": criterion.pk,
                        "score": score,
                        "comment": self.cleaned_data.get(comment_field_name(criterion), ""),
                    }
                )
        return entries

    def unscored(self):
        """The criteria with no score, neither typed nor saved."""
        return [
            criterion
            for criterion in self.criteria
            if self.cleaned_data.get(score_field_name(criterion)) is None
            and criterion.pk not in self.saved
        ]


class ConflictForm(forms.Form):
    """Declaring a conflict of interest declines the review."""

    declaration = forms.BooleanField(
        label=_(
            "I declare a conflict of interest with this proposal: I cannot review it impartially."
        ),
        error_messages={"required": _("Tick the declaration to decline the review.")},
    )
    reason = forms.CharField(
        label=_("What is the conflict?"),
        help_text=_("Read by the network secretariat only, never by the applicants."),
        max_length=COMMENT_MAX_LENGTH,
        error_messages={"required": _("Say briefly what the conflict is.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "conflict-%s")
        super().__init__(*args, **kwargs)
