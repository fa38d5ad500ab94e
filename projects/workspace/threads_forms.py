"""The form of a proposal's message thread: what a person types; the service decides the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.models import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "The message is too long: %(show_value)d characters, at most %(limit_value)d."
            ),
        },
    )
    coordinators_only = forms.BooleanField(
        label=_("Coordinators only: a note the centres never see"),
        required=False,
    )

    def __init__(self, *args, secretariat=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only coordinators keep notes for themselves; for anyone else the field does not exist
        # (a posted value is ignored, never trusted).
        if not secretariat:
            del self.fields["coordinators_only"]

    @property
    def secretariat(self):
        return "coordinators_only" in self.fields
