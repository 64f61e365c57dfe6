"""A team's managers and staff see the team's videos read-only; everyone else gets 404."""

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from accounts.models import Membership, Team
from tests.conftest import logged_in, make_user
from tests.factories import make_video
from videos.models import MediaState, Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(owner):
    team = Team.objects.create(name="Studio A")
    Membership.objects.create(team=team, user=owner, is_default=True)
    return team


@pytest.fixture
def manager(team):
    user = make_user("maya")
    Membership.objects.create(team=team, user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def their_video(owner, team):
    return make_video(owner, team=team)


def test_a_manager_sees_a_members_video_read_only(manager, their_video):
    page = logged_in(manager).get(f"/videos/{their_video.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="read-only"' in html and "Made by olivia" in html
    assert "Studio A" in html
    assert f"/videos/{their_video.pk}/delete/" not in html
    assert f"/videos/{their_video.pk}/extend/" not in html


@pytest.mark.parametrize("verb", ["delete", "extend", "refresh"])
def test_a_manager_cannot_change_a_members_video(manager, their_video, verb):
    response = logged_in(manager).post(f"/videos/{their_video.pk}/{verb}/", {"prompt": "More"})

    assert response.status_code == 403
    assert Video.objects.filter(pk=their_video.pk).exists()
    assert Video.objects.count() == 1


def test_a_manager_reads_a_members_video_through_the_api_but_cannot_delete_it(manager, their_video):
    api = APIClient()
    api.force_authenticate(manager)

    assert api.get(f"/api/v1/videos/{their_video.pk}/").status_code == 200
    assert api.delete(f"/api/v1/videos/{their_video.pk}/").status_code == 404
    assert api.post(f"/api/v1/videos/{their_video.pk}/extend/", {}).status_code == 404
    assert Video.objects.filter(pk=their_video.pk).exists()


def test_the_owner_still_has_every_action(browser, their_video):
    html = browser.get(f"/videos/{their_video.pk}/").content.decode()

    assert f"/videos/{their_video.pk}/delete/" in html and 'data-testid="read-only"' not in html


def test_a_plain_member_of_the_team_gets_404(team, their_video):
    peer = make_user("pat")
    Membership.objects.create(team=team, user=peer)
    client = logged_in(peer)

    assert client.get(f"/videos/{their_video.pk}/").status_code == 404
    assert client.post(f"/videos/{their_video.pk}/delete/").status_code == 404


def test_a_manager_of_another_team_gets_404(their_video):
    elsewhere = Team.objects.create(name="Studio B")
    boss = make_user("bea")
    Membership.objects.create(team=elsewhere, user=boss, role=Membership.Role.MANAGER)

    assert logged_in(boss).get(f"/videos/{their_video.pk}/").status_code == 404


def test_a_manager_does_not_see_the_members_videos_for_no_team(owner, manager):
    private = make_video(owner)

    assert logged_in(manager).get(f"/videos/{private.pk}/").status_code == 404


def test_staff_see_any_video_read_only(staff, their_video):
    html = logged_in(staff).get(f"/videos/{their_video.pk}/").content.decode()

    assert 'data-testid="read-only"' in html


def test_a_manager_can_play_the_stored_copy(manager, their_video):
    their_video.video_file.save("v.mp4", ContentFile(b"\x00" * 64), save=False)
    Video.objects.filter(pk=their_video.pk).update(
        media_state=MediaState.DONE, video_file=their_video.video_file.name
    )

    response = logged_in(manager).get(f"/files/{their_video.pk}/video/")

    assert response.status_code == 200
