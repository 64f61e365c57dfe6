"""One error shape for the whole API: {"detail": ..., "code": ...}."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from videos import error_views
from videos.errors import ServiceError


def _first_message(detail):
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        text = _first_message(value)
        return text if name == "non_field_errors" else f"{name}: {text}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, error_views.UNREACHABLE):  # the database is away: 503, try again
        return error_views.unavailable_json(context["request"].path)
    if isinstance(exc, ServiceError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra()}
        if isinstance(body.get("resets_at"), datetime):  # as GET /api/v1/quota/ writes it
            body["resets_at"] = serializers.DateTimeField().to_representation(body["resets_at"])
        response = Response(body, status=exc.status)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        # Else Django's HTML "Bad Request" page: an API client deserves the API's shape.
        limit = getattr(exc, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE) // 1024
        return Response(
            {
                "detail": _("The request body is larger than %(limit)d KB.") % {"limit": limit},
                "code": "too_large",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _first_message(exc.detail),
            "code": "invalid",
            "fields": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"detail": _first_message(exc.detail), "code": code}
    return response
