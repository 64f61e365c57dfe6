"""The REST API's account endpoint: exchange a username and password for an API token."""

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.serializers import CharField, Serializer

from .throttles import TokenThrottle


class ErrorSerializer(Serializer):
    detail = CharField()
    code = CharField()


@extend_schema(
    summary="Exchange a username and password for an API token",
    responses={200: AuthTokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
)
class TokenView(ObtainAuthToken):
    throttle_classes = [TokenThrottle]
