"""The usage dashboard draws its charts in real Chromium, under the site's CSP, from this site."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import Membership, Team
from tests.browser.conftest import sign_in
from tests.conftest import make_user
from tests.factories import make_video
from videos import services
from videos.models import Video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_staff_open_the_dashboard_from_the_admin_and_see_the_charts_drawn(page, live, shoot):
    staff = make_user("ada", is_staff=True, is_superuser=True)
    maker = make_user("olivia")
    team = Team.objects.create(name="Studio A")
    Membership.objects.create(team=team, user=maker)
    for day in range(6):
        video = make_video(maker, team=team if day % 2 else None, age_seconds=day * 86400)
        Video.objects.filter(pk=video.pk).update(
            completed_at=video.created_at + timedelta(seconds=30 + day * 10)
        )
    services.fail(make_video(maker, state=Video.State.PROCESSING), "forbidden", {"kind": "x"})
    sign_in(page, live, staff)

    page.goto("/admin/")
    page.get_by_role("link", name="Usage dashboard").click()

    expect(page.get_by_role("heading", name="Usage dashboard", level=1)).to_be_visible()
    for chart in ("by-team", "outcomes", "durations"):
        svg = page.get_by_test_id(f"chart-{chart}").locator("svg.chart-svg")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box["width"] > 300 and box["height"] > 80
    bars = page.get_by_test_id("chart-by-team").locator("rect[class^=series-]")
    assert bars.count() >= 6 + 1  # a bar a day, plus the legend's swatches
    drawn = bars.first.bounding_box()
    assert drawn["height"] > 0 and drawn["width"] > 0
    colour = bars.first.evaluate("el => getComputedStyle(el).fill")
    assert colour not in ("", "none", "rgb(0, 0, 0)")  # the style sheet coloured it
    lines = page.get_by_test_id("chart-durations").locator("polyline")
    assert lines.count() == 2
    expect(page.get_by_test_id("table-by-team")).to_contain_text("Studio A")
    shoot(page, "usage-dashboard")
    assert page.problems == []
