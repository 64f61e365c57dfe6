"""A second user never sees the first user's videos in lists, searches or quota.

Every route that names a video is covered by tests/reliability/test_isolation_matrix.py.
"""

from tests.factories import make_video


def test_another_users_videos_never_appear_in_my_list_or_search(other_api, owner):
    make_video(owner, prompt="secret fox")

    assert other_api.get("/api/v1/videos/").json()["count"] == 0
    assert other_api.get("/api/v1/videos/", {"search": "fox"}).json()["count"] == 0


def test_another_users_quota_is_not_mine(other_api, owner):
    make_video(owner)

    assert other_api.get("/api/v1/quota/").json()["used"] == 0
