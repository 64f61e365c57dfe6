"""Share links: a public address for one finished video, created and revoked by its owner.

The address carries an unguessable token and nothing else; the page behind it shows the
video (our stored copy), the prompt if the owner chose, and nothing about the owner.
A revoked or expired link, or one whose video is gone, is simply not found.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Conflict, InvalidRequest, NotFound
from .models import ShareLink, Video

GALLERY_SIZE = 6


def absolute(path: str) -> str:
    """A full address under PUBLIC_BASE_URL: what chat apps and other people open."""
    return f"{settings.PUBLIC_BASE_URL}{path}"


def page_url(link: ShareLink) -> str:
    return absolute(reverse("videos:share-page", kwargs={"token": link.token}))


def url_for_token(token: str | None) -> str | None:
    return absolute(reverse("videos:share-page", kwargs={"token": token})) if token else None


def with_share_token(videos):
    """Annotate each video with its live link's token (share_token), in the same query."""
    live = ShareLink.objects.live().filter(video=OuterRef("pk")).values("token")[:1]
    return videos.annotate(share_token=Subquery(live))


def share_token(video: Video) -> str | None:
    """The token of the video's live link (from the annotation when there is one)."""
    if hasattr(video, "share_token"):
        return video.share_token
    return ShareLink.objects.live().filter(video=video).values_list("token", flat=True).first()


def live_link(video: Video) -> ShareLink | None:
    return ShareLink.objects.live().filter(video=video).first()


def page_context(video: Video) -> dict:
    """What the video's page shows of its share link."""
    link = live_link(video)
    return {"share_link": link, "share_url": page_url(link) if link else None}


def share(video: Video, *, show_prompt: bool = False, expires_at: datetime | None = None):
    """Open (or change) the video's share link; its address stays the same while it lives."""
    if video.state != Video.State.COMPLETED or video.is_deleted:
        raise Conflict(_("Only a finished video can be shared."), code="not_shareable")
    if not video.has_copy:
        raise Conflict(
            _("This video can be shared once our copy of it is stored; try again in a minute."),
            code="not_shareable",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidRequest({"expires_at": [_("Choose a time in the future.")]})
    with transaction.atomic():
        # An expired link is closed for good, so that a new one gets a new address.
        ShareLink.objects.filter(video=video, revoked_at__isnull=True).exclude(
            pk__in=ShareLink.objects.live().filter(video=video).values("pk")
        ).update(revoked_at=timezone.now())
        link = (
            ShareLink.objects.select_for_update()
            .filter(video=video, revoked_at__isnull=True)
            .first()
        )
        if link is None:
            try:
                with transaction.atomic():
                    link = ShareLink.objects.create(
                        video=video, show_prompt=show_prompt, expires_at=expires_at
                    )
            except IntegrityError:  # a concurrent request opened it first: change that one
                link = ShareLink.objects.get(video=video, revoked_at__isnull=True)
        link.show_prompt = show_prompt
        link.expires_at = expires_at
        link.save(update_fields=["show_prompt", "expires_at"])
    return link


def revoke(video: Video) -> bool:
    """Close the video's link for good; True if there was one."""
    changed = ShareLink.objects.filter(video=video, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), featured=False
    )
    return bool(changed)


def find(token: str) -> ShareLink:
    """The link behind a public address, with its video; 404 unless it may be shown."""
    link = ShareLink.objects.viewable().select_related("video").filter(token=token).first()
    if link is None:
        raise NotFound(_("This share link does not exist, or no longer does."))
    return link


def gallery(limit: int = GALLERY_SIZE) -> list[ShareLink]:
    """The links staff featured, newest first, for the home page."""
    links = ShareLink.objects.viewable().filter(featured=True).select_related("video")
    return list(links.order_by("-created_at")[:limit])


def feature(links, featured: bool) -> int:
    """Show (or stop showing) these links in the home page's gallery; only live ones count."""
    return ShareLink.objects.live().filter(pk__in=links).update(featured=featured)
