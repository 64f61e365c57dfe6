from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_video
from videos.models import Video

URL = "/api/v1/videos/"


def test_it_lists_only_my_videos_newest_first(api, owner, other):
    older = make_video(owner, created_at=timezone.now() - timedelta(hours=1))
    newer = make_video(owner)
    make_video(other)

    body = api.get(URL).json()

    assert body["count"] == 2
    assert [v["id"] for v in body["results"]] == [str(newer.pk), str(older.pk)]


def test_it_filters_by_state_and_action_and_searches_prompts(api, owner):
    fox = make_video(owner, prompt="A red fox in the snow")
    whale = make_video(owner, prompt="A blue whale", state=Video.State.FAILED)
    child = make_video(owner, prompt="The fox runs", parent=fox)

    assert [v["id"] for v in api.get(URL, {"state": "failed"}).json()["results"]] == [str(whale.pk)]
    assert {v["id"] for v in api.get(URL, {"action": "extend"}).json()["results"]} == {
        str(child.pk)
    }
    found = {v["id"] for v in api.get(URL, {"search": "FOX"}).json()["results"]}
    assert found == {str(fox.pk), str(child.pk)}
    assert api.get(URL, {"search": "red snow"}).json()["count"] == 1


def test_it_refuses_an_unknown_state_filter(api):
    response = api.get(URL, {"state": "done"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "state" in response.json()["fields"]


def test_it_paginates(api, owner, settings):
    for _ in range(25):
        make_video(owner)

    first = api.get(URL).json()
    second = api.get(URL, {"page": 2}).json()

    assert first["count"] == 25 and len(first["results"]) == 20 and first["next"]
    assert len(second["results"]) == 5


def test_the_list_costs_the_same_queries_however_many_videos(api, owner):
    make_video(owner)
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for _ in range(30):
        make_video(owner, parent=Video.objects.first())

    with CaptureQueriesContext(connection) as many:
        assert api.get(URL).status_code == 200

    assert len(many) == len(few) <= 3


def test_it_shows_one_video_with_every_field(api, owner):
    video = make_video(owner, aspect_ratio="21:9", loop=True, enhancement=False)

    body = api.get(f"{URL}{video.pk}/").json()

    expected = {"id", "state", "action", "prompt", "start_image_url", "end_image_url"}
    expected |= {"aspect_ratio", "loop", "enhancement", "parent", "root", "depth", "task_id"}
    expected |= {"video_id", "video_url", "thumbnail_url", "video_width", "video_height"}
    expected |= {"thumbnail_width", "thumbnail_height", "error", "created_at", "completed_at"}
    assert expected <= set(body)
    assert body["aspect_ratio"] == "21:9" and body["loop"] is True and body["enhancement"] is False
    assert body["video_width"] == 1360 and body["state"] == "completed"
    assert "callback_secret" not in body and "upstream_payload" not in body


def test_a_failed_video_carries_its_error(api, owner):
    video = make_video(
        owner, state=Video.State.FAILED, error_code="forbidden", error_message="Refused."
    )

    body = api.get(f"{URL}{video.pk}/").json()

    assert body["error"] == {"code": "forbidden", "message": "Refused."}


@pytest.mark.parametrize("suffix", ["", "lineage/"])
def test_another_users_video_is_not_found(other_api, owner, suffix):
    video = make_video(owner)

    response = other_api.get(f"{URL}{video.pk}/{suffix}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_malformed_id_is_not_found(api):
    assert api.get(f"{URL}not-a-uuid/").status_code == 404


def test_the_lineage_is_the_whole_tree_from_the_root_with_branches(api, owner):
    root = make_video(owner)
    left = make_video(owner, parent=root)
    right = make_video(owner, parent=root)
    grandchild = make_video(owner, parent=left)

    with CaptureQueriesContext(connection) as queries:
        tree = api.get(f"{URL}{grandchild.pk}/lineage/").json()

    assert tree["count"] == 4
    assert tree["root"]["id"] == str(root.pk)
    children = tree["root"]["children"]
    assert [c["id"] for c in children] == [str(left.pk), str(right.pk)]
    assert children[0]["children"][0]["id"] == str(grandchild.pk)
    assert children[0]["children"][0]["is_current"] is True
    assert tree["root"]["is_current"] is False
    assert len(queries) <= 3


def test_the_quota_endpoint_reports_the_allowance(api, owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 5
    make_video(owner)
    make_video(owner, state=Video.State.PROCESSING)

    body = api.get("/api/v1/quota/").json()

    assert body["limit"] == 5 and body["used"] == 2 and body["remaining"] == 3
    assert body["in_flight"] == 1 and body["waiting"] == 0 and body["max_in_flight"] == 3
    assert body["period"] == "month" and body["resets_at"]


def test_a_token_is_issued_for_a_username_and_password(client, owner):
    response = client.post("/api/v1/auth/token/", {"username": "olivia", "password": "pw-olivia"})
    assert response.status_code == 201
    token = response.json()["token"]

    listed = client.get(URL, HTTP_AUTHORIZATION=f"Token {token}")

    assert listed.status_code == 200


def test_a_wrong_password_gets_no_token(client, owner):
    response = client.post("/api/v1/auth/token/", {"username": "olivia", "password": "nope"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert "token" not in response.json()


def test_a_wrong_token_is_refused(client, owner):
    response = client.get(URL, HTTP_AUTHORIZATION="Token nope")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
