import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership


class AspectRatio(models.TextChoices):
    WIDE = "16:9", _("16:9 (landscape)")
    TALL = "9:16", _("9:16 (portrait)")
    SQUARE = "1:1", _("1:1 (square)")
    CLASSIC = "4:3", "4:3"
    CLASSIC_TALL = "3:4", "3:4"
    CINEMA = "21:9", _("21:9 (cinema)")
    CINEMA_TALL = "9:21", "9:21"


def new_callback_secret() -> str:
    return secrets.token_urlsafe(32)


def media_path(video, filename) -> str:
    return f"videos/{video.owner_id}/{filename}"


class MediaState(models.TextChoices):
    NONE = "none", _("Nothing to copy")
    PENDING = "pending", _("Pending")
    DONE = "done", _("Copied")
    FAILED = "failed", _("Failed")


class VideoQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's videos, without the ones they deleted."""
        return self.filter(owner=user, deleted_at__isnull=True)

    def visible_to(self, user):
        """What a user may look at: their own videos, and (read-only) those of the teams they
        manage; staff may look at everyone's. Never the ones deleted."""
        videos = self.filter(deleted_at__isnull=True)
        if user.is_staff:
            return videos
        managed = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
        return videos.filter(models.Q(owner=user) | models.Q(team__in=managed.values("team")))

    def in_flight(self):
        return self.filter(state__in=Video.IN_FLIGHT_STATES)

    def search(self, text: str, max_words: int = 10):
        """Videos whose prompt holds every word (case-insensitive) of the first max_words."""
        videos = self
        for word in text.split()[:max_words]:
            videos = videos.filter(prompt__icontains=word)
        return videos

    def terminal(self):
        return self.filter(state__in=Video.TERMINAL_STATES)

    def favourites(self):
        return self.filter(favourite=True)


