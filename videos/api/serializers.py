from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import ErrorSerializer
from videos import failures
from videos.models import AspectRatio, Video
from videos.validation import PROMPT_MAX

__all__ = ["ErrorSerializer"]  # one error shape for the whole API, defined with accounts' own


class QuotaErrorSerializer(ErrorSerializer):
    """A 429: quota_exceeded or too_many_in_flight, and which budget said no."""

    budget = serializers.ChoiceField(
        choices=["user", "team", "site"],
        help_text="user: your allowance (or your share of the team); team; site: the site's cap.",
    )
    resets_at = serializers.DateTimeField(required=False, help_text="When the budget resets.")


class VideoErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


def absolute(request, url: str) -> str:
    """Our own copies are site paths; API clients get full URLs."""
    if url.startswith("/") and request is not None:
        return request.build_absolute_uri(url)
    return url


class VideoSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField(
        help_text="Our stored copy once it exists (owner only), AceDataCloud's URL until then."
    )
    thumbnail_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    upstream_video_url = serializers.CharField(source="video_url")
    upstream_thumbnail_url = serializers.CharField(source="thumbnail_url")
    video_id = serializers.CharField(help_text="AceDataCloud's id of the finished video.")
    source_video_id = serializers.CharField(
        help_text="For an extension: the upstream video_id it continues."
    )
    # Plain strings, not format "uri": each is "" when the job has none.
    start_image_url = serializers.CharField(help_text="The first frame's URL, or empty.")
    end_image_url = serializers.CharField(help_text="The last frame's URL, or empty.")
    source_video_url = serializers.CharField(
        help_text="For an extension by URL: the video it continues, or empty."
    )
    team = serializers.UUIDField(
        source="team.uuid",
        allow_null=True,
        help_text="The team whose budget the job counts against, or null.",
    )

    class Meta:
        model = Video
        fields = [
            "id",
            "state",
            "action",
            "team",
            *Video.SETTINGS,
            "source_video_id",
            "source_video_url",
            "parent",
            "root",
            "depth",
            "task_id",
            "video_id",
            "video_url",
            "thumbnail_url",
            "download_url",
            "upstream_video_url",
            "upstream_thumbnail_url",
            "media_state",
            "video_width",
            "video_height",
            "thumbnail_width",
            "thumbnail_height",
            "error",
            "created_at",
            "submitted_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VideoErrorSerializer(allow_null=True))
    def get_error(self, video):
        if video.state != Video.State.FAILED:
            return None
        request = self.context.get("request")
        staff = bool(request and request.user.is_staff)
        message = failures.for_video(video, for_staff=staff)
        return {"code": video.error_code or "failed", "message": message}

    def get_video_url(self, video) -> str:
        return absolute(self.context.get("request"), video.playback_url)

    def get_thumbnail_url(self, video) -> str:
        return absolute(self.context.get("request"), video.poster_url)

    def get_download_url(self, video) -> str:
        return absolute(self.context.get("request"), video.download_url)


class LineageNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=Video.State.choices)
    action = serializers.ChoiceField(choices=Video.Action.choices)
    prompt = serializers.CharField()
    depth = serializers.IntegerField()
    parent = serializers.UUIDField(allow_null=True)
    video_id = serializers.CharField()
    video_url = serializers.CharField()
    thumbnail_url = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    deleted = serializers.BooleanField(help_text="The owner deleted it; kept for its children.")
    children = serializers.ListField(
        child=serializers.DictField(), help_text="Nodes like this one."
    )


class LineageSerializer(serializers.Serializer):
    root = LineageNodeSerializer()
    count = serializers.IntegerField()


# Input serializers only check types; the rules (which fields an action takes,
# ownership of the parent, lengths, URL schemes) live in videos.validation.
class ExtendSerializer(serializers.Serializer):
    prompt = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=f"At most {PROMPT_MAX}."
    )
    end_image_url = serializers.CharField(required=False, allow_blank=True, help_text="http(s) URL")
    team = serializers.UUIDField(
        required=False, help_text="One of your teams, by id. Default: your default team."
    )


class VideoCreateSerializer(ExtendSerializer):
    action = serializers.ChoiceField(choices=Video.Action.choices, default=Video.Action.GENERATE)
    start_image_url = serializers.CharField(
        required=False, allow_blank=True, help_text="http(s) URL"
    )
    aspect_ratio = serializers.ChoiceField(choices=AspectRatio.values, default=AspectRatio.WIDE)
    loop = serializers.BooleanField(default=False)
    enhancement = serializers.BooleanField(default=True)
    parent = serializers.UUIDField(required=False, help_text="extend: one of your videos, by id")
    video_id = serializers.CharField(required=False, help_text="extend: an upstream video_id")
    video_url = serializers.CharField(required=False, help_text="extend: any video's URL")


class QuotaSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    in_flight = serializers.IntegerField()
    max_in_flight = serializers.IntegerField()
    period = serializers.CharField()
    resets_at = serializers.DateTimeField()


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Pass it as `team` when making a video.")
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["member", "manager"])
    is_default = serializers.BooleanField(help_text="Videos are made for it unless told.")
    limit = serializers.IntegerField(
        allow_null=True, help_text="The team's videos this period (null: no limit)."
    )
    used = serializers.IntegerField(help_text="The team's videos used this period.")
    share = serializers.IntegerField(
        allow_null=True,
        help_text="Your share of the team's videos, with grants (null: no share of your own).",
    )
    used_by_you = serializers.IntegerField()
    resets_at = serializers.DateTimeField()
