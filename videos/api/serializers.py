from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import ErrorSerializer
from videos import failures, line, sharing
from videos.models import AspectRatio, Video
from videos.validation import MAX_VARIATIONS, PROMPT_MAX

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
    error = serializers.SerializerMethodField(
        help_text="Why it failed; while in flight, the last fault it is being retried after."
    )
    next_attempt_at = serializers.SerializerMethodField(
        help_text="While a job waits to be sent again after a fault: when; else null."
    )
    share_url = serializers.SerializerMethodField(
        help_text="The public share link while one is open (POST …/share/), else null."
    )
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
    position = serializers.SerializerMethodField(
        help_text="Its place in your line while it waits to be sent (1 goes next); null once sent."
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
            "next_attempt_at",
            "favourite",
            "share_url",
            "position",
            "created_at",
            "submitted_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VideoErrorSerializer(allow_null=True))
    def get_error(self, video):
        if video.state != Video.State.FAILED and not (video.is_in_flight and video.error_code):
            return None
        request = self.context.get("request")
        staff = bool(request and request.user.is_staff)
        message = failures.for_video(video, for_staff=staff)
        return {"code": video.error_code or "failed", "message": message}

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, video):
        waiting = video.state == Video.State.QUEUED and video.error_code and not video.task_id
        if not waiting or video.next_attempt_at is None:
            return None
        return serializers.DateTimeField().to_representation(video.next_attempt_at)

    def get_share_url(self, video) -> str | None:
        return sharing.url_for_token(sharing.share_token(video))

    def get_position(self, video) -> int | None:
        # A list hands every video the positions read once (views.py); one video reads its own.
        positions = self.context.get("positions")
        if positions is None:
            if video.state != Video.State.QUEUED:
                return None
            positions = line.positions(video.owner_id)
        return positions.get(video.pk)

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
    # Read so that it is refused as POST /videos/ with action=extend refuses it, never dropped.
    start_image_url = serializers.CharField(
        required=False, allow_blank=True, help_text="Not for an extension: refused when given."
    )
    end_image = serializers.FileField(
        required=False, help_text="multipart: the last frame as a file, instead of end_image_url"
    )
    count = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VARIATIONS,
        help_text="How many variations to make at once; all are charged, or none.",
    )


class VideoCreateSerializer(ExtendSerializer):
    action = serializers.ChoiceField(choices=Video.Action.choices, default=Video.Action.GENERATE)
    start_image_url = serializers.CharField(
        required=False, allow_blank=True, help_text="http(s) URL (generate only)"
    )
    aspect_ratio = serializers.ChoiceField(choices=AspectRatio.values, default=AspectRatio.WIDE)
    loop = serializers.BooleanField(default=False)
    enhancement = serializers.BooleanField(default=True)
    parent = serializers.UUIDField(required=False, help_text="extend: one of your videos, by id")
    video_id = serializers.CharField(required=False, help_text="extend: an upstream video_id")
    video_url = serializers.CharField(required=False, help_text="extend: any video's URL")
    start_image = serializers.FileField(
        required=False, help_text="multipart: the first frame as a file, instead of start_image_url"
    )
    video_file = serializers.FileField(
        required=False,
        help_text="multipart, extend: an MP4 (H.264) to extend, instead of video_url",
    )


class VideoCreatedSerializer(VideoSerializer):
    variations = serializers.SerializerMethodField(
        help_text="The ids of every video this request made (more than one with count)."
    )

    class Meta(VideoSerializer.Meta):
        fields = [*VideoSerializer.Meta.fields, "variations"]
        read_only_fields = fields

    def get_variations(self, video) -> list[str]:
        return [str(pk) for pk in self.context.get("variations", [video.pk])]


class ShareRequestSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the link stops working; none: never."
    )
    show_prompt = serializers.BooleanField(
        default=False, help_text="Show the prompt on the shared page."
    )


class ShareSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField(allow_null=True)
    show_prompt = serializers.BooleanField()


class QuotaSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    in_flight = serializers.IntegerField(help_text="Jobs not yet ended: being made or waiting.")
    waiting = serializers.IntegerField(help_text="Of in_flight, the jobs waiting in your line.")
    max_in_flight = serializers.IntegerField()
    max_waiting = serializers.IntegerField(help_text="Jobs that may wait beyond max_in_flight.")
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
