"""Budgets and payments (EUR, Decimal with two places)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ._fields import money_field
from .joint_projects import JointProject, Partnership


class BudgetCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    TRAVEL = "travel", _("Travel")
    PRODUCTION = "production", _("Production")
    EQUIPMENT = "equipment", _("Equipment")
    DISSEMINATION = "dissemination", _("Dissemination")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory)
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = money_field(_("amount (EUR)"))

    class Meta:
        ordering = ["partnership_id", "category", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="budget_line_amount_not_negative",
                violation_error_message=_("A budget amount cannot be negative."),
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.amount} EUR"


class PaymentKind(models.TextChoices):
    PREFINANCING = "prefinancing", _("Pre-financing")
    BALANCE = "balance", _("Balance")
    RECOVERY = "recovery", _("Recovery (owed back to the network)")


class Payment(models.Model):
    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind)
    amount = money_field(_("amount (EUR)"))
    due_date = models.DateField(_("due"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "due_date", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="payment_amount_not_negative",
                violation_error_message=_("A payment amount cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=models.Q(kind__in=["prefinancing", "balance"]),
                name="payment_one_prefinancing_and_balance_per_project",
                violation_error_message=_(
                    "A project has one pre-financing and one balance payment."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} EUR – {self.project}"

    @property
    def is_paid(self):
        return self.paid_at is not None
