"""Field helpers shared by the domain models: money and rates are Decimals."""

from decimal import Decimal

from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs):
    """EUR amount, two places, never negative."""
    kwargs.setdefault(
        "validators", [MinValueValidator(ZERO, message=_("This amount cannot be negative."))]
    )
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def rate_field(verbose_name, **kwargs):
    """A rate in [0, 1], e.g. 0.80 for 80 %."""
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=4,
        validators=[
            MinValueValidator(Decimal(0), message=_("A rate lies between 0 and 1 (e.g. 0.80).")),
            MaxValueValidator(Decimal(1), message=_("A rate lies between 0 and 1 (e.g. 0.80).")),
        ],
        **kwargs,
    )


def private_storage():
    """Member files (mandates, attachments): never public, signed URLs only."""
    return storages["private"]


class BilingualNameMixin(models.Model):
    """Reference vocabularies named in English and French."""

    name = models.CharField("name (English)", max_length=100, unique=True)
    name_fr = models.CharField("name (French)", max_length=100, blank=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "en").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name
