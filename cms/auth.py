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
        user = self.user_for(username)
        if user is None:
            # Hash once, as checking a real password does, so the time taken does not tell
            # whether the account exists.
            get_user_model()().set_password(password)
            return None
        # Exactly one hash on this path too, right password or wrong.
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def user_for(identifier):
        """The one account `identifier` names: its username (any case; the exact spelling wins
        if two differ only in case), else an email address that belongs to one account only."""
        users = list(
            get_user_model()._default_manager.filter(
                Q(username__iexact=identifier) | Q(email__iexact=identifier)
            )[:3]
        )
        by_username = [user for user in users if user.username.lower() == identifier.lower()]
        exact = [user for user in by_username if user.username == identifier]
        if exact:
            return exact[0]
        if len(by_username) == 1:
            return by_username[0]
        if not by_username and len(users) == 1:
            return users[0]
        return None
