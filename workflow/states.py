"""The states of every lifecycle (PRODUCT.md §3). Transitions live next to their fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN_FOR_PARTNERS = "open_for_partners", _("Open for partners")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTING = "reporting", _("Reporting")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")

    @classmethod
    def editable(cls):
        """States in which the proposal's content may still change."""
        return [cls.DRAFT, cls.OPEN_FOR_PARTNERS, cls.CHANGES_REQUESTED]

    @classmethod
    def terminal(cls):
        return [cls.REJECTED, cls.WITHDRAWN, cls.TERMINATED, cls.COMPLETED]

    @classmethod
    def funded(cls):
        """States of a project that received a grant (shown in the public showcase)."""
        return [cls.APPROVED, cls.IN_PROGRESS, cls.REPORTING, cls.REPORT_SUBMITTED, cls.COMPLETED]


class PartnershipState(models.TextChoices):
    INVITED = "invited", _("Invited")
    REQUESTED = "requested", _("Requested to join")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def pending(cls):
        return [cls.INVITED, cls.REQUESTED]


class ReviewState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", _("Submitted")
    DECLINED = "declined", _("Declined (conflict of interest)")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")

    @classmethod
    def editable(cls):
        return [cls.DRAFT, cls.RETURNED]
