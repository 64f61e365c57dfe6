"""AceDataCloud's callback: POST /webhooks/acedata/<video id>/<secret>/."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .api.parsers import JSONParser


class CallbackAnswer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["applied", "ignored"])


class AceDataCallbackView(APIView):
    # The per-job secret in the URL is the credential; no session, no CSRF.
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="AceDataCloud's result callback for one job",
        request={"application/json": dict},
        responses={200: CallbackAnswer},
        exclude=True,
    )
    def post(self, request, video_id, secret):
        changed = services.receive_callback(video_id, secret, request.data)
        return Response({"status": "applied" if changed else "ignored"})
