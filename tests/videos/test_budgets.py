"""A job counts against the user's allowance, their team's budget and the site cap, at once."""

import uuid

import pytest

from accounts.models import Membership, SiteBudget, Team
from tests.factories import make_token, make_video
from videos import budgets, services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status

pytestmark = pytest.mark.django_db


def _team(name="Studio A", *people, role=Membership.Role.MEMBER, **budget):
    team = Team.objects.create(name=name, **budget)
    for user in people:
        first = not Membership.objects.filter(user=user).exists()
        Membership.objects.create(team=team, user=user, role=role, is_default=first)
    return team


def test_a_job_is_made_for_the_users_default_team_and_charged_to_it(owner):
    _team("Other", owner)
    team = _team("Main", owner)
    Membership.objects.filter(user=owner).update(is_default=False)
    Membership.objects.filter(user=owner, team=team).update(is_default=True)

    video = services.submit(owner, {"prompt": "A fox"})

    assert video.team == team
    charge = QuotaEvent.objects.get(video=video)
    assert (charge.user, charge.team, charge.amount) == (owner, team, 1)
    assert budgets.team_meter(team).used == 1


def test_without_a_default_the_first_team_joined_is_used(owner):
    first = _team("First", owner)
    _team("Second", owner)
    Membership.objects.filter(user=owner).update(is_default=False)

    assert services.submit(owner, {"prompt": "A fox"}).team == first


def test_someone_in_no_team_makes_jobs_for_no_team(owner):
    video = services.submit(owner, {"prompt": "A fox"})

    assert video.team is None
    assert QuotaEvent.objects.get(video=video).team is None


def test_the_api_makes_a_job_for_the_team_named(api, owner):
    _team("Main", owner)
    other_team = _team("Side", owner)

    response = api.post("/api/v1/videos/", {"prompt": "A fox", "team": str(other_team.uuid)})

    assert response.status_code == 202
    assert response.json()["team"] == str(other_team.uuid)
    assert Video.objects.get().team == other_team


@pytest.mark.parametrize("team", ["not-a-team", str(uuid.uuid4())])
def test_the_api_refuses_a_team_that_is_not_yours_and_changes_nothing(api, owner, other, team):
    theirs = _team("Theirs", other)
    for ref in (team, str(theirs.uuid)):
        response = api.post("/api/v1/videos/", {"prompt": "A fox", "team": ref}, format="json")

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid" and "team" in body["detail"]
    assert not Video.objects.exists() and not QuotaEvent.objects.exists()


def test_a_used_up_team_budget_refuses_with_the_team_named_and_when_it_resets(api, owner, other):
    team = _team("Studio A", owner, other, videos_per_period=2)
    make_video(other, team=team)
    make_video(owner, team=team)

    response = api.post("/api/v1/videos/", {"prompt": "A fox"})

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "quota_exceeded" and body["budget"] == "team"
    assert "Team Studio A has used all 2 videos" in body["detail"]
    assert "resets at" in body["detail"] and body["resets_at"]
    assert "staff" in body["detail"]
    assert Video.objects.count() == 2


def test_a_members_share_of_the_team_budget_is_enforced_and_names_the_managers(api, owner, other):
    team = _team("Studio A", owner, videos_per_period=10)
    Membership.objects.filter(user=owner).update(videos_per_period=1)
    Membership.objects.create(team=team, user=other, role=Membership.Role.MANAGER, is_default=True)
    make_video(owner, team=team)

    response = api.post("/api/v1/videos/", {"prompt": "A fox"})

    body = response.json()
    assert response.status_code == 429 and body["budget"] == "user"
    assert "your share of team Studio A" in body["detail"]
    assert "ask the team's managers: oscar" in body["detail"]


