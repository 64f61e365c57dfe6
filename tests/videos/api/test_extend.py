import pytest

from tests.factories import make_video
from videos.models import Video

URL = "/api/v1/videos/"


def test_extending_my_video_records_parent_root_and_depth(api, owner):
    root = make_video(owner)
    child = make_video(owner, parent=root)

    response = api.post(
        f"{URL}{child.pk}/extend/",
        {"prompt": "Keep going", "end_image_url": "https://img.example/end.png"},
        format="json",
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["action"] == "extend"
    assert body["parent"] == str(child.pk) and body["root"] == str(root.pk) and body["depth"] == 2
    assert body["source_video_id"] == child.video_id
    assert body["end_image_url"] == "https://img.example/end.png"


def test_an_extension_needs_no_prompt(api, owner):
    parent = make_video(owner)

    assert api.post(f"{URL}{parent.pk}/extend/", {}, format="json").status_code == 202


@pytest.mark.parametrize("state", [Video.State.QUEUED, Video.State.PROCESSING, Video.State.FAILED])
def test_only_a_completed_video_can_be_extended(api, owner, state):
    parent = make_video(owner, state=state)

    response = api.post(f"{URL}{parent.pk}/extend/", {"prompt": "more"}, format="json")

    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    assert Video.objects.count() == 1


def test_extending_by_my_upstream_video_id_links_the_parent(api, owner):
    parent = make_video(owner)

    body = api.post(URL, {"action": "extend", "video_id": parent.video_id}, format="json").json()

    assert body["parent"] == str(parent.pk) and body["depth"] == 1


def test_extending_by_my_video_url_links_the_parent(api, owner):
    parent = make_video(owner)

    body = api.post(URL, {"action": "extend", "video_url": parent.video_url}, format="json").json()

    assert body["parent"] == str(parent.pk)
    assert body["source_video_id"] == parent.video_id


def test_a_video_made_elsewhere_is_extended_without_a_parent(api):
    body = api.post(
        URL, {"action": "extend", "video_id": "0105c090-03a5-425a-8026-523341cd575b"}, format="json"
    ).json()

    assert body["parent"] is None and body["root"] == body["id"] and body["depth"] == 0
    assert body["source_video_id"] == "0105c090-03a5-425a-8026-523341cd575b"


def test_another_users_video_cannot_be_extended_by_our_id(other_api, owner):
    video = make_video(owner)

    by_id = other_api.post(f"{URL}{video.pk}/extend/", {}, format="json")
    by_parent = other_api.post(URL, {"action": "extend", "parent": str(video.pk)}, format="json")

    assert by_id.status_code == by_parent.status_code == 404
    assert by_parent.json()["code"] == "not_found"
    assert Video.objects.count() == 1


def test_another_users_upstream_video_id_reads_like_an_unknown_one(other_api, owner):
    video = make_video(owner)

    theirs = other_api.post(URL, {"action": "extend", "video_id": video.video_id}, format="json")
    unknown = other_api.post(URL, {"action": "extend", "video_id": "nobodys"}, format="json")

    assert theirs.status_code == unknown.status_code == 202
    assert set(theirs.json()) == set(unknown.json())
    assert theirs.json()["parent"] is None and theirs.json()["depth"] == 0
    assert not video.children.exists()


def test_another_users_video_url_is_extended_without_linking_a_parent(other_api, owner):
    video = make_video(owner)

    body = other_api.post(
        URL, {"action": "extend", "video_url": video.video_url}, format="json"
    ).json()

    assert body["parent"] is None
    assert body["source_video_url"] == video.video_url
    assert Video.objects.get(pk=body["id"]).owner.username == "oscar"


def test_an_extension_keeps_its_parents_aspect_ratio(api, owner):
    parent = make_video(owner, aspect_ratio="1:1")

    body = api.post(f"{URL}{parent.pk}/extend/", {}, format="json").json()

    assert body["aspect_ratio"] == "1:1"


def test_both_extend_endpoints_refuse_a_first_frame_the_same_way(api, owner):
    parent = make_video(owner)
    frame = {"start_image_url": "https://img.example/start.png"}

    by_action = api.post(
        URL, {"action": "extend", "parent": str(parent.pk), **frame}, format="json"
    )
    by_verb = api.post(f"{URL}{parent.pk}/extend/", frame, format="json")

    assert by_action.status_code == by_verb.status_code == 400
    assert by_verb.json()["code"] == by_action.json()["code"] == "invalid"
    assert by_verb.json()["fields"] == by_action.json()["fields"]
    assert "start_image_url" in by_verb.json()["fields"]
    assert Video.objects.filter(parent=parent).count() == 0
