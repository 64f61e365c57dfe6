"""Team and site budgets under load: many members, two teams, the API and the gateway at once.

Over real HTTP to a live server, each request on its own database connection, so the
budgets' row locks are contended as in production. PostgreSQL only: it is the database
whose row locks (and deadlock detector) these tests are about.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.db.models import Sum

from accounts.models import Membership, SiteBudget, Team
from tests.conftest import make_user
from tests.factories import make_token, make_video
from tests.fakes import failure_body
from videos import budgets, services
from videos.models import QuotaEvent, Video
from videos.quota import quota_status

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _team(name, members, **budget):
    team = Team.objects.create(name=name, **budget)
    for user in members:
        Membership.objects.create(team=team, user=user, is_default=True)
    return team


def _members(prefix, count, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 100  # each person's own allowance is larger
    settings.QUOTA_MAX_IN_FLIGHT = 100
    return [make_user(f"{prefix}{n}") for n in range(count)]


def _submit(base, key, n, team=None):
    """Alternate the surfaces: even numbers through the API, odd through the gateway."""
    if n % 2 == 0:
        body = {"prompt": f"A fox {n}"}
        if team is not None:
            body["team"] = str(team.uuid)
        response = requests.post(
            f"{base}/api/v1/videos/",
            json=body,
            headers={"Authorization": f"Token {key}"},
            timeout=60,
        )
        data = response.json()
        return response.status_code, data.get("code"), data.get("budget"), data.get("detail")
    response = requests.post(
        f"{base}/luma/videos",
        json={"prompt": f"A fox {n}", "async": True},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    error = response.json().get("error", {})
    return response.status_code, error.get("code"), None, error.get("message")


def _race(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _ledger(**filters):
    return QuotaEvent.objects.filter(**filters).aggregate(n=Sum("amount"))["n"] or 0


def test_forty_submissions_by_eight_members_fill_a_team_budget_of_ten_exactly(
    live_server, settings, high_submit_rates, record
):
    members = _members("member", 8, settings)
    team = _team("Class 4B", members, videos_per_period=10)
    keys = [make_token(user) for user in members]

    results = _race(
        [
            lambda n=n: _submit(live_server.url, keys[n % 8], n, team if n % 4 == 0 else None)
            for n in range(40)
        ]
    )

    accepted = [r for r in results if r[0] in (200, 202)]
    refused = [r for r in results if r[0] not in (200, 202)]
    assert len(accepted) == 10, results
    assert all(
        (status, code) in {(429, "quota_exceeded"), (403, "used_up")}
        for status, code, *_ in refused
    ), refused
    assert all("Team Class 4B has used all 10" in detail for *_, detail in refused), refused
    assert {budget for _s, code, budget, _d in refused if code == "quota_exceeded"} == {"team"}
    assert Video.objects.filter(team=team).count() == Video.objects.count() == 10
    meter = budgets.team_meter(team)
    assert meter.used == _ledger(team=team) == 10
    assert sum(quota_status(user).used for user in members) == _ledger() == 10


def test_two_teams_never_overshoot_the_site_cap_together(
    live_server, settings, high_submit_rates, record
):
    settings.SITE_VIDEOS_PER_PERIOD = 12
    blue = _members("blue", 4, settings)
    green = [make_user(f"green{n}") for n in range(4)]
    teams = [_team("Blue", blue, videos_per_period=50), _team("Green", green)]
    people = blue + green
    keys = [make_token(user) for user in people]

    results = _race([lambda n=n: _submit(live_server.url, keys[n % 8], n) for n in range(40)])

    accepted = [r for r in results if r[0] in (200, 202)]
    refused = [r for r in results if r[0] not in (200, 202)]
    clear = [r for r in refused if r[3] and "The site has made all 12 videos" in r[3]]
    record(40, len(accepted) + len(clear) if len(accepted) == 12 else 0)
    assert len(accepted) == 12, results
    assert all("The site has made all 12 videos" in detail for *_, detail in refused), refused
    assert {budget for _s, code, budget, _d in refused if code == "quota_exceeded"} == {"site"}
    assert budgets.site_meter().used == _ledger() == Video.objects.count() == 12
    assert sum(budgets.team_meter(team).used for team in teams) == 12
    for team in teams:
        assert budgets.team_meter(team).used == Video.objects.filter(team=team).count()


def test_a_cap_set_by_staff_at_run_time_holds_under_load(live_server, settings, high_submit_rates):
    people = _members("crew", 4, settings)
    _team("Crew", people)
    SiteBudget.objects.create(pk=SiteBudget.ONLY, follows_setting=False, videos_per_period=5)
    keys = [make_token(user) for user in people]

    results = _race([lambda n=n: _submit(live_server.url, keys[n % 4], n) for n in range(20)])

    assert sum(r[0] in (200, 202) for r in results) == 5
    assert budgets.site_meter().used == budgets.site_meter().limit == 5


def test_a_failure_raced_by_its_callback_and_the_poll_gives_back_to_every_budget_once(
    settings,
):
    settings.SITE_VIDEOS_PER_PERIOD = 50
    people = _members("pair", 2, settings)
    team = _team("Pair", people, videos_per_period=20)
    jobs = [make_video(people[n % 2], state=Video.State.PROCESSING, team=team) for n in range(6)]

    def by_callback(job):
        try:
            body = failure_body(job.task_id)
            return services.receive_callback(job.pk, job.callback_secret, body)
        finally:
            connection.close()

    def by_poll(job):
        try:
            fresh = Video.objects.get(pk=job.pk)
            return services.apply_result(fresh, failure_body(job.task_id), job.task_id)
        finally:
            connection.close()

    calls = [lambda j=job, f=f: f(j) for job in jobs for f in (by_callback, by_poll) * 2]
    wins = _race(calls)

    assert wins.count(True) == 6
    assert QuotaEvent.objects.filter(kind="release", team=team).count() == 6
    assert budgets.team_meter(team).used == _ledger(team=team) == 0
    assert budgets.site_meter().used == 0
    assert all(quota_status(user).used == 0 for user in people)
