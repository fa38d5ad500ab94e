"""Log in with a username or an email address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        users = list(
            get_user_model()._default_manager.filter(
                Q(username__iexact=username) | Q(email__iexact=username)
            )[:3]
        )
        # An exact username wins; an email counts only when it names one person.
        exact = [user for user in users if user.username.lower() == username.lower()]
        candidates = exact or (users if len(users) == 1 else [])
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        # Run the hasher once anyway so timing does not tell whether the account exists.
        get_user_model()().set_password(password)
        return None
