from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Allowance

User = get_user_model()


class AllowanceInline(admin.StackedInline):
    model = Allowance
    can_delete = False
    fields = ["videos_per_period", "max_in_flight"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with the allowance; videos/admin.py adds usage and the ledger."""

    inlines = [AllowanceInline]
