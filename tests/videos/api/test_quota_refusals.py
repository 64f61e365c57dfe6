"""A 429 from the quota reads like the rest of the API: one date format, and Retry-After."""

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.factories import make_video, use_up_quota
from videos.models import Video


def test_resets_at_has_the_same_format_in_the_429_and_in_quota(api, owner):
    use_up_quota(owner)

    refused = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")
    quota = api.get("/api/v1/quota/").json()

    assert refused.status_code == 429 and refused.json()["code"] == "quota_exceeded"
    assert refused.json()["resets_at"] == quota["resets_at"]
    assert quota["resets_at"].endswith("Z")


def test_a_used_up_allowance_says_when_to_retry(api, owner):
    use_up_quota(owner)

    refused = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")

    wait = int(refused["Retry-After"])
    resets = parse_datetime(refused.json()["resets_at"])
    assert wait == pytest.approx((resets - timezone.now()).total_seconds(), abs=5)
    assert wait > 0


def test_too_many_in_flight_says_to_retry_shortly(api, owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 0  # the line is full at once
    make_video(owner, state=Video.State.PROCESSING)

    refused = api.post("/api/v1/videos/", {"prompt": "A fox"}, format="json")

    assert refused.status_code == 429 and refused.json()["code"] == "too_many_in_flight"
    assert refused["Retry-After"] == "30"
