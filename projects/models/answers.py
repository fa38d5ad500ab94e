"""A proposal's answers to its call's own questions (Call.questions)."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from projects import uploads

from ._fields import private_storage
from .joint_projects import JointProject


class ProposalAnswer(models.Model):
    """One answer, keyed by the question's stable block id. `value` holds the answer as JSON
    (text, a decimal string, an ISO date, or a list of chosen labels); a file answer keeps the
    file in private storage, read back only through the permission checks of projects/files.py."""

    project = models.ForeignKey(JointProject, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(_("question"), max_length=64)
    value = models.JSONField(_("answer"), null=True, blank=True)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=uploads.answer_upload_to,
        blank=True,
        validators=[uploads.validate_attachment],
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "question_id"],
                name="answer_once_per_question",
                violation_error_message=_("This question is already answered."),
            )
        ]

    def __str__(self):
        return f"{self.project_id}/{self.question_id}"


@receiver(post_delete, sender=ProposalAnswer)
def _delete_answer_file(sender, instance, **kwargs):
    # A deleted project (or answer) leaves no orphan file in the private storage.
    if instance.file:
        uploads.delete_after_commit(instance.file.storage, instance.file.name)
