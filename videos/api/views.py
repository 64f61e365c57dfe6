from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import teams
from videos import budgets, bulk, line, lineage, quota, services, sharing
from videos.errors import InvalidRequest
from videos.models import Video
from videos.quota import quota_status
from videos.throttles import SubmitThrottle
from videos.validation import search_text

from .serializers import (
    ErrorSerializer,
    ExtendSerializer,
    LineageSerializer,
    QuotaErrorSerializer,
    QuotaSerializer,
    ShareRequestSerializer,
    ShareSerializer,
    TeamSerializer,
    VideoCreatedSerializer,
    VideoCreateSerializer,
    VideoSerializer,
    absolute,
)

ERRORS = {**dict.fromkeys((400, 401, 404), ErrorSerializer), 429: QuotaErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="List your videos, newest first",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=Video.State.values),
            OpenApiParameter("action", OpenApiTypes.STR, enum=Video.Action.values),
            OpenApiParameter("search", OpenApiTypes.STR, description="Words in the prompt"),
            OpenApiParameter(
                "favourite",
                OpenApiTypes.BOOL,
                description="Only starred (true) or unstarred (false)",
            ),
        ],
        # 404: a page number past the last page.
        responses={
            200: VideoSerializer(many=True),
            **dict.fromkeys((400, 401, 404), ErrorSerializer),
        },
    ),
    retrieve=extend_schema(
        summary="One of your videos", responses={200: VideoSerializer, **ERRORS}
    ),
)
class VideoViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VideoSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Video.objects.none()
        if self.action == "retrieve":  # a team's manager may look, never change
            return sharing.with_share_token(
                Video.objects.visible_to(self.request.user).select_related("team")
            )
        videos = sharing.with_share_token(
            Video.objects.for_user(self.request.user).select_related("team")
        )
        if self.action != "list":
            return videos
        params = self.request.query_params
        for name, choices in (("state", Video.State.values), ("action", Video.Action.values)):
            value = params.get(name)
            if value and value not in choices:
                raise InvalidRequest(
                    {name: [_("Choose one of %(choices)s.") % {"choices": ", ".join(choices)}]}
                )
            if value:
                videos = videos.filter(**{name: value})
        favourite = params.get("favourite")
        if favourite not in (None, "", "true", "false"):
            raise InvalidRequest({"favourite": [_("Use true or false.")]})
        if favourite:
            videos = videos.filter(favourite=favourite == "true")
        return videos.search(search_text(params.get("search"))).order_by("-created_at")

    def get_throttles(self):
        if self.action in ("create", "extend", "retry"):
            return [SubmitThrottle()]
        return super().get_throttles()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list" and self.request.user.is_authenticated:
            context["positions"] = line.positions(self.request.user)  # one query for the page
        return context

    def _accepted(self, videos):
        context = {**self.get_serializer_context(), "variations": [v.pk for v in videos]}
        data = VideoCreatedSerializer(videos[0], context=context).data
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Delete this video and its stored files (quota already used is not returned)",
        responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def destroy(self, request, pk=None):
        services.delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Generate a video, or extend one (count: up to 4 variations at once)",
        request={
            "application/json": VideoCreateSerializer,
            "multipart/form-data": VideoCreateSerializer,
        },
        responses={202: VideoCreatedSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = VideoCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._accepted(services.submit_all(request.user, serializer.validated_data))

    @extend_schema(
        summary="Extend this video",
        request={"application/json": ExtendSerializer, "multipart/form-data": ExtendSerializer},
        responses={202: VideoCreatedSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        parent = self.get_object()
        serializer = ExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data, "action": "extend", "parent": parent.pk}
        return self._accepted(services.submit_all(request.user, data))

    @extend_schema(
        summary="Make this failed video again with the same settings (a new video)",
        request=None,
        responses={202: VideoCreatedSerializer, 409: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._accepted([services.retry(self.get_object())])

    @extend_schema(
        summary="Cancel this video while it waits to be sent; its quota comes back",
        request=None,
        responses={200: VideoSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        video = self.get_object()
        services.cancel_waiting(video)
        video.refresh_from_db()
        return Response(VideoSerializer(video, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="This video's family tree, from its root",
        responses={200: LineageSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def lineage(self, request, pk=None):
        tree = lineage.tree(self.get_object())
        _absolute_nodes(request, tree["root"])
        return Response(LineageSerializer(tree).data)

    @extend_schema(
        summary="Star this video (POST) or take the star off (DELETE)",
        request=None,
        responses={200: VideoSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def favourite(self, request, pk=None):
        video = bulk.set_favourite(self.get_object(), request.method == "POST")
        return Response(VideoSerializer(video, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Open (or change) this video's public share link",
        request=ShareRequestSerializer,
        responses={
            200: ShareSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        methods=["POST"],
    )
    @extend_schema(
        summary="Revoke this video's share link (it answers 404 from then on)",
        request=None,
        responses={204: None, 404: ErrorSerializer},
        methods=["DELETE"],
    )
    @action(detail=True, methods=["post", "delete"])
    def share(self, request, pk=None):
        video = self.get_object()
        if request.method == "DELETE":
            sharing.revoke(video)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ShareRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = sharing.share(video, **serializer.validated_data)
        body = {
            "url": sharing.page_url(link),
            "expires_at": link.expires_at,
            "show_prompt": link.show_prompt,
        }
        return Response(ShareSerializer(body).data)

    @extend_schema(
        summary="Ask AceDataCloud about this job now",
        request=None,
        responses={200: VideoSerializer, 404: ErrorSerializer, 502: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        video = services.refresh(self.get_object())
        return Response(VideoSerializer(video, context=self.get_serializer_context()).data)


def _absolute_nodes(request, node):
    if node is None:
        return
    node["video_url"] = absolute(request, node["video_url"])
    node["thumbnail_url"] = absolute(request, node["thumbnail_url"])
    for child in node["children"]:
        _absolute_nodes(request, child)


class QuotaView(APIView):
    @extend_schema(
        summary="Your allowance this period", responses={200: QuotaSerializer, 401: ErrorSerializer}
    )
    def get(self, request):
        quota = quota_status(request.user)
        return Response(
            QuotaSerializer(
                {
                    "limit": quota.limit,
                    "used": quota.used,
                    "remaining": quota.remaining,
                    "in_flight": quota.in_flight,
                    "waiting": quota.waiting,
                    "max_in_flight": quota.max_in_flight,
                    "max_waiting": quota.max_waiting,
                    "period": quota.period,
                    "resets_at": quota.resets_at,
                }
            ).data
        )


class TeamsView(APIView):
    @extend_schema(
        summary="Your teams, with each budget this period",
        responses={200: TeamSerializer(many=True), 401: ErrorSerializer},
    )
    def get(self, request):
        mine = list(teams.memberships(request.user))
        team_list = [m.team for m in mine]
        meters = budgets.team_meters(team_list)
        yours = budgets.share_meters(mine)
        resets_at = quota.period_bounds()[1]
        rows = [
            {
                "id": m.team.uuid,
                "name": m.team.name,
                "role": m.role,
                "is_default": m.is_default,
                "limit": meters[m.team_id].limit,
                "used": meters[m.team_id].used,
                "share": yours[m.team_id].limit,
                "used_by_you": yours[m.team_id].used,
                "resets_at": resets_at,
            }
            for m in mine
        ]
        return Response(TeamSerializer(rows, many=True).data)
