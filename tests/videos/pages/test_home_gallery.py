"""The home page: a gallery of shared videos staff featured, and how to join."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import logged_in
from tests.videos.stored import make_stored_video
from videos import sharing
from videos.models import ShareLink


def test_without_featured_videos_the_home_page_is_the_bare_hero(db):
    page = Client().get("/").content.decode()

    assert 'data-testid="gallery"' not in page


def test_featured_live_links_show_in_the_gallery_and_nothing_else(owner, django_assert_num_queries):
    shown = sharing.share(make_stored_video(owner, prompt="Waves at dusk"), show_prompt=True)
    hidden_prompt = sharing.share(make_stored_video(owner, prompt="Private words"))
    not_featured = sharing.share(make_stored_video(owner, prompt="Not chosen"), show_prompt=True)
    expired = sharing.share(make_stored_video(owner), expires_at=timezone.now() + timedelta(days=1))
    sharing.feature([shown.pk, hidden_prompt.pk, expired.pk], True)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with django_assert_num_queries(1):
        page = Client().get("/").content.decode()

    assert 'data-testid="gallery"' in page
    assert f"/s/{shown.token}/" in page and "Waves at dusk" in page
    assert f"/s/{hidden_prompt.token}/" in page and "Private words" not in page
    assert f"/s/{not_featured.token}/" not in page
    assert f"/s/{expired.token}/" not in page
    assert owner.username not in page and "/files/" not in page


def test_a_revoked_link_leaves_the_gallery_for_good(owner):
    video = make_stored_video(owner)
    link = sharing.share(video)
    sharing.feature([link.pk], True)

    sharing.revoke(video)
    sharing.share(video)

    assert 'data-testid="gallery"' not in Client().get("/").content.decode()


@pytest.mark.parametrize(
    "policy, words",
    [
        ("open", "Anyone may create an account"),
        ("invite", "Accounts here are by invitation"),
        ("closed", "Accounts here are made by the people who run this site"),
    ],
)
def test_the_home_page_says_how_to_join_under_the_policy(db, settings, policy, words):
    settings.SIGNUP_POLICY = policy

    assert words in Client().get("/").content.decode()


def test_staff_feature_and_unfeature_links_in_the_admin(staff, owner):
    link = sharing.share(make_stored_video(owner))
    admin = logged_in(staff)

    admin.post(
        "/admin/videos/sharelink/",
        {"action": "feature", "_selected_action": [link.pk]},
    )
    link.refresh_from_db()
    assert link.featured is True

    admin.post("/admin/videos/sharelink/", {"action": "unfeature", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.featured is False
    assert admin.get("/admin/videos/sharelink/").status_code == 200
    assert admin.get(f"/admin/videos/sharelink/{link.pk}/change/").status_code == 200


def test_a_revoked_link_cannot_be_featured(staff, owner):
    video = make_stored_video(owner)
    link = sharing.share(video)
    sharing.revoke(video)

    assert sharing.feature([link.pk], True) == 0
