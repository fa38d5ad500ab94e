"""Revisions of a proposal: what it said at each saved change (issue 7, item 5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .joint_projects import JointProject


class RevisionReason(models.TextChoices):
    SAVED = "saved", _("Saved")
    BUDGET = "budget", _("Budget changed")
    CONSORTIUM = "consortium", _("Partners changed")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Submitted again")
    RETURNED = "returned", _("Returned for changes")


class ProposalRevision(models.Model):
    """The whole proposal as readers see it (content, partners, budgets), as a JSON snapshot.

    One row per saved change that altered something, numbered from 1 per proposal. A snapshot
    of the composed proposal, rather than row versions of each table (django-reversion,
    django-simple-history), because the question asked of it is "what changed in the proposal
    between these two moments": fields, consortium and budgets together, compared as a reader
    compares them.
    """

    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    reason = models.CharField(_("reason"), max_length=20, choices=RevisionReason)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    content = models.JSONField(_("content"))

    class Meta:
        ordering = ["project_id", "-number"]
        verbose_name = _("proposal revision")
        verbose_name_plural = _("proposal revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="revision_number_once_per_project"
            )
        ]

    def __str__(self):
        return f"{self.project} r{self.number}"
