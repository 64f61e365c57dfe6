import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import admin as accounts_admin

from . import media, quota, services
from .errors import ServiceError
from .gateway import delivery
from .models import GatewayJob, QuotaEvent, Upload, Video


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
        (_("Request"), {"fields": [*Video.SETTINGS, "source_video_id", "source_video_url"]}),
        (
            _("Result"),
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
            _("Stored copy"),
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
            _("Job"),
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

    class Media:
        css = {"all": ["css/admin.css"]}  # the thumbnails' sizes (no inline styles: the CSP)

    def has_add_permission(self, request):
        return False  # jobs are made through the site or the API, which charge the quota

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Video._meta.fields if f.name not in ("id",)] + self.readonly_fields

    @admin.display(description=_("Thumbnail"))
    def thumbnail(self, video):
        if not video.thumbnail_url:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" class="admin-thumb">', video.thumbnail_url, _("Thumbnail")
        )

    @admin.display(description=_("Thumbnail"))
    def thumbnail_preview(self, video):
        if not video.thumbnail_url:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" class="admin-thumb-large">', video.thumbnail_url, _("Thumbnail")
        )

    @admin.display(description=_("Prompt"), ordering="prompt")
    def short_prompt(self, video):
        text = video.prompt or video.source_video_url or video.source_video_id
        return text if len(text) <= 60 else text[:59] + "…"

    @admin.display(description=_("Parent"))
    def parent_link(self, video):
        return _link(video.parent)

    @admin.display(description=_("Root"))
    def root_link(self, video):
        return _link(video.root, _("itself") if video.root_id == video.pk else None)

    @admin.action(description=_("Refresh selected jobs from AceDataCloud"))
    def refresh_from_upstream(self, request, queryset):
        refreshed, failed = 0, []
        for video in queryset.filter(state__in=Video.IN_FLIGHT_STATES, task_id__isnull=False):
            try:
                services.refresh(video)
                refreshed += 1
            except ServiceError as exc:
                failed.append(f"{str(video.pk)[:8]}: {exc.message}")
        self.message_user(
            request,
            ngettext(
                "Asked AceDataCloud about %(count)d job in flight.",
                "Asked AceDataCloud about %(count)d jobs in flight.",
                refreshed,
            )
            % {"count": refreshed},
        )
        for line in failed:
            self.message_user(request, line, level=messages.WARNING)

    @admin.action(description=_("Fail selected stuck jobs (gives the quota back)"))
    def fail_stuck_jobs(self, request, queryset):
        ended = sum(
            services.cancel(video) for video in queryset.filter(state__in=Video.IN_FLIGHT_STATES)
        )
        self.message_user(
            request,
            ngettext(
                "Failed %(count)d job in flight; its quota was given back.",
                "Failed %(count)d jobs in flight; their quota was given back.",
                ended,
            )
            % {"count": ended},
        )

    @admin.action(description=_("Retry copying media of selected finished videos"))
    def retry_media_copy(self, request, queryset):
        due = media.retry(queryset)
        for video in queryset.filter(media_state="pending"):
            media.enqueue_copy(video.pk)
        self.message_user(
            request,
            ngettext(
                "The copy of %(count)d video will be tried again by the worker.",
                "The copies of %(count)d videos will be tried again by the worker.",
                due,
            )
            % {"count": due},
        )


@admin.register(GatewayJob)
class GatewayJobAdmin(admin.ModelAdmin):
    """Jobs that came through /luma/videos, and how their callbacks to the client went."""

    list_display = [
        "video_link",
        "owner",
        "mode",
        "delivery_state",
        "delivery_attempts",
        "last_attempt_at",
        "last_delivery_error",
    ]
    list_filter = ["mode", "delivery_state"]
    list_select_related = ["video__owner"]
    search_fields = ["=video__id", "video__owner__username"]
    ordering = ["-video__created_at"]
    # The client's callback_url can carry its own secret in the query: shown by host only.
    fields = [
        "video_link",
        "owner",
        "mode",
        "callback_host",
        "delivery_state",
        "delivery_attempts",
        "last_attempt_at",
        "delivered_at",
        "last_delivery_error",
        "trace_id",
        "client_request",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Video"))
    def video_link(self, job):
        return _link(job.video)

    @admin.display(description=_("Owner"), ordering="video__owner__username")
    def owner(self, job):
        return job.video.owner

    @admin.display(description=_("Callback host"))
    def callback_host(self, job):
        return delivery.callback_host(job.callback_url) if job.callback_url else "-"

    @admin.display(description=_("The client's request"))
    def client_request(self, job):
        body = dict(job.request_body) if isinstance(job.request_body, dict) else {}
        if isinstance(body.get("callback_url"), str):
            body["callback_url"] = f"(to {delivery.callback_host(body['callback_url'])})"
        return format_html("<pre>{}</pre>", json.dumps(body, indent=2, ensure_ascii=False))


@admin.register(QuotaEvent)
class QuotaEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "amount", "period_start", "video", "why"]
    list_filter = ["kind", "period_start"]
    list_select_related = ["user"]
    search_fields = ["user__username", "reason"]

    @admin.display(description=_("reason"), ordering="reason")
    def why(self, event):
        return quota.reason_text(event)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """What people uploaded, to look at; the address's token is left out (it opens the file)."""

    list_display = ["created_at", "owner", "kind", "original_name", "size", "used_at"]
    list_filter = ["kind", ("used_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["owner__username", "original_name"]
    fields = ["owner", "kind", "original_name", "content_type", "size", "width", "height"]
    fields += ["created_at", "used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuotaEventInline(admin.TabularInline):
    model = QuotaEvent
    fields = ["created_at", "kind", "amount", "period_start", "video", "why"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reason"))
    def why(self, event):
        return quota.reason_text(event)


class AllowanceInline(accounts_admin.AllowanceInline):
    fields = [*accounts_admin.AllowanceInline.fields, "usage"]
    readonly_fields = ["usage"]

    @admin.display(description=_("Usage this period"))
    def usage(self, allowance):
        if allowance.pk is None:
            return "-"
        status = quota.quota_status(allowance.user)
        return _(
            "%(used)d of %(limit)d used, %(running)d in flight (at most %(most)d); resets %(when)s"
        ) % {
            "used": status.used,
            "limit": status.limit,
            "running": status.in_flight,
            "most": status.max_in_flight,
            "when": quota.moment(status.resets_at),
        }


# The user page gains what videos knows about a person (usage, the ledger). accounts may
# not import videos, so the extension is registered from here, after accounts' own.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(accounts_admin.UserAdmin):
    inlines = [AllowanceInline, QuotaEventInline]
