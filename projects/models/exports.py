"""Exports of the coordinators' listings that run as background tasks (the large ones)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ._fields import private_storage


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One requested export: which listing, with which filters, how far it has got, and the
    file once written (private storage; downloaded only by whoever asked for it)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    listing = models.CharField(_("listing"), max_length=40)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState, default=ExportState.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), storage=private_storage, upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.listing}.{self.format} ({self.get_state_display()})"

    @property
    def progress(self):
        """The share written, 0–100."""
        if self.state == ExportState.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.done_rows / self.total_rows))
