"""Favourites through the API: the field, the verbs and the filter."""

from tests.factories import make_video


def test_post_stars_and_delete_unstars(api, owner):
    video = make_video(owner)

    assert api.post(f"/api/v1/videos/{video.pk}/favourite/").json()["favourite"] is True
    assert api.get(f"/api/v1/videos/{video.pk}/").json()["favourite"] is True
    assert api.delete(f"/api/v1/videos/{video.pk}/favourite/").json()["favourite"] is False
    video.refresh_from_db()
    assert video.favourite is False


def test_the_list_filters_by_favourite(api, owner):
    starred = make_video(owner, favourite=True)
    make_video(owner)

    body = api.get("/api/v1/videos/", {"favourite": "true"}).json()

    assert [v["id"] for v in body["results"]] == [str(starred.pk)]
    assert api.get("/api/v1/videos/", {"favourite": "false"}).json()["count"] == 1


def test_a_bad_favourite_filter_is_refused(api):
    response = api.get("/api/v1/videos/", {"favourite": "maybe\x00"})

    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_another_users_video_cannot_be_starred(other_api, owner):
    video = make_video(owner)

    assert other_api.post(f"/api/v1/videos/{video.pk}/favourite/").status_code == 404
