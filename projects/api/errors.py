"""One error shape for the API: 400 field errors, 403, 404, 409, and 422 listing every failure."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflow.exceptions import ConditionsNotMet, WorkflowError, WrongState


def exception_handler(exc, context):
    if isinstance(exc, ConditionsNotMet):
        return Response(
            {"errors": [{"code": f.code, "message": str(f.message)} for f in exc.failures]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if isinstance(exc, WrongState):
        body = {"detail": str(exc), "code": exc.code}
        if exc.state:
            body["state"] = exc.state
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, WorkflowError):
        return Response({"detail": str(exc), "code": exc.code}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        # Raised by Django while DRF reads the body: a client's mistake, told plainly.
        return Response(
            {
                "detail": _("The body is larger than %(limit)d bytes.")
                % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return drf_exception_handler(exc, context)