class Video(models.Model):
    """One job at AceDataCloud and, once it completes, the video it made."""

    class Action(models.TextChoices):
        GENERATE = "generate", _("Generate")
        EXTEND = "extend", _("Extend")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    IN_FLIGHT_STATES = (State.QUEUED, State.PROCESSING)
    TERMINAL_STATES = (State.COMPLETED, State.FAILED)
    # What a person chose for a job, besides what it extends: read by validation, the
    # upstream payload, the API's serializers, the gateway's intake and the admin.
    SETTINGS = ("prompt", "start_image_url", "end_image_url", "aspect_ratio", "loop", "enhancement")

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="videos",
        verbose_name=_("owner"),
    )
    action = models.CharField(
        max_length=10, choices=Action.choices, default=Action.GENERATE, verbose_name=_("action")
    )
    # The team the job is made for (its budget was charged); none for someone in no team.
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="videos",
        verbose_name=_("team"),
    )

    # What the user asked for.
    prompt = models.TextField(blank=True, verbose_name=_("prompt"))
    start_image_url = models.URLField(max_length=2000, blank=True, verbose_name=_("first frame"))
    end_image_url = models.URLField(max_length=2000, blank=True, verbose_name=_("last frame"))
    aspect_ratio = models.CharField(
        max_length=5, choices=AspectRatio.choices, default="16:9", verbose_name=_("aspect ratio")
    )
    loop = models.BooleanField(default=False, verbose_name=_("loop"))
    enhancement = models.BooleanField(default=True, verbose_name=_("enhance the prompt"))
    # For an extension: the upstream video it continues (ours or made elsewhere).
    source_video_id = models.CharField(
        max_length=100, blank=True, verbose_name=_("extends (Luma video id)")
    )
    source_video_url = models.URLField(
        max_length=2000, blank=True, verbose_name=_("extends (video address)")
    )

    # Lineage. root is the tree's first video (itself for a root), so a whole
    # family loads with one query on root_id.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("extended from"),
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="descendants",
        verbose_name=_("first of its family"),
    )
    depth = models.PositiveIntegerField(default=0, verbose_name=_("depth"))

    # The job.
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.QUEUED, verbose_name=_("state")
    )
    task_id = models.CharField(
        max_length=100, null=True, blank=True, unique=True, verbose_name=_("AceDataCloud task id")
    )
    callback_secret = models.CharField(
        max_length=64,
        default=new_callback_secret,
        editable=False,
        verbose_name=_("callback secret"),
    )
    submit_attempts = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("attempts to send")
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt"))
    # Set while a process is talking to AceDataCloud about this job; a claim
    # that outlives its lease means the process died mid-call.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sending since"))
    last_polled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last asked"))
    # Polls in a row that AceDataCloud answered "unknown task" for this job's task id.
    unknown_polls = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("unknown answers in a row")
    )

    # The result.
    video_id = models.CharField(max_length=100, blank=True, verbose_name=_("Luma video id"))
    video_url = models.URLField(max_length=2000, blank=True, verbose_name=_("video address"))
    thumbnail_url = models.URLField(
        max_length=2000, blank=True, verbose_name=_("thumbnail address")
    )
    video_width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("video width"))
    video_height = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("video height")
    )
    thumbnail_width = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("thumbnail width")
    )
    thumbnail_height = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("thumbnail height")
    )
    error_code = models.CharField(max_length=50, blank=True, verbose_name=_("error code"))
    # In English, for the admin, logs and the gateway; pages show it translated from
    # error_params (videos/failures.py), which say what the message was made of.
    error_message = models.TextField(blank=True, verbose_name=_("error message"))
    error_params = models.JSONField(default=dict, blank=True, verbose_name=_("error details"))
    upstream_payload = models.JSONField(
        null=True, blank=True, verbose_name=_("AceDataCloud's answer")
    )

    # Our own copy of the result (AceDataCloud keeps files 30 days).
    media_state = models.CharField(
        max_length=10,
        choices=MediaState.choices,
        default=MediaState.NONE,
        verbose_name=_("stored copy"),
    )
    media_error = models.TextField(blank=True, verbose_name=_("copy error"))
    media_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("copy attempts"))
    media_next_attempt_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("next copy attempt")
    )
    video_file = models.FileField(
        upload_to=media_path, max_length=300, blank=True, verbose_name=_("video file")
    )
    video_file_size = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("video file size")
    )
    video_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("video SHA-256"))
    thumbnail_file = models.FileField(
        upload_to=media_path, max_length=300, blank=True, verbose_name=_("thumbnail file")
    )
    thumbnail_file_size = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("thumbnail file size")
    )
    thumbnail_sha256 = models.CharField(
        max_length=64, blank=True, verbose_name=_("thumbnail SHA-256")
    )
    media_copied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("copied at"))
    # The owner's star: My videos can show only these.
    favourite = models.BooleanField(default=False, verbose_name=_("favourite"))
    # Set when the owner deleted a video that others still name as their parent.
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    objects = VideoQuerySet.as_manager()

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "processing", "completed", "failed"]),
                name="video_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(action="extend") | models.Q(parent__isnull=True),
                name="video_only_extensions_have_parent",
            ),
        ]
        indexes = [
            # My videos, newest first: WHERE owner_id = ? ORDER BY created_at DESC
            models.Index(fields=["owner", "-created_at"], name="video_owner_created"),
            # In-flight count for the quota: WHERE owner_id = ? AND state IN (...)
            models.Index(fields=["owner", "state"], name="video_owner_state"),
            # A team's videos, newest first, and its in-flight count for the team's budget:
            # WHERE team_id = ? ORDER BY created_at DESC / WHERE team_id = ? AND state IN (...)
            models.Index(fields=["team", "-created_at"], name="video_team_created"),
            models.Index(fields=["team", "state"], name="video_team_state"),
            # The worker's sweep: WHERE state = ? AND next_attempt_at <= now / submitted_at <= ...
            models.Index(fields=["state", "next_attempt_at"], name="video_state_next_attempt"),
            models.Index(fields=["state", "submitted_at"], name="video_state_submitted"),
            # Extend by upstream video_id: WHERE video_id = ?
            models.Index(fields=["video_id"], name="video_upstream_video_id"),
            # The usage dashboard and its export: WHERE created_at >= ? GROUP BY day, team, state
            models.Index(fields=["created_at"], name="video_created"),
            # Media copies due: WHERE media_state IN (...) AND media_next_attempt_at <= now
            models.Index(fields=["media_state", "media_next_attempt_at"], name="video_media_due"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.id} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        if self.root_id is None and self.parent_id is None:
            self.root_id = self.id
        super().save(*args, **kwargs)

    @property
    def is_in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT_STATES

    @property
    def is_terminal(self) -> bool:
        return self.state in self.TERMINAL_STATES

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_copy(self) -> bool:
        return self.media_state == MediaState.DONE and bool(self.video_file)

    @property
    def playback_url(self) -> str:
        """Our copy once it exists, the upstream URL until then (a site path or a URL)."""
        if self.has_copy:
            return reverse("videos:media-video", kwargs={"pk": self.pk})
        return self.video_url

    @property
    def poster_url(self) -> str:
        if self.has_copy and self.thumbnail_file:
            return reverse("videos:media-thumbnail", kwargs={"pk": self.pk})
        return self.thumbnail_url

    @property
    def download_url(self) -> str:
        if self.has_copy:
            return reverse("videos:media-video", kwargs={"pk": self.pk}) + "?download=1"
        return self.video_url


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


class ShareLinkQuerySet(models.QuerySet):
    def live(self, now=None):
        """Links that open: not revoked, not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def viewable(self, now=None):
        """Live links to a video that still exists and has our stored copy (videos/sharing.py)."""
        return self.live(now).filter(
            video__owner__is_active=True,  # a deactivated account's links stop with it
            video__deleted_at__isnull=True,
            video__state=Video.State.COMPLETED,
            video__media_state=MediaState.DONE,
        )


class ShareLink(models.Model):
    """A public, unguessable address for one finished video, until revoked or expired."""

    video = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("video")
    )
    # The credential in the address (/s/<token>/); a revoked link keeps its token dead.
    token = models.CharField(
        max_length=64, unique=True, default=new_share_token, editable=False, verbose_name=_("token")
    )
    show_prompt = models.BooleanField(default=False, verbose_name=_("show the prompt"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires"))
    # Staff may show it in the home page's gallery.
    featured = models.BooleanField(default=False, verbose_name=_("featured on the home page"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]
        constraints = [
            # A video has at most one link that is not revoked: the one its page and API show.
            models.UniqueConstraint(
                fields=["video"],
                condition=models.Q(revoked_at__isnull=True),
                name="share_link_one_open_per_video",
            ),
        ]
        indexes = [
            # The home page's gallery: WHERE featured AND revoked_at IS NULL ORDER BY created_at
            models.Index(
                fields=["-created_at"],
                condition=models.Q(featured=True, revoked_at__isnull=True),
                name="share_link_featured",
            ),
        ]

    def __str__(self):
        return _("Share link for %(video)s") % {"video": self.video_id}

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class QuotaEventQuerySet(models.QuerySet):
    def usage(self):
        """The lines that count what was used: charges and releases (not grants)."""
        return self.filter(kind__in=QuotaEvent.USAGE_KINDS)


class QuotaEvent(models.Model):
    """One line of the quota ledger: a charge when a job is accepted, a release when it fails,
    a grant when someone's request for more is approved."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        RELEASE = "release", _("Release")
        GRANT = "grant", _("Grant")

    # Lines that count usage; a grant instead raises the limit of the one budget it names.
    USAGE_KINDS = (Kind.CHARGE, Kind.RELEASE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quota_events",
        verbose_name=_("user"),
    )
    # Kept when a video is deleted: deleting never gives back quota already used.
    video = models.ForeignKey(
        Video,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("video"),
    )
    # The budgets a line touches: the user's allowance (always), the team's budget and the
    # member's share of it (when the job was made for a team), and the site-wide cap (always).
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    # A grant's budget: user (the allowance), member (user's share of team), team, or site.
    budget = models.CharField(max_length=10, blank=True, verbose_name=_("budget granted"))
    amount = models.SmallIntegerField(verbose_name=_("amount"))
    # The period the charge counts against; a release carries its charge's period.
    period_start = models.DateTimeField(verbose_name=_("period"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=_("reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    objects = QuotaEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota ledger line")
        verbose_name_plural = _("quota ledger")
        # The ledger began in the accounts app; it moved here with its table (0004).
        db_table = "accounts_quotaevent"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Nothing is counted twice: one charge and at most one release per job.
            models.UniqueConstraint(fields=["video", "kind"], name="quota_event_once_per_video"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="charge", amount=1, budget="")
                    | models.Q(kind="release", amount=-1, budget="")
                    | models.Q(
                        kind="grant",
                        amount__gte=1,
                        budget__in=["user", "member", "team", "site"],
                    )
                ),
                name="quota_event_amount_matches_kind",
            ),
        ]
        indexes = [
            # Usage of the current period: SUM(amount) WHERE user = ? AND period_start = ?
            models.Index(fields=["user", "period_start"], name="quota_event_user_period"),
            # A team's usage: SUM(amount) WHERE team_id = ? AND period_start = ?
            models.Index(fields=["team", "period_start"], name="quota_event_team_period"),
            # The site's usage: SUM(amount) WHERE period_start = ? (amount in the index, so
            # PostgreSQL sums it without reading the table while submissions wait on the cap)
            models.Index(fields=["period_start", "kind", "amount"], name="quota_event_period"),
        ]

    def __str__(self):
        return _("%(kind)s %(amount)+d for %(user)s") % {
            "kind": self.get_kind_display(),
            "amount": self.amount,
            "user": self.user,
        }


