"""POST /api/v1/uploads/: upload a frame or a video once, reuse its address in any request."""

from datetime import timedelta

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from videos import services, uploads
from videos.errors import InvalidRequest
from videos.models import Upload
from videos.throttles import SubmitThrottle

from .serializers import ErrorSerializer


class UploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PNG, JPEG, WebP or HEIC image (a first or last frame), or an MP4 (H.264) "
        "video to extend."
    )


class UploadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="Public and unguessable: use it as start_image_url, end_image_url or video_url."
    )
    expires_at = serializers.SerializerMethodField(
        help_text="When it is deleted unless a job has used it by then."
    )

    class Meta:
        model = Upload
        fields = ["id", "url", "kind", "content_type", "size", "width", "height", "created_at"]
        fields += ["expires_at"]
        read_only_fields = fields

    def get_url(self, upload) -> str:
        return uploads.public_url(upload)

    def get_expires_at(self, upload) -> str:
        expires = upload.created_at + timedelta(hours=settings.UPLOAD_UNUSED_HOURS)
        return serializers.DateTimeField().to_representation(expires)


class UploadView(APIView):
    parser_classes = [MultiPartParser]

    def get_throttles(self):
        return [SubmitThrottle()]

    @extend_schema(
        summary="Upload a frame or a video; answers its address",
        request={"multipart/form-data": UploadRequestSerializer},
        responses={201: UploadSerializer, **dict.fromkeys((400, 401, 403, 429), ErrorSerializer)},
    )
    def post(self, request):
        serializer = UploadRequestSerializer(data=request.data)
        if not serializer.is_valid():
            raise InvalidRequest({"file": [str(m) for m in serializer.errors.get("file", [])]})
        upload = services.upload(request.user, serializer.validated_data["file"])
        return Response(UploadSerializer(upload).data, status=status.HTTP_201_CREATED)
