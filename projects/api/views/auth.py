"""Tokens and the current user."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cms.accounts.lockout import lockout_response
from cms.accounts.middleware import OTP_REQUIRED_CODE
from cms.accounts.two_factor import otp_verify, two_factor_required
from projects.api import serializers as s
from projects.api.authentication import token_for
from workflow import permissions
from workflow.notifications import language_of

from ._common import REFUSALS


class TokenView(APIView):
    """Exchange a username (or email) and password for an API token; coordinators and
    superusers also send `otp`, a code from their authenticator app or a recovery code.

    Refusals: 400 `non_field_errors` for wrong credentials, an unknown account or a wrong
    code alike; 400 `{"detail", "code": "otp_required"}` when the password is right but the
    account needs a code and none came; 429 when throttled (10 a minute per address) or locked
    out (5 failures for a username from one address: 15 minutes)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: REFUSALS[400],
            429: OpenApiResponse(description="Too many attempts: throttled or locked out."),
        },
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # django-axes counts failures on Django's request (DRF's wraps it).
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is not None and two_factor_required(user):
            if not data.get("otp"):
                return Response(
                    {
                        "detail": gettext(
                            "This account also needs a two-factor code: send it as otp."
                        ),
                        "code": OTP_REQUIRED_CODE,
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if otp_verify(user=user, token=data["otp"]) is None:
                # A wrong code counts towards the lockout, like a wrong password.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": data["username"]},
                    request=django_request,
                )
                if getattr(django_request, "axes_locked_out", False):
                    return lockout_response(django_request)
                user = None
        if user is None:
            raise ValidationError(
                {"non_field_errors": [gettext("Unable to log in with provided credentials.")]},
                code="authorization",
            )
        return Response({"token": token_for(user).key})


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        user = request.user
        roles = permissions.roles_of(user)
        memberships = user.memberships.select_related("centre").order_by("centre__name")
        data = {
            "id": user.pk,
            "username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "language": language_of(user),
            "roles": [
                role
                for role, has in (
                    ("coordinator", roles.is_coordinator),
                    ("reviewer", roles.is_reviewer),
                )
                if has
            ],
            "memberships": [
                {"centre": m.centre_id, "centre_name": m.centre.name, "role": m.role}
                for m in memberships
            ],
        }
        return Response(s.MeSerializer(data).data)
