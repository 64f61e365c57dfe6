"""The REST API's account endpoint: a username and password (and, with two-factor
authentication on, a code) for a new named API token, shown in this one answer."""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import api_tokens, login_guard, mfa
from .throttles import TokenThrottle


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Username or email address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100, required=False, default=api_tokens.DEFAULT_NAME,
        help_text='What the token is for, e.g. "laptop CLI".',
    )  # fmt: skip
    otp = serializers.CharField(
        max_length=64, required=False, allow_blank=True,
        help_text="A code from your authenticator app (or a recovery code), when you use one.",
    )  # fmt: skip
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True,
        help_text="Days until the token stops working. Leave out for a token that never expires.",
    )  # fmt: skip

    def validate_name(self, value):
        value = value.strip()
        if not value or any(ord(c) < 32 for c in value):
            raise serializers.ValidationError(
                _("Give the token a name of letters, digits or spaces.")
            )
        return value


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key. Shown only in this answer: keep it safe.")
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="Its first characters, as your profile lists it.")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class CredentialsRefused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _lazy("Unable to sign in with that username (or email) and password.")
    default_code = "invalid_credentials"


class CodeNeeded(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "otp_required"


class SignInPaused(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"


@extend_schema(
    summary="Create a new named API token from a username and password",
    request=TokenRequestSerializer,
    responses={
        201: TokenSerializer,
        400: ErrorSerializer,
        429: ErrorSerializer,
    },
)
class TokenView(APIView):
    """Each call creates a new token; an existing key is never returned (none is stored)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        login = data["username"]
        if login_guard.is_locked(login, request._request):
            raise SignInPaused(login_guard.lockout_message())
        user = authenticate(request._request, username=login, password=data["password"])
        if user is None:
            raise CredentialsRefused()
        if mfa.has_totp(user) and not mfa.verify(user, data.get("otp")):
            login_guard.record_failure(login, request._request)
            raise CodeNeeded(
                _(
                    "This account uses two-factor authentication: send the current code from "
                    "your authenticator app (or a recovery code) as `otp`."
                )
                if not data.get("otp")
                else _(
                    "That two-factor code is not valid (or was already used). Send the "
                    "current code from your authenticator app as `otp`."
                ),
                code="otp_required" if not data.get("otp") else "otp_invalid",
            )
        days = data.get("expires_in_days")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, key = api_tokens.issue(user, data["name"], expires_at=expires_at)
        answer = {
            "token": key,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        }
        response = Response(TokenSerializer(answer).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response
