"""The profile shows a person's own usage: this period's ledger and their videos per day."""

import pytest

from accounts.models import Membership, Team
from tests.factories import make_video
from videos import services
from videos.models import QuotaEvent, Video

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"


def test_the_profile_lists_this_periods_charges_and_releases_with_their_videos(
    browser, owner, other
):
    team = Team.objects.create(name="Studio A")
    Membership.objects.create(team=team, user=owner, is_default=True)
    kept = make_video(owner, prompt="A red fox", team=team)
    failed = make_video(owner, prompt="A blue whale", state=Video.State.PROCESSING)
    services.fail(failed, "forbidden", {"kind": "upstream"})
    make_video(other, prompt="Not mine")

    page = browser.get(URL).content.decode()

    assert 'data-testid="my-ledger"' in page
    assert f'href="/videos/{kept.pk}/">A red fox' in page
    assert f'href="/videos/{failed.pk}/">A blue whale' in page
    assert page.count("Accepted: Generate") == 2
    assert "Given back: the job failed (forbidden)" in page
    assert "<td>-1</td>" in page and "<td>+1</td>" in page
    assert "Studio A" in page
    assert "Not mine" not in page


def test_the_profile_draws_videos_per_day_with_the_numbers_beside(browser, owner):
    make_video(owner)
    older = make_video(owner, age_seconds=3 * 86400)
    QuotaEvent.objects.filter(video=older).update(created_at=older.created_at)

    page = browser.get(URL).content.decode()

    assert 'data-testid="chart-my-usage"' in page and 'class="series-0"' in page
    table = page.split('data-testid="my-usage-days"')[1].split("</table>")[0]
    assert table.count("<td>1</td><td>0</td>") == 2  # one counted video on each of two days


def test_a_deleted_video_keeps_its_line_without_a_link(browser, owner):
    video = make_video(owner, prompt="Gone fox")
    services.delete(video)

    page = browser.get(URL).content.decode()

    assert "(deleted)" in page and "Gone fox" not in page


def test_someone_new_sees_an_empty_ledger(browser):
    page = browser.get(URL).content.decode()

    assert "Nothing yet this period." in page and "No videos in the last 30 days." in page
