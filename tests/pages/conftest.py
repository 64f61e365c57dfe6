"""Fixtures for the page tests: logged-in browsers (Django's test client) and video rows."""

import pytest
from django.test import Client

from tests import factories
from videos.models import Video

CDN = "https://cdn.example.com/luma"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser(owner):
    """The owner, logged in."""
    return logged_in(owner)


@pytest.fixture
def other_browser(other):
    return logged_in(other)


def make_video(owner, age_seconds=0, **fields):
    """A video row as the job would have left it (uncharged); completed unless told otherwise."""
    values = {"prompt": "A red fox running through fresh snow", "video_width": 320}
    values["video_height"] = 180
    return factories.make_video(owner, charge=False, age_seconds=age_seconds, **(values | fields))


def make_extension(parent, **fields):
    return make_video(
        parent.owner,
        action=Video.Action.EXTEND,
        parent=parent,
        root_id=parent.root_id,
        depth=parent.depth + 1,
        source_video_id=parent.video_id,
        **fields,
    )


def use_up_quota(user, count=None):
    """Spend the user's allowance the way submissions do: one charge per video."""
    from accounts.services import charge, quota_status

    status = quota_status(user)
    for _ in range(status.remaining if count is None else count):
        video = make_video(user)
        charge(video, status.period_start)
