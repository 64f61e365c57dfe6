"""Each person's line: jobs beyond their in-flight cap wait, and go out in order as others end.

A job is *waiting* while it is queued and nobody has claimed it to send it upstream (no
claim, no task id). A job is *out* once claimed or sent: queued with a claim, or processing.
The cap counts jobs out. Acceptance (videos/quota.py) only charges the allowance and refuses
when the line itself is full; the cap is kept here, at the claim.

`claim_next` runs under a row lock on the owner's allowance (the lock acceptance takes too),
so two workers claiming for one person take turns: they count the jobs out and claim the
next one in a single transaction, and never put more than the cap out at once.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Allowance

from .models import Video

ORDER = ("created_at", "id")


def waiting(videos=None):
    """Queued jobs nobody has claimed or sent: the ones waiting in their owner's line."""
    videos = Video.objects.all() if videos is None else videos
    return videos.filter(state=Video.State.QUEUED, claimed_at__isnull=True, task_id__isnull=True)


def out(videos=None):
    """Jobs claimed or sent upstream and not yet ended: what the in-flight cap counts."""
    videos = Video.objects.all() if videos is None else videos
    return videos.filter(
        Q(state=Video.State.PROCESSING)
        | Q(state=Video.State.QUEUED) & (Q(claimed_at__isnull=False) | Q(task_id__isnull=False))
    )


def claim_next(owner_id, now=None) -> Video | None:
    """Claim the owner's next due waiting job if they are under their cap; None otherwise.

    The claim is committed before the caller talks to AceDataCloud.
    """
    now = now or timezone.now()
    with transaction.atomic():
        allowance, _created = Allowance.objects.select_for_update().get_or_create(user_id=owner_id)
        mine = Video.objects.filter(owner_id=owner_id)
        if out(mine).count() >= allowance.in_flight_cap:
            return None
        video = waiting(mine).filter(next_attempt_at__lte=now).order_by(*ORDER).first()
        if video is None:
            return None
        claimed = waiting(Video.objects.filter(pk=video.pk)).update(
            claimed_at=now, submit_attempts=F("submit_attempts") + 1
        )
        if not claimed:  # cancelled meanwhile (cancel takes no lock)
            return None
    video.claimed_at = now
    video.submit_attempts += 1
    return video


def positions(owner) -> dict:
    """Each of the owner's waiting jobs' place in line, 1 for the one that goes out next."""
    ids = waiting(Video.objects.filter(owner=owner)).order_by(*ORDER).values_list("pk", flat=True)
    return {pk: place for place, pk in enumerate(ids, start=1)}


def ordinal(place: int) -> str:
    """1st, 2nd, 3rd… in English; 第 1 位 in Chinese."""
    last = place % 10 if not 10 <= place % 100 <= 20 else 0
    if last == 1:
        text = pgettext("place in line", "%(place)dst")
    elif last == 2:
        text = pgettext("place in line", "%(place)dnd")
    elif last == 3:
        text = pgettext("place in line", "%(place)drd")
    else:
        text = pgettext("place in line", "%(place)dth")
    return text % {"place": place}


def label(place: int) -> str:
    """What the page says of a waiting job: "waiting, 2nd in line"."""
    return _("waiting, %(place)s in line") % {"place": ordinal(place)}
