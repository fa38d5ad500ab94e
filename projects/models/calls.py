"""Calls for proposals: funding rounds whose rules are data, never code."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable

from projects.admin.call_form import CallForm
from projects.questions_blocks import CallQuestionsBlock

from ._fields import money_field, rate_field
from .network import Network


class CallKind(models.TextChoices):
    PROJECT = "project", _("Joint projects")
    MOBILITY = "mobility", _("Staff mobility")


@dataclass(frozen=True)
class CallRules:
    """The rules a proposal is held to: the call's, or its tier's where it has tiers."""

    min_partners: int
    min_countries: int
    max_grant: Decimal
    max_cofinancing_rate: Decimal
    max_duration_months: int


def _positive_rules_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=models.Q(min_partners__gte=1),
            name=f"{prefix}_min_partners_positive",
            violation_error_message=_("At least one partner (the lead) is needed."),
        ),
        models.CheckConstraint(
            condition=models.Q(min_countries__gte=1),
            name=f"{prefix}_min_countries_positive",
            violation_error_message=_("At least one country is needed."),
        ),
        models.CheckConstraint(
            condition=models.Q(max_grant__gte=0),
            name=f"{prefix}_max_grant_not_negative",
            violation_error_message=_("The maximum grant cannot be negative."),
        ),
        models.CheckConstraint(
            condition=models.Q(max_cofinancing_rate__gte=0, max_cofinancing_rate__lte=1),
            name=f"{prefix}_cofinancing_rate_range",
            violation_error_message=_("The co-financing rate must lie between 0 and 1."),
        ),
        models.CheckConstraint(
            condition=models.Q(max_duration_months__gte=1),
            name=f"{prefix}_duration_positive",
            violation_error_message=_("The maximum duration is at least one month."),
        ),
    ]


class Call(ClusterableModel):
    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind, default=CallKind.PROJECT)
    summary = models.TextField(_("summary"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    budget = money_field(_("total budget (EUR)"))
    min_partners = models.PositiveSmallIntegerField(
        _("minimum partners"), default=3, help_text=_("Centres taking part, the lead included.")
    )
    min_countries = models.PositiveSmallIntegerField(_("minimum countries"), default=2)
    max_grant = money_field(_("maximum grant (EUR)"))
    max_cofinancing_rate = rate_field(
        _("maximum co-financing rate"), default=Decimal("0.80"), help_text=_("e.g. 0.80 for 80 %")
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"), default=24
    )
    prefinancing_rate = rate_field(_("pre-financing rate"), default=Decimal("0.60"))
    min_reviews = models.PositiveSmallIntegerField(_("minimum reviews"), default=2)
    overall_threshold = models.DecimalField(
        _("overall threshold"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The weighted mean score a proposal must reach."),
    )
    conflict_same_country = models.BooleanField(
        _("same-country conflict"),
        default=False,
        help_text=_(
            "Reviewers who work for a centre in the same country as any partner of a proposal "
            "have a conflict of interest and are not assigned to it."
        ),
    )
    questions = StreamField(
        CallQuestionsBlock(),
        verbose_name=_("questions"),
        blank=True,
        default=list,
        help_text=_(
            "The call's own questions, answered in a section of the proposal. A question is "
            "frozen once a proposal has answered it; add a new question to change it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Refuses changing or removing a question a proposal has answered.
    base_form_class = CallForm

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("network"),
                FieldPanel("kind"),
                FieldPanel("summary"),
            ],
            heading=_("Call"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("opens_at"), FieldPanel("deadline")]), FieldPanel("budget")],
            heading=_("Dates and budget"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_partners"), FieldPanel("min_countries")]),
                FieldRowPanel([FieldPanel("max_grant"), FieldPanel("max_cofinancing_rate")]),
                FieldRowPanel([FieldPanel("max_duration_months"), FieldPanel("prefinancing_rate")]),
            ],
            heading=_("Rules (used when the call has no tiers)"),
        ),
        InlinePanel("tiers", heading=_("Tiers"), label=_("Tier")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_reviews"), FieldPanel("overall_threshold")]),
                FieldPanel("conflict_same_country"),
            ],
            heading=_("Review"),
        ),
        InlinePanel("criteria", heading=_("Award criteria"), label=_("Criterion"), min_num=0),
        FieldPanel("questions", heading=_("Questions")),
    ]

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            *_positive_rules_constraints("call"),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("opens_at")),
                name="call_deadline_after_opening",
                violation_error_message=_("The deadline must come after the opening."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0),
                name="call_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(prefinancing_rate__gte=0, prefinancing_rate__lte=1),
                name="call_prefinancing_rate_range",
                violation_error_message=_("The pre-financing rate must lie between 0 and 1."),
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, at=None):
        at = at or timezone.now()
        return self.opens_at <= at <= self.deadline

    def rules(self, tier=None):
        source = tier or self
        return CallRules(
            min_partners=source.min_partners,
            min_countries=source.min_countries,
            max_grant=source.max_grant,
            max_cofinancing_rate=source.max_cofinancing_rate,
            max_duration_months=source.max_duration_months,
        )


class CallTier(Orderable):
    """Small / medium / large: each with its own rules; a proposal picks one."""

    call = ParentalKey(Call, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=100)
    min_partners = models.PositiveSmallIntegerField(_("minimum partners"), default=3)
    min_countries = models.PositiveSmallIntegerField(_("minimum countries"), default=2)
    max_grant = money_field(_("maximum grant (EUR)"))
    max_cofinancing_rate = rate_field(_("maximum co-financing rate"), default=Decimal("0.80"))
    max_duration_months = models.PositiveSmallIntegerField(
        _("maximum duration (months)"), default=24
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("min_partners"), FieldPanel("min_countries")]),
        FieldRowPanel([FieldPanel("max_grant"), FieldPanel("max_cofinancing_rate")]),
        FieldPanel("max_duration_months"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            *_positive_rules_constraints("tier"),
            models.UniqueConstraint(
                fields=["call", "name"],
                name="tier_name_once_per_call",
                violation_error_message=_("This call already has a tier of that name."),
            ),
        ]

    def __str__(self):
        return f"{self.call} – {self.name}"


class AwardCriterion(Orderable):
    call = ParentalKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        default=0,
        help_text=_("The score below which a proposal fails this criterion."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("max_score"), FieldPanel("threshold"), FieldPanel("weight")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("award criterion")
        verbose_name_plural = _("award criteria")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_score__gte=1),
                name="criterion_max_score_positive",
                violation_error_message=_("The maximum score is at least 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__lte=models.F("max_score")),
                name="criterion_threshold_within_max",
                violation_error_message=_("The threshold cannot exceed the maximum score."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="criterion_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if (
            self.threshold is not None
            and self.max_score is not None
            and self.threshold > self.max_score
        ):
            raise ValidationError(
                {"threshold": _("The threshold cannot exceed the maximum score.")}
            )
