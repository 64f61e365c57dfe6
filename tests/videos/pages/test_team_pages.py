"""The teams page, and the page where a team's managers look after their team."""

import pytest
from django.core import mail

from accounts import invitations
from accounts.models import Invitation, Membership, Team
from tests.conftest import logged_in, make_user
from tests.factories import make_video
from videos.models import QuotaEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(owner):
    team = Team.objects.create(name="Studio A", videos_per_period=10)
    Membership.objects.create(team=team, user=owner, is_default=True)
    return team


@pytest.fixture
def manager(team):
    user = make_user("maya")
    Membership.objects.create(team=team, user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def managing(manager):
    return logged_in(manager)


def test_the_teams_page_lists_my_teams_with_their_budgets(browser, owner, team):
    make_video(owner, team=team)
    make_video(owner, team=team)

    page = browser.get("/teams/").content.decode()

    assert "Studio A" in page and "2 of 10 used" in page
    assert f"/teams/{team.uuid}/" not in page  # a plain member does not manage it


def test_someone_in_no_team_is_told_so(other_browser):
    assert 'data-testid="no-teams"' in other_browser.get("/teams/").content.decode()


def test_a_member_makes_another_team_their_default(browser, owner, team):
    side = Team.objects.create(name="Side")
    Membership.objects.create(team=side, user=owner)

    browser.post(f"/teams/{side.uuid}/default/")

    assert Membership.objects.get(user=owner, is_default=True).team == side


def test_making_a_team_you_are_not_in_your_default_is_a_404(browser, owner, other):
    theirs = Team.objects.create(name="Theirs")
    Membership.objects.create(team=theirs, user=other)

    assert browser.post(f"/teams/{theirs.uuid}/default/").status_code == 404
    assert not Membership.objects.filter(user=owner, team=theirs).exists()


def test_a_manager_sees_members_usage_and_the_teams_videos(managing, owner, team):
    make_video(owner, team=team, prompt="A team fox")
    make_video(owner, prompt="A private fox")

    page = managing.get(f"/teams/{team.uuid}/").content.decode()

    assert "1 of 10 used" in page
    assert 'data-testid="used-olivia">1<' in page
    assert "A team fox" in page and "A private fox" not in page


def test_the_team_page_costs_the_same_queries_however_many_members_and_videos(
    managing, owner, team, django_assert_max_num_queries
):
    for n in range(15):
        member = make_user(f"m{n}")
        Membership.objects.create(team=team, user=member)
        make_video(member, team=team)

    with django_assert_max_num_queries(14):
        assert managing.get(f"/teams/{team.uuid}/").status_code == 200


@pytest.mark.parametrize("who", ["member", "stranger", "other manager"])
def test_only_the_teams_managers_and_staff_reach_its_page(browser, other, team, who):
    if who == "member":
        client = browser
    elif who == "stranger":
        client = logged_in(other)
    else:
        elsewhere = Team.objects.create(name="Studio B")
        Membership.objects.create(team=elsewhere, user=other, role=Membership.Role.MANAGER)
        client = logged_in(other)

    for url in (f"/teams/{team.uuid}/",):
        assert client.get(url).status_code == 404
    assert client.post(f"/teams/{team.uuid}/invite/", {"email": "x@example.com"}).status_code == 404
    assert (
        client.post(f"/teams/{team.uuid}/share/", {"member": "olivia", "share": "1"}).status_code
        == 404
    )
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user__username="olivia").videos_per_period is None


def test_staff_reach_any_teams_page(staff, team):
    assert logged_in(staff).get(f"/teams/{team.uuid}/").status_code == 200


def test_a_manager_sets_a_members_share_within_the_team_budget(managing, owner, team):
    response = managing.post(f"/teams/{team.uuid}/share/", {"member": "olivia", "share": "4"})

    assert response.status_code == 302
    assert Membership.objects.get(user=owner).videos_per_period == 4


@pytest.mark.parametrize(
    ("share", "message"),
    [("11", "at most the team&#x27;s budget of 10"), ("-1", "greater than or equal to 0")],
)
def test_a_share_beyond_the_budget_is_refused_on_the_page(managing, owner, team, share, message):
    response = managing.post(f"/teams/{team.uuid}/share/", {"member": "olivia", "share": share})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Membership.objects.get(user=owner).videos_per_period is None


@pytest.mark.parametrize("member", ["oscar", "nobody", "ol\x00ivia", "x" * 500])
def test_a_share_for_someone_outside_the_team_changes_nothing(managing, other, team, member):
    response = managing.post(f"/teams/{team.uuid}/share/", {"member": member, "share": "2"})

    assert response.status_code == 302
    assert not Membership.objects.filter(videos_per_period=2).exists()


def test_a_blank_share_removes_it(managing, owner, team):
    Membership.objects.filter(user=owner).update(videos_per_period=3)

    managing.post(f"/teams/{team.uuid}/share/", {"member": "olivia", "share": ""})

    assert Membership.objects.get(user=owner).videos_per_period is None


def test_a_manager_invites_a_newcomer_into_the_team(managing, manager, team):
    response = managing.post(f"/teams/{team.uuid}/invite/", {"email": "New@Example.com"})

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.team, invitation.invited_by) == (
        "new@example.com",
        team,
        manager,
    )
    assert mail.outbox[-1].to == ["new@example.com"]
    assert "team Studio A" in mail.outbox[-1].body
    assert "new@example.com is invited" in managing.get(f"/teams/{team.uuid}/").content.decode()


def test_inviting_someone_with_an_account_adds_them_at_once_and_tells_them(managing, other, team):
    response = managing.post(f"/teams/{team.uuid}/invite/", {"email": "oscar@example.com"})

    assert response.status_code == 302
    membership = Membership.objects.get(user=other, team=team)
    assert membership.role == "member" and membership.is_default
    assert not Invitation.objects.exists()
    assert mail.outbox[-1].to == ["oscar@example.com"]
    assert "added you to team Studio A" in mail.outbox[-1].body


@pytest.mark.parametrize("email", ["", "not an address", "a\x00b@example.com", "x" * 300])
def test_a_bad_address_is_refused_on_the_page(managing, team, email):
    response = managing.post(f"/teams/{team.uuid}/invite/", {"email": email})

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Invitation.objects.exists()


def test_signing_up_with_a_team_invitation_makes_a_member(client, manager, team, settings):
    settings.SIGNUP_POLICY = "invite"
    issued = invitations.issue("newbie@example.com", by=manager, team=team, send=False)
    client.get(issued.link.replace("http://testserver", ""))
    client.post(
        "/accounts/signup/",
        {
            "email": "newbie@example.com",
            "username": "newbie",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )

    membership = Membership.objects.get(user__username="newbie")
    assert membership.team == team and membership.is_default


def test_the_teams_page_counts_an_approved_grant_in_my_share(browser, owner, team):
    Membership.objects.filter(user=owner).update(videos_per_period=2)
    video = make_video(owner, team=team)
    QuotaEvent.objects.create(
        user=owner,
        team=team,
        kind="grant",
        budget="member",
        amount=3,
        period_start=QuotaEvent.objects.get(video=video).period_start,
    )

    page = browser.get("/teams/").content.decode()

    assert "1 of 5 used" in page and "1 of 10 used" in page
