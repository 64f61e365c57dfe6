import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Allowance(models.Model):
    """A user's video allowance; blank fields fall back to the site defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="allowance",
        verbose_name=_("user"),
    )
    videos_per_period = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Videos per quota period. Blank: the site default."),
        verbose_name=_("videos per period"),
    )
    max_in_flight = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Jobs in flight at once. Blank: the site default."),
        verbose_name=_("most in flight at once"),
    )

    class Meta:
        verbose_name = _("allowance")
        verbose_name_plural = _("allowances")

    def __str__(self):
        return _("Allowance of %(user)s") % {"user": self.user}

    @property
    def limit(self) -> int:
        if self.videos_per_period is None:
            return settings.QUOTA_VIDEOS_PER_PERIOD
        return self.videos_per_period

    @property
    def in_flight_cap(self) -> int:
        if self.max_in_flight is None:
            return settings.QUOTA_MAX_IN_FLIGHT
        return self.max_in_flight


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that have not expired (revoked ones are deleted)."""
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A named personal API token. The key itself is never stored: only its first characters
    (to find the row and to let people recognise it) and its SHA-256 digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    prefix = models.CharField(
        max_length=16,
        help_text=_("The key's first characters (not secret)."),
        verbose_name=_("starts with"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("digest"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used"))
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Blank: never."), verbose_name=_("expires")
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every token-authenticated request finds its candidate rows by the key's prefix.
            models.Index(fields=["prefix"], name="api_token_prefix"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A link that lets one person, at one email address, create an account once.

    Only the SHA-256 digest of the link's key is kept, like an API token's.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(verbose_name=_("email address"))
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("digest"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted"))
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))
    # A team's manager invited this person into the team: signing up makes them a member.
    team = models.ForeignKey(
        "Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("team"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

        ordering = ["-created_at", "-id"]
        indexes = [
            # Single sign-on looks for a pending invitation by the email the provider gave.
            models.Index(fields=["email"], name="invitation_email"),
        ]

    def __str__(self):
        return _("Invitation for %(email)s") % {"email": self.email}

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING


class Approval(models.Model):
    """An account that signed itself up while SIGNUP_REQUIRES_APPROVAL was on.

    It may sign in, but makes no videos until staff approve it. Accounts without a row
    (staff-created, invited, or older than the setting) need no approval.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="approval",
        verbose_name=_("user"),
    )
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("requested"))
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self):
        return _("Approval of %(user)s") % {"user": self.user}

    @property
    def waiting(self) -> bool:
        return self.approved_at is None


class Preferences(models.Model):
    """How a person wants the site: its language (and their emails'), their time zone, and
    whether to be emailed when a video ends.

    Blank fields follow the browser (language) and the site (time zone).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    # A code from settings.LANGUAGES (the forms check it), not a choices list here: adding a
    # language is then only a translation file, never a migration.
    language = models.CharField(max_length=10, blank=True, verbose_name=_("language"))
    time_zone = models.CharField(max_length=64, blank=True, verbose_name=_("time zone"))
    notify_by_email = models.BooleanField(
        default=False, verbose_name=_("email me when a video is ready")
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return _("Preferences of %(user)s") % {"user": self.user}


class Team(models.Model):
    """A group of people who share a budget: a class, a client project, a department.

    Each job is made for one team (or for no team, by someone in none); the team's budget
    counts every member's jobs for it, beside each person's own allowance.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    videos_per_period = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Videos the whole team may make per quota period. Blank: no team limit."),
        verbose_name=_("videos per period"),
    )
    max_in_flight = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Jobs in flight at once across the team. Blank: no team limit."),
        verbose_name=_("most in flight at once"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="teams",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One person in one team: a member, or a manager who looks after the team."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role")
    )
    videos_per_period = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "This member's share of the team's budget per quota period. Blank: no share of "
            "their own (the team's budget and their allowance still apply)."
        ),
        verbose_name=_("share of the team's videos"),
    )
    is_default = models.BooleanField(
        default=False,
        help_text=_("Jobs are made for this team unless the person picks another."),
        verbose_name=_("default team"),
    )
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined"))

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_once_per_team"),
            # A person's default team is one team: WHERE user_id = ? AND is_default
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="membership_one_default_team",
            ),
        ]

    def __str__(self):
        return _("%(user)s in %(team)s") % {"user": self.user, "team": self.team}

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class SiteBudget(models.Model):
    """The site-wide cap on videos per period, one row, editable by staff at run time.

    It protects the AceDataCloud balance: every job counts against it, whoever makes it.
    """

    ONLY = 1  # the primary key of the one row

    follows_setting = models.BooleanField(
        default=True,
        help_text=_("Use the SITE_VIDEOS_PER_PERIOD setting. Untick to set the cap here instead."),
        verbose_name=_("use the setting"),
    )
    videos_per_period = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Videos the whole site may make per quota period. Blank: no cap."),
        verbose_name=_("videos per period"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("site budget")
        verbose_name_plural = _("site budget")

    def __str__(self):
        return str(_("Site budget"))

    @property
    def limit(self) -> int | None:
        if self.follows_setting:
            return settings.SITE_VIDEOS_PER_PERIOD
        return self.videos_per_period


class MoreRequest(models.Model):
    """Someone whose budget is used up asks for more this period ("Ask for more").

    A share of a team goes to the team's managers (and staff); anything else to staff. An
    approval is written to the quota ledger as a grant for the period the request was made in.
    """

    class Budget(models.TextChoices):
        USER = "user", _("Own allowance")
        MEMBER = "member", _("Share of the team")
        TEAM = "team", _("Team budget")
        SITE = "site", _("Site cap")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="more_requests",
        verbose_name=_("asked by"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="more_requests",
        verbose_name=_("team"),
    )
    budget = models.CharField(max_length=10, choices=Budget.choices, verbose_name=_("budget"))
    amount = models.PositiveIntegerField(verbose_name=_("videos asked for"))
    reason = models.CharField(max_length=500, verbose_name=_("why"))
    period_start = models.DateTimeField(verbose_name=_("period"))
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, verbose_name=_("state")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("asked"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        verbose_name = _("request for more")
        verbose_name_plural = _("requests for more")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Requests waiting for a team's managers: WHERE team_id = ? AND state = 'pending'
            models.Index(fields=["team", "state"], name="more_request_team_state"),
            # Requests waiting for staff: WHERE state = 'pending'
            models.Index(fields=["state", "created_at"], name="more_request_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=1), name="more_request_amount_positive"
            ),
        ]

    def __str__(self):
        return _("%(user)s asks for %(amount)d more") % {"user": self.user, "amount": self.amount}
