"""Networks, centres and the people who work for them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from ._fields import BilingualNameMixin


class NetworkKind(models.TextChoices):
    NATIONAL = "national", _("National network")
    REGIONAL = "regional", _("Regional network")
    INTERNATIONAL = "international", _("International association")


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=NetworkKind, default=NetworkKind.NATIONAL
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("Empty for an international association.")
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="international") | models.Q(country=""),
                name="network_international_has_no_country",
                violation_error_message=_("An international association has no single country."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="international") | ~models.Q(country=""),
                name="network_national_has_country",
                violation_error_message=_("A national or regional network needs its country."),
            ),
        ]

    def __str__(self):
        return self.name


class Discipline(BilingualNameMixin):
    class Meta(BilingualNameMixin.Meta):
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")


class Theme(BilingualNameMixin):
    class Meta(BilingualNameMixin.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("Member")
    ASSOCIATED = "associated", _("Associated")
    GUEST = "guest", _("Guest (non-member partner)")


class Centre(ClusterableModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="centres"
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    membership_kind = models.CharField(
        _("membership"), max_length=20, choices=MembershipKind, default=MembershipKind.MEMBER
    )
    has_label = models.BooleanField(
        _("quality label"), default=False, help_text=_("The network's quality label is awarded.")
    )
    disciplines = models.ManyToManyField(
        Discipline, verbose_name=_("disciplines"), blank=True, related_name="centres"
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("short description"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldPanel("network"),
                FieldPanel("membership_kind"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("city")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Location"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("has_label"),
                FieldPanel("disciplines"),
                FieldPanel("website"),
                FieldPanel("description"),
            ],
            heading=_("Profile"),
        ),
        InlinePanel("memberships", heading=_("Members"), label=_("Member")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        indexes = [models.Index(fields=["country", "name"], name="centre_country_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="centre_latitude_range",
                violation_error_message=_("Latitude must lie between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="centre_longitude_range",
                violation_error_message=_("Longitude must lie between -180 and 180."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"


class MembershipRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


class Membership(models.Model):
    """A user works for a centre; a manager may commit the centre."""

    centre = ParentalKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole, default=MembershipRole.STAFF
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldRowPanel([FieldPanel("user"), FieldPanel("role")])]

    class Meta:
        ordering = ["centre_id", "user_id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "centre"],
                name="membership_once_per_centre",
                violation_error_message=_("This person is already a member of this centre."),
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.centre} ({self.get_role_display()})"

    @property
    def is_manager(self):
        return self.role == MembershipRole.MANAGER
