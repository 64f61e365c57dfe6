"""Teams, members and budgets in the admin, with this period's usage in the lists."""

import pytest
from django.urls import reverse

from accounts.models import Membership, SiteBudget, Team
from tests.conftest import make_user
from tests.factories import make_video
from videos import budgets
from videos.models import QuotaEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_the_user_list_shows_used_of_allowance_this_period(admin_client, owner, other):
    for _ in range(3):
        make_video(owner)
    owner.allowance.videos_per_period = 3
    owner.allowance.save()

    page = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()

    assert "3 of 3 used" in page and "0 of 10 used" in page


def test_the_user_list_costs_the_same_queries_however_many_users(
    admin_client, django_assert_max_num_queries
):
    for n in range(30):
        make_video(make_user(f"user{n}"))

    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_the_team_list_shows_members_and_usage(admin_client, owner, other):
    team = Team.objects.create(name="Studio A", videos_per_period=20)
    Team.objects.create(name="Studio B")
    for user in (owner, other):
        Membership.objects.create(team=team, user=user)
    for _ in range(4):
        make_video(owner, team=team)

    page = admin_client.get(reverse("admin:accounts_team_changelist")).content.decode()

    assert "4 of 20 used" in page and "0 used (no limit)" in page


def test_the_team_list_costs_the_same_queries_however_many_teams(
    admin_client, owner, django_assert_max_num_queries
):
    for n in range(20):
        team = Team.objects.create(name=f"Team {n}")
        Membership.objects.create(team=team, user=make_user(f"u{n}"))
        make_video(owner, team=team)

    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("admin:accounts_team_changelist")).status_code == 200


def test_staff_add_a_team_with_members_and_a_manager(admin_client, owner, other):
    response = admin_client.post(
        reverse("admin:accounts_team_add"),
        {
            "name": "Studio A",
            "videos_per_period": "10",
            "max_in_flight": "",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": owner.pk,
            "memberships-0-role": "member",
            "memberships-0-is_default": "on",
            "memberships-1-user": other.pk,
            "memberships-1-role": "manager",
            "memberships-1-videos_per_period": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    team = Team.objects.get()
    assert team.videos_per_period == 10
    assert set(team.memberships.values_list("user__username", "role")) == {
        ("olivia", "member"),
        ("oscar", "manager"),
    }


def test_staff_set_the_site_cap_at_run_time(admin_client, settings):
    settings.SITE_VIDEOS_PER_PERIOD = 100

    response = admin_client.get(reverse("admin:accounts_sitebudget_changelist"))
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "100" in page

    admin_client.post(response["Location"], {"videos_per_period": "7"})  # follows_setting off

    assert SiteBudget.objects.get().limit == 7
    assert budgets.site_meter().limit == 7


def test_the_ledger_shows_which_budgets_each_line_touched(admin_client, owner):
    team = Team.objects.create(name="Studio A")
    make_video(owner, team=team)
    make_video(owner)

    page = admin_client.get(reverse("admin:videos_quotaevent_changelist")).content.decode()

    assert (
        "allowance of olivia; team Studio A and the member&#x27;s share; the site&#x27;s cap"
        in page
    )
    assert "allowance of olivia; the site&#x27;s cap" in page


def test_the_lists_count_grants_in_the_allowance(admin_client, owner):
    team = Team.objects.create(name="Studio A", videos_per_period=4)
    Membership.objects.create(team=team, user=owner)
    video = make_video(owner, team=team)
    for budget, line_team in (("user", None), ("team", team)):
        QuotaEvent.objects.create(
            user=owner,
            team=line_team,
            kind="grant",
            budget=budget,
            amount=3,
            period_start=QuotaEvent.objects.get(video=video).period_start,
        )

    users = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    teams = admin_client.get(reverse("admin:accounts_team_changelist")).content.decode()

    assert "1 of 13 used" in users and "1 of 7 used" in teams
