from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from . import media, services
from .errors import ServiceError
from .models import Video


def _link(video, label=None):
    if video is None:
        return "-"
    url = reverse("admin:videos_video_change", args=[video.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(video.pk)[:8])


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "short_prompt",
        "owner",
        "action",
        "state",
        "media_state",
        "created_at",
        "depth",
    ]
    list_filter = [
        "state",
        "action",
        "media_state",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["owner"]
    search_fields = ["prompt", "task_id", "video_id", "=id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["refresh_from_upstream", "fail_stuck_jobs", "retry_media_copy"]
    readonly_fields = [
        "id",
        "owner",
        "action",
        "state",
        "parent_link",
        "root_link",
        "depth",
        "task_id",
        "video_id",
        "video_url",
        "thumbnail_preview",
        "video_width",
        "video_height",
        "thumbnail_width",
        "thumbnail_height",
        "error_code",
        "error_message",
        "submit_attempts",
        "next_attempt_at",
        "claimed_at",
        "last_polled_at",
        "created_at",
        "submitted_at",
        "completed_at",
        "upstream_payload",
        "media_state",
        "media_error",
        "media_attempts",
        "media_next_attempt_at",
        "video_file",
        "video_file_size",
        "video_sha256",
        "thumbnail_file",
        "thumbnail_file_size",
        "thumbnail_sha256",
        "media_copied_at",
        "deleted_at",
    ]
    fieldsets = [
        (None, {"fields": ["id", "owner", "action", "state", "parent_link", "root_link", "depth"]}),
        (
            "Request",
            {
                "fields": [
                    "prompt",
                    "start_image_url",
                    "end_image_url",
                    "aspect_ratio",
                    "loop",
                    "enhancement",
                    "source_video_id",
                    "source_video_url",
                ]
            },
        ),
        (
            "Result",
            {
                "fields": [
                    "task_id",
                    "video_id",
                    "video_url",
                    "thumbnail_preview",
                    ("video_width", "video_height"),
                    ("thumbnail_width", "thumbnail_height"),
                    "error_code",
                    "error_message",
                ]
            },
        ),
        (
            "Stored copy",
            {
                "fields": [
                    "media_state",
                    "media_error",
                    ("media_attempts", "media_next_attempt_at", "media_copied_at"),
                    ("video_file", "video_file_size"),
                    "video_sha256",
                    ("thumbnail_file", "thumbnail_file_size"),
                    "thumbnail_sha256",
                    "deleted_at",
                ]
            },
        ),
        (
            "Job",
            {
                "classes": ["collapse"],
                "fields": [
                    "submit_attempts",
                    "next_attempt_at",
                    "claimed_at",
                    "last_polled_at",
                    "created_at",
                    "submitted_at",
                    "completed_at",
                    "upstream_payload",
                ],
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # jobs are made through the site or the API, which charge the quota

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Video._meta.fields if f.name not in ("id",)] + self.readonly_fields

    @admin.display(description="Thumbnail")
    def thumbnail(self, video):
        if not video.thumbnail_url:
            return "-"
        return format_html(
            '<img src="{}" alt="Thumbnail" style="height:40px;border-radius:3px">',
            video.thumbnail_url,
        )

    @admin.display(description="Thumbnail")
    def thumbnail_preview(self, video):
        if not video.thumbnail_url:
            return "-"
        return format_html(
            '<img src="{}" alt="Thumbnail" style="max-height:180px">', video.thumbnail_url
        )

    @admin.display(description="Prompt", ordering="prompt")
    def short_prompt(self, video):
        text = video.prompt or video.source_video_url or video.source_video_id
        return text if len(text) <= 60 else text[:59] + "…"

    @admin.display(description="Parent")
    def parent_link(self, video):
        return _link(video.parent)

    @admin.display(description="Root")
    def root_link(self, video):
        return _link(video.root, "itself" if video.root_id == video.pk else None)

    @admin.action(description="Refresh selected jobs from AceDataCloud")
    def refresh_from_upstream(self, request, queryset):
        refreshed, failed = 0, []
        for video in queryset.filter(state__in=Video.IN_FLIGHT_STATES, task_id__isnull=False):
            try:
                services.refresh(video)
                refreshed += 1
            except ServiceError as exc:
                failed.append(f"{str(video.pk)[:8]}: {exc.message}")
        self.message_user(request, f"Asked AceDataCloud about {refreshed} in-flight job(s).")
        for line in failed:
            self.message_user(request, line, level=messages.WARNING)

    @admin.action(description="Fail selected stuck jobs (gives the quota back)")
    def fail_stuck_jobs(self, request, queryset):
        ended = sum(
            services.cancel(video) for video in queryset.filter(state__in=Video.IN_FLIGHT_STATES)
        )
        self.message_user(request, f"Failed {ended} in-flight job(s); their quota was released.")

    @admin.action(description="Retry copying media of selected finished videos")
    def retry_media_copy(self, request, queryset):
        due = media.retry(queryset)
        for video in queryset.filter(media_state="pending"):
            media.enqueue_copy(video.pk)
        self.message_user(request, f"Copies of {due} video(s) will be retried by the worker.")
