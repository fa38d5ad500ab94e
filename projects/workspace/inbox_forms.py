"""Forms of the inbox (issue 7): how each kind of notification is emailed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.inbox_selectors import NOTIFICATION_KINDS
from workflow.models import EmailDelivery


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification (the field is named after its event): immediately,
    in the daily digest, or not by email. In the app, every notification is always shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for _group, kinds in NOTIFICATION_KINDS:
            for event, label in kinds:
                self.fields[event] = forms.ChoiceField(
                    label=label,
                    choices=EmailDelivery.choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Choose how to be emailed about this."),
                        "invalid_choice": _("Choose one of the three ways."),
                    },
                )

    def groups(self):
        """[(group label, [bound field, ...])] in the order of NOTIFICATION_KINDS."""
        return [
            (group, [self[event] for event, _label in kinds]) for group, kinds in NOTIFICATION_KINDS
        ]

    def choices(self):
        return EmailDelivery.choices
