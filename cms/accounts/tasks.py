"""The password-reset email, sent in the background.

The request only enqueues this task, for every address asked about, so that answering takes
as long whether or not an account has that address; the task finds the accounts and writes.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@task()
def send_password_reset_email(
    *,
    email,
    domain,
    site_name,
    use_https,
    subject_template_name,
    email_template_name,
    html_email_template_name=None,
    from_email=None,
    language=None,
):
    """Email a reset link to every active account with this address (usually one, or none)."""
    form = PasswordResetForm()
    sent = 0
    with translation.override(language):
        for user in form.get_users(email):
            context = {
                "email": user.email,
                "domain": domain,
                "site_name": site_name,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "user": user,
                "token": default_token_generator.make_token(user),
                "protocol": "https" if use_https else "http",
            }
            form.send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                user.email,
                html_email_template_name=html_email_template_name,
            )
            sent += 1
    return sent