def test_the_users_own_allowance_still_applies_inside_a_team(api, owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 1
    team = _team("Studio A", owner, videos_per_period=10)
    make_video(owner, team=team)

    body = api.post("/api/v1/videos/", {"prompt": "A fox"}).json()

    assert body["code"] == "quota_exceeded" and body["budget"] == "user"
    assert "ask the site's staff" in body["detail"]


def test_the_site_cap_from_the_setting_refuses_everyone(api, owner, other, settings):
    settings.SITE_VIDEOS_PER_PERIOD = 2
    make_video(other)
    make_video(other)

    response = api.post("/api/v1/videos/", {"prompt": "A fox"})

    body = response.json()
    assert response.status_code == 429 and body["budget"] == "site"
    assert "The site has made all 2 videos" in body["detail"]
    assert not Video.objects.filter(owner=owner).exists()


def test_staff_change_the_site_cap_at_run_time(api, owner, other, settings):
    settings.SITE_VIDEOS_PER_PERIOD = 1
    make_video(other)
    assert api.post("/api/v1/videos/", {"prompt": "A fox"}).status_code == 429

    SiteBudget.objects.create(pk=SiteBudget.ONLY, follows_setting=False, videos_per_period=2)
    assert api.post("/api/v1/videos/", {"prompt": "A fox"}).status_code == 202
    assert api.post("/api/v1/videos/", {"prompt": "A fox"}).status_code == 429

    SiteBudget.objects.filter(pk=SiteBudget.ONLY).update(videos_per_period=None)  # no cap
    assert api.post("/api/v1/videos/", {"prompt": "A fox"}).status_code == 202


def test_a_team_in_flight_cap_counts_every_members_jobs(api, owner, other):
    team = _team("Studio A", owner, other, max_in_flight=1)
    make_video(other, team=team, state=Video.State.PROCESSING)

    body = api.post("/api/v1/videos/", {"prompt": "A fox"}).json()

    assert body["code"] == "too_many_in_flight" and body["budget"] == "team"
    assert "Team Studio A already has 1 video in progress" in body["detail"]


def test_the_gateway_uses_the_token_owners_default_team_and_keeps_used_up(client, owner):
    team = _team("Studio A", owner, videos_per_period=1)
    key = make_token(owner)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"prompt": "A fox", "async": True}

    first = client.post("/luma/videos", body, content_type="application/json", **auth)
    second = client.post("/luma/videos", body, content_type="application/json", **auth)

    assert first.status_code == 200 and Video.objects.get().team == team
    error = second.json()["error"]
    assert error["code"] == "used_up" and "Team Studio A has used all 1 video" in error["message"]


def test_a_failed_job_gives_back_to_user_team_and_site_once(owner, settings):
    settings.SITE_VIDEOS_PER_PERIOD = 5
    team = _team("Studio A", owner, videos_per_period=5)
    video = services.submit(owner, {"prompt": "A fox"})
    assert (budgets.team_meter(team).used, budgets.site_meter().used) == (1, 1)

    assert services.fail(video, "api_error", {"kind": "upstream"})
    assert not services.fail(video, "api_error", {"kind": "upstream"})

    release = QuotaEvent.objects.get(video=video, kind="release")
    assert (release.user, release.team, release.amount) == (owner, team, -1)
    assert budgets.team_meter(team).used == budgets.site_meter().used == 0
    assert quota_status(owner).used == 0


def test_a_release_goes_to_the_team_charged_even_if_the_job_moved(owner):
    first = _team("First", owner)
    second = _team("Second", owner)
    video = services.submit(owner, {"prompt": "A fox"})
    Video.objects.filter(pk=video.pk).update(team=second)
    video.refresh_from_db()

    services.fail(video, "api_error", {"kind": "upstream"})

    assert budgets.team_meter(first).used == budgets.team_meter(second).used == 0


def test_the_new_video_page_offers_the_users_teams(browser, owner):
    _team("Main", owner)
    side = _team("Side", owner)

    page = browser.get("/videos/new/").content.decode()
    assert "For team" in page and "Main" in page and "Side" in page

    response = browser.post("/videos/new/", {"prompt": "A fox", "team": str(side.uuid)})
    assert response.status_code == 302
    assert Video.objects.get().team == side


def test_the_new_video_page_shows_a_team_refusal_on_the_form(browser, owner, other):
    team = _team("Studio A", owner, videos_per_period=1)
    make_video(owner, team=team)

    page = browser.post("/videos/new/", {"prompt": "A fox"}).content.decode()

    assert "Team Studio A has used all 1 video" in page
    assert Video.objects.count() == 1


def test_a_page_without_teams_shows_no_team_choice(browser):
    assert "For team" not in browser.get("/videos/new/").content.decode()


def test_the_api_lists_my_teams_with_their_budgets(api, owner, other):
    team = _team("Studio A", owner, other, videos_per_period=5)
    _team("Elsewhere", other)
    Membership.objects.filter(user=owner).update(videos_per_period=2)
    make_video(owner, team=team)
    make_video(other, team=team)

    body = api.get("/api/v1/teams/").json()

    assert body == [
        {
            "id": str(team.uuid),
            "name": "Studio A",
            "role": "member",
            "is_default": True,
            "limit": 5,
            "used": 2,
            "share": 2,
            "used_by_you": 1,
            "resets_at": body[0]["resets_at"],
        }
    ]


def test_the_team_choice_says_how_much_each_team_has_left(browser, owner):
    team = _team("Main", owner, videos_per_period=5)
    _team("Open", owner)
    make_video(owner, team=team)

    page = browser.get("/videos/new/").content.decode()

    assert "Main (4 of 5 left)" in page and ">Open</option>" in page
