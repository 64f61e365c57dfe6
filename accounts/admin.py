from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import invitations, mfa, standing
from .admin_forms import InviteForm
from .models import Allowance, ApiToken, Approval, Invitation, Membership, SiteBudget, Team

User = get_user_model()

# Staff sign in through the site's own sign-in page: the login guard, the rate limits and
# two-factor authentication apply there, and nowhere else would they all hold.
admin.site.login = secure_admin_login(admin.site.login)

DEACTIVATION_HELP = _(
    "Untick to stop this person signing in. Saving that also revokes all of their API "
    "tokens and ends all of their sessions; ticking it again later does not bring those back."
)


def _day(moment, format_name="SHORT_DATE_FORMAT") -> str:
    return formats.date_format(moment, format_name) if moment else ""


class AllowanceInline(admin.StackedInline):
    model = Allowance
    can_delete = False
    fields = ["videos_per_period", "max_in_flight"]


class WaitingForApproval(admin.SimpleListFilter):
    title = _("approval")
    parameter_name = "approval"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting for approval")), ("approved", _("Approved or not needed"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(waiting_for_approval=True)
        if self.value() == "approved":
            return queryset.filter(waiting_for_approval=False)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with the allowance, email and approval state, and API tokens;
    videos/admin.py adds usage and the ledger."""

    inlines = [AllowanceInline]
    list_display = [
        "username",
        "email",
        "email_confirmed",
        "approved",
        "is_active",
        "is_staff",
        "date_joined",
    ]
    list_filter = [WaitingForApproval, "is_staff", "is_superuser", "is_active", "groups"]
    actions = ["approve_accounts"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Access"), {"fields": ["api_tokens", "two_factor"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "api_tokens", "two_factor"]

    @admin.display(description=_("API tokens"))
    def api_tokens(self, user):
        """What each token is called and when it was used; never a key (none is kept)."""
        tokens = list(ApiToken.objects.filter(user=user))
        if not tokens:
            return _("None.")
        never = _("never")
        rows = format_html_join(
            "",
            "<li>{} <code>{}…</code>, {}</li>",
            (
                (
                    t.name,
                    t.prefix,
                    _("created %(created)s, last used %(used)s, expires %(expires)s")
                    % {
                        "created": _day(t.created_at),
                        "used": _day(t.last_used_at, "SHORT_DATETIME_FORMAT") or never,
                        "expires": _day(t.expires_at) or never,
                    },
                )
                for t in tokens
            ),
        )
        link = reverse("admin:accounts_apitoken_changelist") + f"?user__id__exact={user.pk}"
        return format_html('<ul>{}</ul><a href="{}">{}</a>', rows, link, _("Revoke tokens…"))

    @admin.display(description=_("Two-factor authentication"))
    def two_factor(self, user):
        return _("On (authenticator app)") if mfa.has_totp(user) else _("Off")

    def get_queryset(self, request):
        addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                waiting_for_approval=Exists(
                    Approval.objects.filter(user=OuterRef("pk"), approved_at=None)
                ),
                has_address=Exists(addresses),
                has_verified_address=Exists(addresses.filter(verified=True)),
            )
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "is_active" in form.base_fields:
            form.base_fields["is_active"].help_text = DEACTIVATION_HELP
        return form

    @admin.display(boolean=True, description=_("Email confirmed"))
    def email_confirmed(self, user):
        # No address on record: made by staff, which counts as confirmed.
        return user.has_verified_address or not user.has_address

    @admin.display(boolean=True, description=_("Approved"), ordering="waiting_for_approval")
    def approved(self, user):
        return not user.waiting_for_approval

    @admin.action(description=_("Approve the selected accounts (and email each one)"))
    def approve_accounts(self, request, queryset):
        count = standing.approve(list(queryset), by=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "Approved %(count)d account; it was emailed.",
                "Approved %(count)d accounts; each was emailed.",
                count,
            )
            % {"count": count}
            if count
            else _("None of the selected accounts was waiting for approval."),
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every token on the site: owner, name, prefix and dates. Keys are not stored, so not
    shown; delete a token to revoke it."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username", "user__email"]
    list_filter = ["created_at", "last_used_at", "user"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at"]
    exclude = ["digest"]
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "state_label", "invited_by", "created_at", "expires_at", "accepted_by"]
    list_select_related = ["invited_by", "accepted_by"]
    search_fields = ["email"]
    list_filter = ["created_at", "accepted_at", "revoked_at"]
    readonly_fields = [
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    exclude = ["digest"]
    actions = ["revoke", "send_again"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("State"))
    def state_label(self, invitation):
        return Invitation.State(invitation.state).label

    def add_view(self, request, form_url="", extra_context=None):
        """Invite one or many people at once; each gets their own link."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            issued = [
                invitations.issue(email, by=request.user, request=request)
                for email in form.cleaned_data["emails"]
            ]
            self._report(request, issued)
            return redirect("admin:accounts_invitation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite people"),
            "form": form,
            "opts": self.model._meta,
            "days": settings.INVITATION_DAYS,
        }
        return TemplateResponse(request, "admin/accounts/invitation/invite.html", context)

    def _report(self, request, issued):
        mailed = [i for i in issued if i.mailed]
        if mailed:
            self.message_user(
                request,
                ngettext(
                    "Emailed %(count)d invitation link.",
                    "Emailed %(count)d invitation links.",
                    len(mailed),
                )
                % {"count": len(mailed)},
            )
        unmailed = [i for i in issued if not i.mailed]
        if unmailed:
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    _(
                        "These could not be emailed; pass each link on yourself (it is shown "
                        "only now):"
                    ),
                    format_html_join(
                        "", "<li>{}: {}</li>", ((i.invitation.email, i.link) for i in unmailed)
                    ),
                ),
                messages.WARNING,
            )

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        count = invitations.revoke(queryset)
        self.message_user(
            request,
            ngettext(
                "Revoked %(count)d invitation; its link no longer works.",
                "Revoked %(count)d invitations; their links no longer work.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Send the selected invitations again (new links, new expiry)"))
    def send_again(self, request, queryset):
        emails = sorted({i.email for i in queryset if i.accepted_at is None})
        issued = [invitations.issue(e, by=request.user, request=request) for e in emails]
        self._report(request, issued)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "videos_per_period", "is_default", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["user"]
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams, their members and budgets; videos/admin.py adds this period's usage."""

    list_display = ["name", "videos_per_period", "max_in_flight", "created_at"]
    search_fields = ["name"]
    fields = ["name", "videos_per_period", "max_in_flight"]
    inlines = [MembershipInline]


@admin.register(SiteBudget)
class SiteBudgetAdmin(admin.ModelAdmin):
    """The one site-wide cap: staff change it here while the site runs."""

    fields = ["follows_setting", "setting", "videos_per_period", "updated_at"]
    readonly_fields = ["setting", "updated_at"]

    @admin.display(description=_("SITE_VIDEOS_PER_PERIOD"))
    def setting(self, budget):
        value = settings.SITE_VIDEOS_PER_PERIOD
        return _("Not set (no cap)") if value is None else value

    def has_add_permission(self, request):
        return not SiteBudget.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one budget: go straight to it (made with its defaults on first visit)."""
        budget, _created = SiteBudget.objects.get_or_create(pk=SiteBudget.ONLY)
        return redirect(reverse("admin:accounts_sitebudget_change", args=[budget.pk]))
