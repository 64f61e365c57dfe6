"""Share links on the website: the owner opens and closes one; anyone with it sees the video."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_video
from tests.videos.stored import MP4, make_stored_video
from videos import sharing
from videos.models import ShareLink


@pytest.fixture
def stored(owner):
    return make_stored_video(owner, prompt="A secret fox prompt in the snow")


@pytest.fixture
def link(stored):
    return sharing.share(stored, show_prompt=False)


@pytest.fixture
def anonymous():
    return Client()


def share_path(link):
    return f"/s/{link.token}/"


def test_the_owner_creates_a_share_link_from_the_video_page(browser, stored):
    response = browser.post(f"/videos/{stored.pk}/share/", {"expires": "7", "show_prompt": "on"})

    link = ShareLink.objects.get(video=stored)
    assert response.status_code == 302
    assert link.show_prompt is True
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
    page = browser.get(f"/videos/{stored.pk}/").content.decode()
    assert f'value="http://testserver/s/{link.token}/"' in page
    assert "Stop sharing" in page


def test_changing_the_settings_keeps_the_same_address(browser, link, stored):
    browser.post(f"/videos/{stored.pk}/share/", {"expires": "never", "show_prompt": "on"})

    again = ShareLink.objects.get(video=stored, revoked_at__isnull=True)
    assert again.token == link.token and again.show_prompt is True


def test_an_unknown_expiry_choice_changes_nothing(browser, stored):
    response = browser.post(f"/videos/{stored.pk}/share/", {"expires": "\x00forever"}, follow=True)

    assert response.status_code == 200
    assert "Choose how long the link works." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_another_user_cannot_share_or_revoke_my_video(other_browser, stored, link):
    assert (
        other_browser.post(f"/videos/{stored.pk}/share/", {"expires": "never"}).status_code == 404
    )
    assert other_browser.post(f"/videos/{stored.pk}/share/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_video_without_a_stored_copy_cannot_be_shared_and_the_page_says_why(browser, owner):
    video = make_video(owner, media_state="pending")
    page = browser.get(f"/videos/{video.pk}/").content.decode()
    assert 'data-testid="share-later"' in page and 'data-testid="share-form"' not in page

    response = browser.post(f"/videos/{video.pk}/share/", {"expires": "never"}, follow=True)

    assert "once our copy of it is stored" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_an_anonymous_visitor_sees_the_player_and_not_the_prompt(anonymous, link, stored):
    response = anonymous.get(share_path(link))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'src="/s/{link.token}/video/"' in page
    assert f'poster="/s/{link.token}/thumbnail/"' in page
    assert "secret fox" not in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_prompt_is_shown_when_the_owner_chose_so(anonymous, stored):
    link = sharing.share(stored, show_prompt=True)

    page = anonymous.get(share_path(link)).content.decode()

    assert 'data-testid="shared-prompt"' in page and "A secret fox prompt in the snow" in page


def test_the_page_carries_open_graph_and_twitter_tags_with_absolute_addresses(
    anonymous, link, stored, settings
):
    settings.PUBLIC_BASE_URL = "https://studio.example.org"

    page = anonymous.get(share_path(link)).content.decode()

    def meta(name):
        found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
        return found.group(1) if found else None

    base = f"https://studio.example.org/s/{link.token}/"
    assert meta("og:url") == base
    assert meta("og:type") == "video.other"
    assert meta("og:video") == meta("og:video:secure_url") == base + "video/"
    assert meta("og:video:type") == "video/mp4"
    assert (meta("og:video:width"), meta("og:video:height")) == ("1360", "752")
    assert meta("og:image") == base + "thumbnail/"
    assert (meta("og:image:width"), meta("og:image:height")) == ("640", "360")
    assert meta("twitter:card") == "summary_large_image"
    assert meta("twitter:image") == base + "thumbnail/"
    assert meta("og:title") == "A video made with Luma Studio"


def test_the_shared_video_is_served_whole_and_by_range(anonymous, link):
    whole = anonymous.get(f"/s/{link.token}/video/")
    body = b"".join(whole.streaming_content)
    assert whole.status_code == 200 and whole["Content-Type"] == "video/mp4"
    assert hashlib.sha256(body).digest() == hashlib.sha256(MP4).digest()

    part = anonymous.get(f"/s/{link.token}/video/", HTTP_RANGE="bytes=10-109")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == MP4[10:110]
    assert part["Content-Range"] == f"bytes 10-109/{len(MP4)}"
    assert anonymous.get(f"/s/{link.token}/thumbnail/").status_code == 200


def test_a_revoked_link_is_not_found_page_and_files(anonymous, browser, link, stored):
    browser.post(f"/videos/{stored.pk}/share/revoke/")

    for suffix in ("", "video/", "thumbnail/"):
        assert anonymous.get(share_path(link) + suffix).status_code == 404


def test_sharing_again_after_revoking_gives_a_new_address(link, stored):
    sharing.revoke(stored)

    fresh = sharing.share(stored)

    assert fresh.token != link.token
    assert Client().get(share_path(link)).status_code == 404
    assert Client().get(share_path(fresh)).status_code == 200


def test_an_expired_link_is_not_found(anonymous, stored):
    link = sharing.share(stored, expires_at=timezone.now() + timedelta(days=1))
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert anonymous.get(share_path(link)).status_code == 404
    assert anonymous.get(share_path(link) + "video/").status_code == 404


def test_a_deleted_video_takes_its_link_with_it(anonymous, browser, link, stored):
    browser.post(f"/videos/{stored.pk}/delete/")

    assert anonymous.get(share_path(link)).status_code == 404


def test_a_deactivated_owners_links_stop_working(anonymous, owner, link):
    owner.is_active = False
    owner.save()

    assert anonymous.get(share_path(link)).status_code == 404
    assert anonymous.get(share_path(link) + "video/").status_code == 404


@pytest.mark.parametrize("token", ["x" * 16, "not-a-real-token-at-all-0123456789", "%00" * 8])
def test_unknown_or_malformed_tokens_are_not_found(anonymous, token, link):
    assert anonymous.get(f"/s/{token}/").status_code == 404


def test_the_shared_page_leaks_nothing_of_the_owner(anonymous, owner, link, stored):
    other_video = make_stored_video(owner, prompt="Another private video")

    response = anonymous.get(share_path(link))
    page = response.content.decode()

    for secret in (
        owner.username,
        owner.email,
        str(stored.pk),
        str(other_video.pk),
        "Another private video",
        "/files/",
        stored.video_url,
        stored.thumbnail_url,
        "acedata.cloud",
        stored.video_id,
        stored.task_id,
    ):
        assert secret not in page, secret
    # Nor do the files' answers name where they come from.
    media = anonymous.get(share_path(link) + "video/")
    assert "Location" not in media and str(stored.pk) not in str(media.headers)


def test_the_video_page_shows_the_copy_link_only_for_the_share_link(browser, stored, link):
    page = browser.get(f"/videos/{stored.pk}/").content.decode()

    assert stored.video_url not in re.findall(r'data-copy="([^"]*)"', page)
    assert f"/s/{link.token}/" in page
