from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services
from .models import Allowance, QuotaEvent

User = get_user_model()


class AllowanceInline(admin.StackedInline):
    model = Allowance
    can_delete = False
    fields = ["videos_per_period", "max_in_flight", "usage"]
    readonly_fields = ["usage"]

    @admin.display(description="Usage this period")
    def usage(self, allowance):
        if allowance.pk is None:
            return "-"
        quota = services.quota_status(allowance.user)
        return (
            f"{quota.used} of {quota.limit} used, {quota.in_flight} in flight "
            f"(at most {quota.max_in_flight}); resets {quota.resets_at:%Y-%m-%d %H:%M %Z}"
        )


class QuotaEventInline(admin.TabularInline):
    model = QuotaEvent
    fields = ["created_at", "kind", "amount", "period_start", "video", "reason"]
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


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [AllowanceInline, QuotaEventInline]


@admin.register(QuotaEvent)
class QuotaEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "amount", "period_start", "video", "reason"]
    list_filter = ["kind", "period_start"]
    list_select_related = ["user"]
    search_fields = ["user__username", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
