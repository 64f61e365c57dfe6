import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import admin as accounts_admin
from accounts.models import Membership, MoreRequest, Team

from . import asking, budgets, media, quota, services, sharing
from .errors import ServiceError
from .gateway import delivery
from .models import GatewayJob, QuotaEvent, ShareLink, Upload, Video

# The admin's pages carry the site's name, not "Django administration".
admin.site.site_header = _("Luma Studio administration")
admin.site.site_title = _("Luma Studio admin")


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
    list_display = [
        "created_at",
        "user",
        "kind",
        "amount",
        "budgets_touched",
        "period_start",
        "video",
        "why",
    ]
    list_filter = ["kind", "period_start", "team"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "reason"]

    @admin.display(description=_("reason"), ordering="reason")
    def why(self, event):
        return quota.reason_text(event)

    @admin.display(description=_("budgets"))
    def budgets_touched(self, event):
        return budgets.touched(event)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Share links are their owners' to make; staff feature good ones on the home page."""

    list_display = ["video_link", "owner", "created_at", "expires_at", "live", "featured"]
    list_filter = ["featured", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["video__owner"]
    search_fields = ["video__prompt", "=video__id", "video__owner__username"]
    fields = ["video_link", "owner", "public_page", "show_prompt", "created_at", "expires_at"]
    fields += ["revoked_at", "featured"]
    readonly_fields = [name for name in fields if name != "featured"]
    actions = ["feature", "unfeature", "revoke"]

    @admin.display(description=_("video"))
    def video_link(self, link):
        return _link(link.video, str(link.video))

    @admin.display(description=_("owner"), ordering="video__owner__username")
    def owner(self, link):
        return link.video.owner

    @admin.display(description=_("works now"), boolean=True)
    def live(self, link):
        return link.is_live

    @admin.display(description=_("public page"))
    def public_page(self, link):
        url = sharing.page_url(link)
        return format_html('<a href="{}">{}</a>', url, url) if link.is_live else "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only a link that works can be featured.
        if obj.featured and not obj.is_live:
            obj.featured = False
            self.message_user(
                request, _("A revoked or expired link cannot be featured."), messages.WARNING
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Feature on the home page"))
    def feature(self, request, queryset):
        count = sharing.feature(queryset.values("pk"), True)
        self.message_user(
            request,
            ngettext(
                "%(count)d link is now on the home page.",
                "%(count)d links are now on the home page.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Take off the home page"))
    def unfeature(self, request, queryset):
        queryset.update(featured=False)

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        for link in queryset.select_related("video"):
            sharing.revoke(link.video)


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
    fields = ["created_at", "kind", "amount", "team", "period_start", "video", "why"]
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


def _used_this_period(granted: str = "", **match):
    """This period's ledger sum for the row (`match` ties the ledger to it), as a subquery:
    what was used, or with `granted` the grants to that budget."""
    start, _end = quota.period_bounds()
    lines = QuotaEvent.objects.filter(period_start=start, **match)
    lines = lines.filter(kind="grant", budget=granted) if granted else lines.usage()
    total = lines.order_by().values(*match).annotate(n=Sum("amount")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _used_of(used, limit):
    if limit is None:
        return _("%(used)d used (no limit)") % {"used": used}
    return _("%(used)d of %(limit)d used") % {"used": used, "limit": limit}


@admin.register(get_user_model())
class UserAdmin(accounts_admin.UserAdmin):
    inlines = [AllowanceInline, QuotaEventInline]
    list_display = [*accounts_admin.UserAdmin.list_display, "usage"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                used=_used_this_period(user=OuterRef("pk")),
                allowed=Coalesce(
                    "allowance__videos_per_period", Value(settings.QUOTA_VIDEOS_PER_PERIOD)
                )
                + _used_this_period("user", user=OuterRef("pk")),
            )
        )

    @admin.display(description=_("Used this period"), ordering="used")
    def usage(self, user):
        return _used_of(user.used, user.allowed)


admin.site.unregister(Team)


@admin.register(Team)
class TeamAdmin(accounts_admin.TeamAdmin):
    list_display = ["name", "member_count", "usage", "max_in_flight", "created_at"]
    fields = [*accounts_admin.TeamAdmin.fields, "usage"]
    readonly_fields = ["usage"]

    def get_queryset(self, request):
        members = (
            Membership.objects.filter(team=OuterRef("pk"))
            .order_by()
            .values("team")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                used=_used_this_period(team=OuterRef("pk")),
                granted=_used_this_period("team", team=OuterRef("pk")),
                member_total=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            )
        )

    @admin.display(description=_("Members"), ordering="member_total")
    def member_count(self, team):
        return team.member_total

    @admin.display(description=_("Used this period"), ordering="used")
    def usage(self, team):
        limit = team.videos_per_period
        return _used_of(team.used, None if limit is None else limit + team.granted)


# Requests for more are accounts' rows, but answering one writes a grant to the ledger
# (videos/asking.py), so their admin lives here.
@admin.register(MoreRequest)
class MoreRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "budget", "team", "amount", "reason", "state"]
    list_filter = ["state", "budget"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "team__name", "reason"]
    readonly_fields = [
        "user",
        "team",
        "budget",
        "amount",
        "reason",
        "period_start",
        "state",
        "created_at",
        "decided_at",
        "decided_by",
    ]
    fields = readonly_fields
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    def _answer(self, request, queryset, approve):
        base = request.build_absolute_uri("/").rstrip("/")
        answered = sum(
            asking.decide(asked, request.user, approve, base)
            for asked in queryset.select_related("user", "team")
        )
        self.message_user(
            request,
            ngettext(
                "Answered %(count)d request; its asker was emailed.",
                "Answered %(count)d requests; each asker was emailed.",
                answered,
            )
            % {"count": answered}
            if answered
            else _("None of the selected requests was waiting for an answer."),
            messages.SUCCESS if answered else messages.WARNING,
        )

    @admin.action(description=_("Approve the selected requests (grant this period)"))
    def approve(self, request, queryset):
        self._answer(request, queryset, approve=True)

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        self._answer(request, queryset, approve=False)
