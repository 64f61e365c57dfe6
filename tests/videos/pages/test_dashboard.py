"""The operator's usage dashboard and its CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Team
from tests.conftest import logged_in, make_user
from tests.factories import make_video
from videos import dashboard, dashboard_views, services
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(staff):
    return logged_in(staff)


def _team(name, *people, **budget):
    team = Team.objects.create(name=name, **budget)
    for user in people:
        Membership.objects.create(team=team, user=user)
    return team


def _made(owner, seconds=60, **fields):
    """A completed video that took `seconds` from submission to completion."""
    video = make_video(owner, **fields)
    Video.objects.filter(pk=video.pk).update(
        completed_at=video.created_at + timedelta(seconds=seconds)
    )
    return video


def test_only_staff_reach_the_dashboard_and_the_export(browser, admin_browser):
    for url in ("/dashboard/", "/dashboard/export.csv"):
        assert browser.get(url).status_code == 302  # to the admin's sign-in
        assert admin_browser.get(url).status_code == 200


def test_the_admin_links_to_the_dashboard(admin_browser):
    assert 'href="/dashboard/"' in admin_browser.get("/admin/").content.decode()


def test_the_dashboard_shows_teams_outcomes_top_users_and_failures(
    admin_browser, owner, other, settings
):
    settings.SITE_VIDEOS_PER_PERIOD = 50
    team = _team("Studio A", owner, videos_per_period=30)
    for _ in range(3):
        _made(owner, team=team)
    _made(other)
    failed = make_video(other, state=Video.State.PROCESSING)
    services.fail(failed, "forbidden", {"kind": "upstream"})
    make_video(owner, state=Video.State.QUEUED, task_id=None, team=team)

    page = admin_browser.get("/dashboard/").content.decode()

    assert "5 of 50 used this month" in page  # 6 charged, one given back
    assert "Studio A" in page and "No team" in page
    assert '<td class="mono">forbidden</td><td>1</td>' in page
    assert '<th scope="row">olivia</th><td>4</td>' in page
    assert '<th scope="row">Studio A</th><td>4</td><td>30</td>' in page
    assert page.count('class="series-') > 3  # bars drawn
    assert "<dt>Waiting to be sent</dt><dd>1</dd>" in page


def test_the_durations_are_the_median_and_95th_percentile_per_day(owner):
    for seconds in (10, 20, 30, 40, 100):
        _made(owner, seconds=seconds)

    board = dashboard.build(30)

    today = board.duration_rows[-1]
    assert today[1:] == (30.0, 88.0, 5)  # p95 interpolated between 40 and 100
    assert all(row[1] is None for row in board.duration_rows[:-1])
    assert board.durations.lines  # the two lines are drawn


def test_the_range_picks_30_or_90_days_and_nothing_else(admin_browser, owner):
    make_video(owner, age_seconds=60 * 86400)

    assert dashboard.build(30).outcome_rows[0][1] == 0
    assert sum(row[1] for row in dashboard.build(90).outcome_rows) == 1
    for days in ("90", "7", "x", "9" * 50):
        assert admin_browser.get("/dashboard/", {"days": days}).status_code == 200


def test_the_dashboard_costs_the_same_queries_however_many_videos(admin_browser, owner):
    teams = [_team(f"Team {n}", owner) for n in range(8)]
    counted = []
    for batch in (5, 40):
        for n in range(batch):
            _made(make_user(f"u{batch}-{n}"), team=teams[n % 8], age_seconds=n * 7200)
            make_video(owner, state=Video.State.FAILED, error_code=f"code{n % 4}")
        with CaptureQueriesContext(connection) as queries:
            assert admin_browser.get("/dashboard/").status_code == 200
        counted.append(len(queries.captured_queries))

    assert counted[0] == counted[1] <= 14, counted


def test_the_export_has_one_row_per_job_with_its_outcome_and_charge(admin_browser, owner, other):
    team = _team("Studio A", owner)
    done = _made(owner, seconds=42, team=team)
    failed = make_video(other, state=Video.State.PROCESSING)
    services.fail(failed, "forbidden", {"kind": "upstream"})
    make_video(owner, age_seconds=40 * 86400)  # outside the 30 days

    response = admin_browser.get("/dashboard/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "created",
        "user",
        "team",
        "action",
        "state",
        "seconds_to_complete",
        "charged",
        "released",
    ]
    body = {row[1]: row for row in rows[1:]}
    assert len(rows) == 3
    assert body["olivia"][2:] == ["Studio A", "generate", "completed", "42.0", "1", "0"]
    assert body["oscar"][2:] == ["", "generate", "failed", "", "1", "1"]
    assert timezone.datetime.fromisoformat(body["olivia"][0]) == done.created_at


def test_the_export_defuses_names_a_spreadsheet_would_run(admin_browser):
    sly = make_user("=HYPERLINK")
    _made(sly, team=_team("+cmd", sly))

    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(admin_browser.get("/dashboard/export.csv").streaming_content).decode()
            )
        )
    )

    assert rows[1][1:3] == ["'=HYPERLINK", "'+cmd"]


def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(admin_browser, settings):
    settings.STAFF_REQUIRE_MFA = True

    for url in ("/dashboard/", "/dashboard/export.csv"):
        response = admin_browser.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_the_export_writes_rows_in_blocks_and_loses_none(admin_browser, owner, monkeypatch):
    monkeypatch.setattr(dashboard_views, "ROWS_PER_CHUNK", 2)
    for _ in range(5):
        make_video(owner)

    chunks = list(admin_browser.get("/dashboard/export.csv").streaming_content)

    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))[1:]
    assert len(chunks) == 1 + 3  # the header, then blocks of 2, 2 and 1
    assert len(rows) == 5
