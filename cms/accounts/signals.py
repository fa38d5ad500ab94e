"""A changed password ends the user's API tokens, whatever changed it (the password reset, the
Wagtail admin, set_password in a shell): the stored hash is compared before each save."""

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token


@receiver(pre_save, sender=get_user_model(), dispatch_uid="cms.accounts.password_ends_tokens")
def password_change_ends_tokens(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    stored = stored.first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
