import pytest

from videos.models import QuotaEvent, Video

URL = "/api/v1/videos/"


def test_it_accepts_a_generate_job_and_charges_one_video(api, owner):
    response = api.post(URL, {"prompt": "A red fox in snow", "aspect_ratio": "9:16"}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "queued"
    assert body["action"] == "generate"
    assert body["aspect_ratio"] == "9:16"
    assert body["enhancement"] is True and body["loop"] is False
    assert body["root"] == body["id"] and body["parent"] is None and body["depth"] == 0
    assert body["error"] is None
    video = Video.objects.get(pk=body["id"])
    assert video.owner == owner
    assert QuotaEvent.objects.filter(video=video, kind="charge", amount=1).count() == 1


def test_it_never_shows_the_callback_secret(api):
    body = api.post(URL, {"prompt": "A fox"}, format="json").json()

    video = Video.objects.get(pk=body["id"])
    assert video.callback_secret not in str(body)


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({"prompt": "a\x00b"}, "prompt"),
        ({"prompt": "fox", "start_image_url": "ftp://example.com/a.png"}, "start_image_url"),
        ({"prompt": "fox", "end_image_url": "javascript:alert(1)"}, "end_image_url"),
        ({"prompt": "fox", "aspect_ratio": "2:1"}, "aspect_ratio"),
        ({"prompt": "fox", "action": "remix"}, "action"),
        ({"prompt": "fox", "video_id": "abc"}, "video_id"),
        ({"action": "extend"}, "parent"),
        ({"action": "extend", "parent": "not-a-uuid"}, "parent"),
        ({"action": "extend", "video_url": "file:///etc/passwd"}, "video_url"),
        ({"action": "extend", "video_id": "a", "video_url": "https://x.org/v.mp4"}, "video_url"),
        ({"prompt": "fox", "loop": "sometimes"}, "loop"),
    ],
)
def test_it_refuses_bad_input_with_a_field_error_and_changes_nothing(api, data, field):
    response = api.post(URL, data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body
    assert body["detail"]
    assert not Video.objects.exists()
    assert not QuotaEvent.objects.exists()


def test_it_accepts_the_longest_allowed_prompt(api):
    assert api.post(URL, {"prompt": "x" * 2000}, format="json").status_code == 202


def test_it_refuses_a_body_that_is_not_json(api):
    response = api.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_it_refuses_when_the_allowance_is_used_up(api, owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 2
    settings.QUOTA_MAX_IN_FLIGHT = 10
    for _ in range(2):
        assert api.post(URL, {"prompt": "fox"}, format="json").status_code == 202

    response = api.post(URL, {"prompt": "fox"}, format="json")

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "quota_exceeded"
    assert "resets" in body["detail"] and body["resets_at"]
    assert Video.objects.count() == 2


def test_jobs_beyond_the_cap_wait_in_line_and_a_full_line_is_refused(api, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 2
    bodies = [api.post(URL, {"prompt": f"fox {n}"}, format="json") for n in range(3)]
    assert [b.status_code for b in bodies] == [202, 202, 202]
    # Nothing has been sent yet (no worker here): all three wait, in the order they came.
    assert [b.json()["position"] for b in bodies] == [1, 2, 3]

    response = api.post(URL, {"prompt": "fox"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_in_flight"
    assert "line is full" in response.json()["detail"]
    assert Video.objects.count() == 3


def test_a_per_user_allowance_overrides_the_site_default(api, owner):
    owner.allowance.videos_per_period = 1
    owner.allowance.save()
    assert api.post(URL, {"prompt": "fox"}, format="json").status_code == 202

    assert api.post(URL, {"prompt": "fox"}, format="json").json()["code"] == "quota_exceeded"


def test_it_asks_an_anonymous_caller_to_authenticate(db):
    from rest_framework.test import APIClient

    response = APIClient().post(URL, {"prompt": "fox"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not Video.objects.exists()
