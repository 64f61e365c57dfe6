"""POST/DELETE /api/v1/videos/{id}/share/ and the video resource's share_url."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_video
from tests.videos.stored import make_stored_video
from videos import sharing
from videos.models import ShareLink


@pytest.fixture
def stored(owner):
    return make_stored_video(owner)


def url(video):
    return f"/api/v1/videos/{video.pk}/share/"


def test_posting_opens_a_link_and_answers_its_url(api, stored):
    response = api.post(url(stored), {}, format="json")

    link = ShareLink.objects.get(video=stored)
    assert response.status_code == 200
    assert response.json() == {
        "url": f"http://testserver/s/{link.token}/",
        "expires_at": None,
        "show_prompt": False,
    }
    assert Client().get(f"/s/{link.token}/").status_code == 200


def test_expiry_and_prompt_choice_are_kept(api, stored):
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    body = api.post(
        url(stored), {"expires_at": when.isoformat(), "show_prompt": True}, format="json"
    ).json()

    link = ShareLink.objects.get(video=stored)
    assert link.expires_at == when and link.show_prompt is True
    assert body["show_prompt"] is True


def test_the_video_resource_carries_its_share_url_or_null(api, stored):
    assert api.get(f"/api/v1/videos/{stored.pk}/").json()["share_url"] is None

    shared = api.post(url(stored), {}, format="json").json()["url"]

    assert api.get(f"/api/v1/videos/{stored.pk}/").json()["share_url"] == shared
    assert api.get("/api/v1/videos/").json()["results"][0]["share_url"] == shared


def test_delete_revokes_and_the_link_is_gone(api, stored):
    shared = api.post(url(stored), {}, format="json").json()["url"]

    assert api.delete(url(stored)).status_code == 204

    assert Client().get(shared.removeprefix("http://testserver")).status_code == 404
    assert api.get(f"/api/v1/videos/{stored.pk}/").json()["share_url"] is None
    assert api.delete(url(stored)).status_code == 204  # again: nothing to do, same answer


@pytest.mark.parametrize(
    "body, field",
    [
        ({"expires_at": "yesterday"}, "expires_at"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "\x00"}, "expires_at"),
        ({"expires_at": "2030-13-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "NaN"}, "expires_at"),
        ({"show_prompt": "perhaps"}, "show_prompt"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_changes_nothing(api, stored, body, field):
    response = api.post(url(stored), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize(
    "raw", ['{"expires_at": Infinity}', '{"expires_at": 1e400}', '{"show_prompt": NaN}']
)
def test_non_finite_numbers_are_refused(api, stored, raw):
    response = api.generic("POST", url(stored), raw, content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] in ("invalid", "parse_error")
    assert not ShareLink.objects.exists()


def test_an_unfinished_or_uncopied_video_cannot_be_shared(api, owner):
    running = make_video(owner, state="processing")
    uncopied = make_video(owner, media_state="pending")

    for video in (running, uncopied):
        response = api.post(url(video), {}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "not_shareable"
    assert not ShareLink.objects.exists()


def test_another_users_video_is_404_for_share_and_revoke(other_api, stored):
    sharing.share(stored)

    assert other_api.post(url(stored), {}, format="json").status_code == 404
    assert other_api.delete(url(stored)).status_code == 404
    assert ShareLink.objects.live().filter(video=stored).exists()


def test_listing_costs_the_same_queries_with_shared_videos(api, owner, django_assert_num_queries):
    for _ in range(3):
        sharing.share(make_stored_video(owner))
    make_video(owner)

    with django_assert_num_queries(3):  # the count, the page (share_url included), the line
        body = api.get("/api/v1/videos/").json()

    assert sum(1 for v in body["results"] if v["share_url"]) == 3
