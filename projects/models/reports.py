"""What partners report on what they did: narrative, indicators and actual costs."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from projects import uploads
from workflow.fields import LifecycleModel
from workflow.states import ReportState

from ._fields import ZERO, money_field, private_storage
from .joint_projects import JointProject, Partnership


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim report")
    FINAL = "final", _("Final report")


class Report(LifecycleModel):
    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind, default=ReportKind.FINAL)
    state = FSMField(
        _("state"), max_length=20, choices=ReportState, default=ReportState.DRAFT, protected=True
    )
    narrative = models.TextField(_("narrative"), blank=True)
    # {"events", "audience" (per country code), "artists", "participants", "travellers",
    # "volunteers", "outputs": [{"title", "url"}]}: validated by the API's IndicatorsSerializer.
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or returned at"), null=True, blank=True)

    class Meta:
        ordering = ["project_id", "created_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(kind="final"),
                name="report_one_final_per_project",
                violation_error_message=_("A project has one final report."),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.project}"

    @property
    def is_final(self):
        return self.kind == ReportKind.FINAL

    @property
    def is_editable(self):
        return self.state in ReportState.editable()

    @property
    def total_actual_costs(self):
        return sum((cost.amount for cost in self.costs.all()), ZERO)

    @property
    def total_accepted_costs(self):
        return sum(
            (
                cost.accepted_amount if cost.accepted_amount is not None else ZERO
                for cost in self.costs.all()
            ),
            ZERO,
        )

    # --- Lifecycle (PRODUCT.md §3.4)
    @transition(
        field=state, source=[ReportState.DRAFT, ReportState.RETURNED], target=ReportState.SUBMITTED
    )
    def submit(self, *, at):
        self.submitted_at = at

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.ACCEPTED)
    def accept(self, *, at):
        self.decided_at = at

    @transition(
        field=state,
        source=ReportState.SUBMITTED,
        target=ReportState.RETURNED,
        custom={"name": "return"},
    )
    def return_(self, *, at):
        self.decided_at = at


class ReportCost(models.Model):
    """A partner's actual costs, as reported, and as the coordinator accepted them."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="costs")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reported_costs"
    )
    amount = money_field(_("actual costs (EUR)"))
    accepted_amount = money_field(_("accepted costs (EUR)"), null=True, blank=True)

    class Meta:
        ordering = ["report_id", "partnership_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "partnership"],
                name="report_cost_once_per_partner",
                violation_error_message=_("This partner's costs are already in the report."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0)
                & (models.Q(accepted_amount__isnull=True) | models.Q(accepted_amount__gte=0)),
                name="report_cost_not_negative",
                violation_error_message=_("Costs cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.partnership_id}: {self.amount} EUR"


class ReportAttachment(models.Model):
    """A file in a report (PDF or image), checked by content in projects/uploads.py."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=uploads.attachment_upload_to,
        validators=[uploads.validate_attachment],
    )
    # What was checked at upload: the name to download under (cleaned, never a storage path),
    # the detected content type and the size, so lists need no storage round trip.
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "uploaded_at", "id"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self):
        return self.title


@receiver(post_delete, sender=ReportAttachment)
def delete_attachment_file(sender, instance, **kwargs):
    """A removed attachment (or its report, or project) leaves no file behind, once committed."""
    if instance.file:
        uploads.delete_after_commit(instance.file.storage, instance.file.name)
