"""A second user can neither see nor touch the first user's videos, on any video route."""

import pytest
from django.urls import get_resolver, reverse

from tests.factories import make_video
from videos.models import Video


def _video_routes():
    """Every API route that takes a video id, read from the URL configuration itself."""
    resolver = get_resolver()
    names = set()
    for name in resolver.reverse_dict:
        if not isinstance(name, str) or not resolver.reverse_dict.getlist(name)[0][1].startswith(
            "api/"
        ):
            continue
        for possibilities, *_ in resolver.reverse_dict.getlist(name):
            if any("pk" in params for _, params in possibilities):
                names.add(name)
    return sorted(names)


def test_the_route_list_covers_every_video_action():
    assert _video_routes() == ["video-detail", "video-extend", "video-lineage", "video-refresh"]


@pytest.mark.parametrize("name", _video_routes())
def test_another_user_gets_404_on_every_video_route(other_api, owner, name):
    video = make_video(owner, state=Video.State.PROCESSING)
    url = reverse(name, kwargs={"pk": video.pk})

    responses = [other_api.get(url), other_api.post(url, {}, format="json")]

    for response in responses:
        assert response.status_code in (404, 405), (url, response.status_code)
    assert 404 in {r.status_code for r in responses}
    assert Video.objects.count() == 1
    assert Video.objects.get().state == "processing"


def test_another_users_videos_never_appear_in_my_list_or_search(other_api, owner):
    make_video(owner, prompt="secret fox")

    assert other_api.get("/api/v1/videos/").json()["count"] == 0
    assert other_api.get("/api/v1/videos/", {"search": "fox"}).json()["count"] == 0


def test_another_users_quota_is_not_mine(other_api, owner):
    make_video(owner)

    assert other_api.get("/api/v1/quota/").json()["used"] == 0
