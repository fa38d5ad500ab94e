"""Joint projects (proposals that become projects) and the centres' places in them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from projects import uploads
from workflow.fields import LifecycleModel
from workflow.states import PartnershipState, ProjectState

from ._fields import ZERO, money_field, private_storage
from .calls import Call, CallTier
from .network import Centre, Theme

MAX_UPLOAD_BYTES = uploads.MANDATE_MAX_BYTES


def validate_upload_size(file):
    """Kept for migration 0001; the fields now validate through projects/uploads.py."""
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is 10 MB."),
            params={"size": round(file.size / 1024 / 1024, 1)},
            code="file_too_large",
        )


class JointProject(LifecycleModel):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="projects"
    )
    tier = models.ForeignKey(
        CallTier,
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    lead_centre = models.ForeignKey(
        Centre, verbose_name=_("lead centre"), on_delete=models.PROTECT, related_name="led_projects"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(_("public summary"), max_length=2000, blank=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="projects"
    )
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    sought_partner_profile = models.TextField(
        _("partners sought"),
        blank=True,
        help_text=_("Shown in the Project Fair while partners are sought."),
    )
    state = FSMField(
        _("state"), max_length=30, choices=ProjectState, default=ProjectState.DRAFT, protected=True
    )
    awarded_amount = money_field(_("awarded grant (EUR)"), null=True, blank=True)
    final_grant = money_field(_("final grant (EUR)"), null=True, blank=True)
    resubmission_date = models.DateTimeField(_("resubmit by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        indexes = [
            # Lists are newest first: the index serves their ORDER BY … LIMIT.
            models.Index(fields=["-created_at", "-id"], name="project_newest_first"),
            models.Index(fields=["state", "call"], name="project_state_call"),
            models.Index(fields=["lead_centre", "state"], name="project_lead_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
                violation_error_message=_("The project cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(awarded_amount__isnull=True) | models.Q(awarded_amount__gte=0),
                name="project_awarded_not_negative",
                violation_error_message=_("The awarded grant cannot be negative."),
            ),
        ]

    def __str__(self):
        if self.title and self.acronym:
            return f"{self.title} ({self.acronym})"
        return self.title or self.acronym or f"#{self.pk}"

    def clean(self):
        super().clean()
        if self.tier_id and self.call_id and self.tier.call_id != self.call_id:
            raise ValidationError({"tier": _("This tier belongs to another call.")})
        if self.call_id and not self.tier_id and self.call.tiers.exists():
            raise ValidationError({"tier": _("This call has tiers: choose one.")})

    @property
    def rules(self):
        return self.call.rules(self.tier)

    @property
    def is_editable(self):
        return self.state in ProjectState.editable()

    @property
    def duration_months(self):
        if not (self.start_date and self.end_date):
            return None
        months = (
            (self.end_date.year - self.start_date.year) * 12
            + self.end_date.month
            - self.start_date.month
        )
        return months + (1 if self.end_date.day >= self.start_date.day else 0)

    # Derived figures, from the confirmed partnerships. Prefetch `partnerships__budget_lines`
    # (see projects.selectors) to compute them without a query per partner.
    def confirmed_partnerships(self):
        return [p for p in self.partnerships.all() if p.state == PartnershipState.CONFIRMED]

    @property
    def countries(self):
        return sorted({p.centre.country.code for p in self.confirmed_partnerships()})

    @property
    def total_cost(self):
        return sum((p.total_cost for p in self.confirmed_partnerships()), ZERO)

    @property
    def requested_grant(self):
        return sum((p.requested_grant for p in self.confirmed_partnerships()), ZERO)

    @property
    def cofinancing_rate(self):
        total = self.total_cost
        if not total:
            return None
        return (self.requested_grant / total).quantize(Decimal("0.0001"))

    # --- Lifecycle (PRODUCT.md §3.1). Transitions change fields only; the workflow service
    # checks permissions and conditions, locks, saves, logs and notifies.
    @transition(field=state, source=ProjectState.DRAFT, target=ProjectState.OPEN_FOR_PARTNERS)
    def open_partner_search(self):
        pass

    @transition(
        field=state,
        source=[ProjectState.DRAFT, ProjectState.OPEN_FOR_PARTNERS, ProjectState.CHANGES_REQUESTED],
        target=ProjectState.SUBMITTED,
    )
    def submit(self):
        self.resubmission_date = None

    @transition(field=state, source=ProjectState.SUBMITTED, target=ProjectState.UNDER_REVIEW)
    def start_review(self):
        pass

    @transition(
        field=state,
        source=[ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW],
        target=ProjectState.CHANGES_REQUESTED,
    )
    def request_changes(self, *, resubmission_date):
        self.resubmission_date = resubmission_date

    @transition(field=state, source=ProjectState.UNDER_REVIEW, target=ProjectState.APPROVED)
    def approve(self, *, awarded_amount):
        self.awarded_amount = awarded_amount

    @transition(
        field=state,
        source=[ProjectState.SUBMITTED, ProjectState.UNDER_REVIEW],
        target=ProjectState.REJECTED,
    )
    def reject(self):
        pass

    @transition(
        field=state,
        source=[
            ProjectState.DRAFT,
            ProjectState.OPEN_FOR_PARTNERS,
            ProjectState.SUBMITTED,
            ProjectState.UNDER_REVIEW,
            ProjectState.CHANGES_REQUESTED,
        ],
        target=ProjectState.WITHDRAWN,
    )
    def withdraw(self):
        pass

    @transition(field=state, source=ProjectState.APPROVED, target=ProjectState.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=ProjectState.IN_PROGRESS, target=ProjectState.REPORTING)
    def begin_reporting(self):
        pass

    @transition(field=state, source=ProjectState.REPORTING, target=ProjectState.REPORT_SUBMITTED)
    def submit_report(self):
        pass

    @transition(field=state, source=ProjectState.REPORT_SUBMITTED, target=ProjectState.REPORTING)
    def return_report(self):
        pass

    @transition(
        field=state,
        source=[ProjectState.APPROVED, ProjectState.IN_PROGRESS, ProjectState.REPORTING],
        target=ProjectState.TERMINATED,
    )
    def terminate(self, *, final_grant):
        self.final_grant = final_grant

    @transition(field=state, source=ProjectState.REPORT_SUBMITTED, target=ProjectState.COMPLETED)
    def complete(self, *, final_grant):
        self.final_grant = final_grant


class PartnershipRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")


class PartnershipOrigin(models.TextChoices):
    LEAD = "lead", _("Lead centre")
    INVITATION = "invitation", _("Invited by the lead")
    REQUEST = "request", _("Asked to join")


class Partnership(LifecycleModel):
    """A centre's place in a joint project: its mandate, budget and agreement."""

    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="partnerships")
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=PartnershipRole, default=PartnershipRole.PARTNER
    )
    state = FSMField(
        _("state"),
        max_length=20,
        choices=PartnershipState,
        default=PartnershipState.INVITED,
        protected=True,
    )
    # Who asked whom decides who answers: the invited centre, or the lead for a request.
    origin = models.CharField(
        _("origin"), max_length=12, choices=PartnershipOrigin, default=PartnershipOrigin.INVITATION
    )
    own_contribution = money_field(_("own contribution (EUR)"), default=ZERO)
    mandate_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mandate_signed_at = models.DateTimeField(_("mandate signed at"), null=True, blank=True)
    # Checked by content (projects/uploads.py), stored under a generated name, private.
    mandate_file = models.FileField(
        _("signed mandate (PDF)"),
        storage=private_storage,
        upload_to=uploads.mandate_upload_to,
        blank=True,
        validators=[uploads.validate_mandate],
    )
    agreement_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreement_accepted_at = models.DateTimeField(
        _("grant agreement accepted at"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-role", "id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "centre"],
                name="partnership_centre_once_per_project",
                violation_error_message=_("This centre already takes part in this project."),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(role="lead"),
                name="partnership_one_lead_per_project",
                violation_error_message=_("A project has exactly one lead centre."),
            ),
            models.CheckConstraint(
                condition=models.Q(own_contribution__gte=0),
                name="partnership_contribution_not_negative",
                violation_error_message=_("The own contribution cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(role="lead") | models.Q(state="confirmed"),
                name="partnership_lead_is_confirmed",
                violation_error_message=_("The lead centre's partnership is always confirmed."),
            ),
        ]

    def __str__(self):
        return f"{self.centre.name} in {self.project} ({self.get_role_display()})"

    @property
    def is_lead(self):
        return self.role == PartnershipRole.LEAD

    @property
    def mandate_signed(self):
        return self.mandate_signed_at is not None

    @property
    def agreement_accepted(self):
        return self.agreement_accepted_at is not None

    @property
    def total_cost(self):
        return sum((line.amount for line in self.budget_lines.all()), ZERO)

    @property
    def requested_grant(self):
        return max(self.total_cost - self.own_contribution, ZERO)

    # --- Lifecycle (PRODUCT.md §3.2); the creation (invite or request) is a service.
    @transition(
        field=state,
        source=[PartnershipState.INVITED, PartnershipState.REQUESTED],
        target=PartnershipState.CONFIRMED,
    )
    def accept(self):
        pass

    @transition(
        field=state,
        source=[PartnershipState.INVITED, PartnershipState.REQUESTED],
        target=PartnershipState.DECLINED,
    )
    def decline(self):
        pass

    @transition(field=state, source=PartnershipState.CONFIRMED, target=PartnershipState.WITHDRAWN)
    def withdraw(self):
        self.agreement_accepted_at = None
        self.agreement_accepted_by = None


@receiver(post_delete, sender=Partnership)
def delete_mandate_file(sender, instance, **kwargs):
    """A deleted partnership (or project) takes its stored mandate with it, once committed."""
    if instance.mandate_file:
        uploads.delete_after_commit(instance.mandate_file.storage, instance.mandate_file.name)
