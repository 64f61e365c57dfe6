"""Asking for more: the request, who answers it, the grant in the ledger, and the emails."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, MoreRequest, Team
from tests.conftest import logged_in, make_user
from tests.factories import make_video, use_up_quota
from videos import budgets, services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(owner):
    team = Team.objects.create(name="Studio A", videos_per_period=10)
    Membership.objects.create(team=team, user=owner, is_default=True, videos_per_period=1)
    return team


@pytest.fixture
def manager(team):
    user = make_user("maya")
    Membership.objects.create(team=team, user=user, role=Membership.Role.MANAGER)
    return user


_post = Client.post


@pytest.fixture(autouse=True)
def _commit_each_request(django_capture_on_commit_callbacks, monkeypatch):
    """Run what waits for the commit (the emails) as each request ends, as it does outside
    a test's transaction."""

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return _post(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


def _ask(client, amount="3", reason="The school play", **extra):
    return client.post("/videos/ask/", {"amount": amount, "reason": reason, **extra})


def test_a_used_up_share_offers_ask_for_more_on_the_form(browser, owner, team, manager):
    make_video(owner, team=team)

    page = browser.post("/videos/new/", {"prompt": "A fox"}).content.decode()

    assert 'data-testid="ask-more"' in page and "/videos/ask/" in page


def test_asking_for_more_of_a_share_goes_to_the_teams_managers(browser, owner, team, manager):
    make_video(owner, team=team)
    page = browser.get("/videos/ask/").content.decode()
    assert "Used up: Share of the team (1 of 1)" in page

    response = _ask(browser)

    assert response.status_code == 302
    asked = MoreRequest.objects.get()
    assert (asked.user, asked.team, asked.budget, asked.amount, asked.state) == (
        owner,
        team,
        "member",
        3,
        "pending",
    )
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    assert "olivia asks for 3 more videos" in mail.outbox[0].subject
    assert (
        f"/teams/{team.uuid}/" in mail.outbox[0].body and "The school play" in mail.outbox[0].body
    )


def test_a_manager_approves_in_one_click_and_the_member_can_make_more_at_once(
    browser, owner, team, manager
):
    make_video(owner, team=team)
    _ask(browser)
    asked = MoreRequest.objects.get()
    managing = logged_in(manager)
    assert "The school play" in managing.get(f"/teams/{team.uuid}/").content.decode()
    mail.outbox.clear()

    response = managing.post(f"/requests/{asked.uuid}/approve/")

    assert response.status_code == 302
    grant = QuotaEvent.objects.get(kind="grant")
    assert (grant.user, grant.team, grant.budget, grant.amount) == (owner, team, "member", 3)
    assert mail.outbox[0].to == ["olivia@example.com"]
    assert "approved" in mail.outbox[0].subject and "3 more videos" in mail.outbox[0].body
    assert browser.post("/videos/new/", {"prompt": "A fox"}).status_code == 302
    # The share grew; the team's budget and its meter did not move.
    assert budgets.team_meter(team).limit == 10 and budgets.team_meter(team).used == 2
    assert budgets.member_usage(team)[owner.pk].limit == 4


def test_a_decline_grants_nothing_and_tells_the_member(browser, owner, team, manager):
    make_video(owner, team=team)
    _ask(browser)
    asked = MoreRequest.objects.get()
    mail.outbox.clear()

    logged_in(manager).post(f"/requests/{asked.uuid}/decline/")

    asked.refresh_from_db()
    assert asked.state == "declined" and asked.decided_by == manager
    assert not QuotaEvent.objects.filter(kind="grant").exists()
    assert "declined" in mail.outbox[0].subject
    assert browser.post("/videos/new/", {"prompt": "A fox"}).status_code == 200


def test_a_request_is_answered_once(browser, owner, team, manager, staff):
    make_video(owner, team=team)
    _ask(browser)
    asked = MoreRequest.objects.get()

    logged_in(manager).post(f"/requests/{asked.uuid}/approve/")
    logged_in(staff).post(f"/requests/{asked.uuid}/approve/")
    logged_in(manager).post(f"/requests/{asked.uuid}/decline/")

    assert QuotaEvent.objects.filter(kind="grant").count() == 1
    asked.refresh_from_db()
    assert asked.state == "approved"


@pytest.mark.parametrize("who", ["the asker", "a plain member", "another team's manager"])
def test_only_the_teams_managers_and_staff_answer(browser, owner, other, team, manager, who):
    make_video(owner, team=team)
    _ask(browser)
    asked = MoreRequest.objects.get()
    if who == "the asker":
        client = browser
    elif who == "a plain member":
        Membership.objects.create(team=team, user=other)
        client = logged_in(other)
    else:
        elsewhere = Team.objects.create(name="Studio B")
        Membership.objects.create(team=elsewhere, user=other, role=Membership.Role.MANAGER)
        client = logged_in(other)

    assert client.post(f"/requests/{asked.uuid}/approve/").status_code == 404
    asked.refresh_from_db()
    assert asked.state == "pending"


def test_a_used_up_allowance_asks_staff_who_answer_in_the_admin(browser, owner, staff):
    use_up_quota(owner)
    page = browser.get("/videos/new/").content.decode()
    assert "/videos/ask/" in page  # the quota gate offers it

    _ask(browser, amount="2")

    asked = MoreRequest.objects.get()
    assert (asked.budget, asked.team) == ("user", None)
    assert mail.outbox[-1].to == ["ada@example.com"]
    mail.outbox.clear()
    admin = logged_in(staff)
    admin.post(
        reverse("admin:accounts_morerequest_changelist"),
        {"action": "approve", "_selected_action": [asked.pk]},
    )
    assert quota_status(owner).limit == 12 and quota_status(owner).remaining == 2
    assert mail.outbox[0].to == ["olivia@example.com"]
    assert browser.post("/videos/new/", {"prompt": "A fox"}).status_code == 302


def test_a_team_budget_grant_raises_the_team_for_everyone(owner, other, staff):
    team = Team.objects.create(name="Studio B", videos_per_period=1)
    for user in (owner, other):
        Membership.objects.create(team=team, user=user, is_default=True)
    make_video(other, team=team)
    client = logged_in(owner)

    _ask(client)
    asked = MoreRequest.objects.get()
    assert asked.budget == "team"
    logged_in(staff).post(f"/requests/{asked.uuid}/approve/")

    assert budgets.team_meter(team).limit == 4
    assert services.submit(other, {"prompt": "A fox"}).team == team


def test_a_site_cap_grant(owner, staff, settings):
    settings.SITE_VIDEOS_PER_PERIOD = 1
    make_video(staff)

    _ask(logged_in(owner), amount="1")
    asked = MoreRequest.objects.get()
    assert asked.budget == "site"
    logged_in(staff).post(f"/requests/{asked.uuid}/approve/")

    assert budgets.site_meter().limit == 2
    assert services.submit(owner, {"prompt": "A fox"})
    assert Video.objects.count() == 2


def test_there_is_nothing_to_ask_for_with_room_left(browser):
    page = browser.get("/videos/ask/").content.decode()
    assert 'data-testid="room-left"' in page

    response = _ask(browser)

    assert response.status_code == 400
    assert not MoreRequest.objects.exists()


def test_asking_twice_for_the_same_budget_waits_for_the_first_answer(browser, owner, team, manager):
    make_video(owner, team=team)
    _ask(browser)

    response = _ask(browser)

    assert response.status_code == 400
    assert "already asked" in response.content.decode()
    assert MoreRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("0", "x"), ("1001", "x"), ("abc", "x"), ("2", ""), ("2", "a\x00b"), ("2", "x" * 501)],
)
def test_a_bad_request_is_refused_on_the_page(browser, owner, team, manager, amount, reason):
    make_video(owner, team=team)

    response = _ask(browser, amount=amount, reason=reason)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not MoreRequest.objects.exists()


def test_ledger_lines_of_grants_do_not_count_as_usage(owner, team, manager):
    make_video(owner, team=team)
    QuotaEvent.objects.create(
        user=owner, team=team, kind="grant", budget="member", amount=5,
        period_start=QuotaEvent.objects.get().period_start,
    )  # fmt: skip

    assert quota_status(owner).used == 1
    assert budgets.team_meter(team).used == budgets.site_meter().used == 1
