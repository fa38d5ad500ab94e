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

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # The protected field refuses the reload's setattr; let it be written afresh.
        if fields is None or "state" in fields:
            self.__dict__.pop("state", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