class GatewayJob(models.Model):
    """A Video submitted through /luma/videos, keyed by the video's id (the client's task_id)."""

    class Mode(models.TextChoices):
        SYNC = "sync", _("Synchronous")
        ASYNC = "async", _("Asynchronous (polled)")
        CALLBACK = "callback", _("Callback")

    class Delivery(models.TextChoices):
        NONE = "", _("No callback")
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    video = models.OneToOneField(
        Video,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="gateway_job",
        verbose_name=_("video"),
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, verbose_name=_("mode"))
    # The client's body as sent, echoed as the task record's `request`.
    request_body = models.JSONField(default=dict, verbose_name=_("the client's request"))
    # Our own trace id for this job; never AceDataCloud's.
    trace_id = models.UUIDField(default=uuid.uuid4, editable=False, verbose_name=_("trace id"))

    callback_url = models.URLField(max_length=2000, blank=True, verbose_name=_("callback address"))
    delivery_state = models.CharField(
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.NONE,
        blank=True,
        verbose_name=_("callback delivery"),
    )
    delivery_attempts = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("delivery attempts")
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered"))
    last_delivery_error = models.CharField(
        max_length=300, blank=True, verbose_name=_("last delivery error")
    )
    # A synchronous call still holding its connection open; set until it answers. The time
    # is its deadline, so a call whose process died stops counting by itself.
    waiting_until = models.DateTimeField(null=True, blank=True, verbose_name=_("waiting until"))

    class Meta:
        verbose_name = _("gateway job")
        verbose_name_plural = _("gateway jobs")
        indexes = [
            # A user's synchronous calls waiting now: WHERE waiting_until > now (few rows).
            models.Index(
                fields=["waiting_until"],
                condition=models.Q(waiting_until__isnull=False),
                name="gateway_job_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivery_state="") | ~models.Q(callback_url=""),
                name="gateway_job_delivery_needs_url",
            ),
        ]

    def __str__(self):
        return _("%(mode)s gateway job %(video)s") % {
            "mode": self.get_mode_display(),
            "video": self.video_id,
        }


