"""A team's manager looks after the team in real Chromium: shares, an invitation, a request."""

import pytest
from playwright.sync_api import expect

from accounts.models import Invitation, Membership, MoreRequest, Team
from tests.browser.conftest import sign_in
from tests.conftest import make_user
from tests.factories import make_video
from videos.models import QuotaEvent
from videos.quota import period_bounds

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_a_manager_sets_a_share_invites_someone_and_approves_a_request(page, live, shoot):
    manager = make_user("maya")
    member = make_user("olivia")
    team = Team.objects.create(name="Class 4B", videos_per_period=10)
    Membership.objects.create(team=team, user=manager, role="manager", is_default=True)
    Membership.objects.create(team=team, user=member, is_default=True, videos_per_period=1)
    make_video(member, team=team, prompt="A fox in the snow", thumbnail_url="")
    MoreRequest.objects.create(
        user=member,
        team=team,
        budget="member",
        amount=2,
        reason="The school play",
        period_start=period_bounds()[0],
    )
    sign_in(page, live, manager)

    page.goto("/teams/")
    page.get_by_role("link", name="Manage Class 4B").click()

    expect(page.get_by_role("heading", name="Class 4B", level=1)).to_be_visible()
    expect(page.get_by_test_id("used-olivia")).to_have_text("1 of 1")
    expect(page.get_by_test_id("team-videos")).to_contain_text("A fox in the snow")
    shoot(page, "team-page")

    page.get_by_label("Share for olivia").fill("3")
    page.get_by_role("button", name="Save olivia").click()
    expect(page.get_by_test_id("used-olivia")).to_have_text("1 of 3")

    page.get_by_label("Email address").fill("newcomer@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_test_id("team-invitations")).to_contain_text("newcomer@example.com")
    assert Invitation.objects.get().team == team

    requests = page.get_by_test_id("requests")
    expect(requests).to_contain_text("The school play")
    requests.get_by_role("button", name="Approve olivia").click()
    expect(page.get_by_test_id("used-olivia")).to_have_text("1 of 5")
    expect(page.get_by_test_id("requests")).to_have_count(0)
    assert QuotaEvent.objects.get(kind="grant").amount == 2
    assert page.problems == []
