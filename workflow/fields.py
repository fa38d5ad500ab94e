"""What every model with a lifecycle shares."""

from django.db import models


class LifecycleModel(models.Model):
    """A model whose `state` is a protected FSMField.

    Django's full_clean() writes every cleaned value back onto the instance, which a protected
    FSMField refuses; the state is never edited through a form anyway (only transitions change
    it), so validation leaves it out.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), "state"})