class WorkerHeartbeat(models.Model):
    """One background worker process: the queues it serves and when it last reported in.

    Written by the worker's heartbeat thread (videos/heartbeat.py) with the database's clock,
    so workers on several machines compare fairly; read by /readyz, /metrics and the cleanup
    of tasks a killed worker left running.
    """

    # The id the worker claims tasks under (django-tasks-db's DBTaskResult.worker_ids).
    worker_id = models.CharField(max_length=64, primary_key=True, verbose_name=_("worker id"))
    hostname = models.CharField(max_length=255, verbose_name=_("host"))
    pid = models.PositiveIntegerField(verbose_name=_("process id"))
    queues = models.JSONField(default=list, verbose_name=_("queues"))
    started_at = models.DateTimeField(verbose_name=_("started"))
    seen_at = models.DateTimeField(verbose_name=_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        indexes = [
            # Workers alive: WHERE seen_at >= now - WORKER_STALE_SECONDS
            models.Index(fields=["seen_at"], name="worker_heartbeat_seen"),
        ]

    def __str__(self):
        return _("Worker %(id)s on %(host)s (%(queues)s)") % {
            "id": self.worker_id,
            "host": self.hostname,
            "queues": ", ".join(self.queues),
        }


def new_upload_token() -> str:
    return secrets.token_urlsafe(32)


def upload_path(upload, filename) -> str:
    return f"uploads/{filename}"


class UploadQuerySet(models.QuerySet):
    def unused_since(self, cutoff):
        return self.filter(used_at__isnull=True, created_at__lt=cutoff)


class Upload(models.Model):
    """A first or last frame, or a video to extend, uploaded from a person's own device.

    Served to anyone who has its address (videos/upload_views.py), so AceDataCloud can fetch
    it: the token makes the address unguessable. The file was re-encoded on the way in, so
    it carries no EXIF or GPS metadata. One no job used is deleted after a day.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="uploads",
        verbose_name=_("owner"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    token = models.CharField(
        max_length=64,
        unique=True,
        default=new_upload_token,
        editable=False,
        verbose_name=_("address token"),
    )
    file = models.FileField(upload_to=upload_path, max_length=300, verbose_name=_("file"))
    content_type = models.CharField(max_length=50, verbose_name=_("content type"))
    size = models.BigIntegerField(verbose_name=_("size"))
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("height"))
    original_name = models.CharField(max_length=255, blank=True, verbose_name=_("original name"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("uploaded"))
    # Set when a job first names the upload; until then it is deleted after a day.
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first used"))

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at"]
        indexes = [
            # The sweep's cleanup: WHERE used_at IS NULL AND created_at < cutoff (few rows).
            models.Index(
                fields=["created_at"],
                condition=models.Q(used_at__isnull=True),
                name="upload_unused_created",
            ),
        ]

    def __str__(self):
        return self.original_name or str(self.id)

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1]

    @property
    def path(self) -> str:
        """The site path it is served at (videos/upload_views.py); PUBLIC_BASE_URL goes before."""
        return reverse("videos:upload", kwargs={"token": self.token, "ext": self.extension})
