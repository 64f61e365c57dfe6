"""A database outage: PostgreSQL stops for 30 s under light load, then comes back.

The site runs as in production on a cluster of the test's own (tests/pg_cluster.py): a
gunicorn web process, the real `run_worker` (with its sweep timer) and `run_sweep_timer`,
against the simulator over real HTTP. During the outage every API and gateway call gets a
503 in its own JSON shape and a page gets the friendly 503 page: never a 500. Afterwards,
with no process restarted, every job accepted before, during or after finishes.
"""

import sys
import time

import pytest
import requests

from tests import pg_cluster, processes
from tests.conftest import wait_for

OUTAGE_SECONDS = 30
PASSWORD = "pw-nadia-123"
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        pg_cluster.available() is not None, reason=f"no cluster here: {pg_cluster.available()}"
    ),
]


@pytest.fixture
def cluster():
    cluster = pg_cluster.TemporaryCluster()
    cluster.start()
    cluster.create_database("luma_outage")
    yield cluster
    cluster.destroy()


@pytest.fixture
def site(cluster, simulator, tmp_path):
    """The site as production runs it, on the test's own cluster; yields (url, processes)."""
    port = processes.free_port()
    url = f"http://127.0.0.1:{port}"
    simulator.delay = 1.0
    env = processes.production_env(
        tmp_path,
        database_url=cluster.url("luma_outage"),
        simulator=simulator,
        public_url=url,
        QUOTA_VIDEOS_PER_PERIOD=1000,
        QUOTA_MAX_IN_FLIGHT=1000,
        WORKER_SWEEP_SECONDS=1,
        POLL_AFTER_SECONDS=3,
        POLL_INTERVAL_SECONDS=2,
        SUBMIT_RETRY_BASE_SECONDS=1,
        SUBMIT_MAX_ATTEMPTS=20,
    )
    processes.manage(["migrate", "--noinput", "-v", "0"], env)
    processes.manage(["collectstatic", "--noinput", "-v", "0"], env)
    processes.manage(["ensure_demo_user", "--username", "nadia", "--password", PASSWORD], env)
    log = (tmp_path / "processes.log").open("w")
    running = {
        "web": processes.gunicorn(port, env, log),
        "worker": processes.spawn(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"], env, log
        ),
        "timer": processes.spawn(
            [sys.executable, "manage.py", "run_sweep_timer", "--interval", "1"], env, log
        ),
    }
    try:
        yield url, running
    finally:
        processes.stop(running.values())


class Client:
    """A person (a session, for pages) who is also an API and gateway client (a token)."""

    def __init__(self, url):
        self.url = url
        # Production cookies are Secure and this is plain http on loopback, so the cookies
        # are carried by hand (a browser behind the site's TLS proxy would carry them).
        login = f"{url}/accounts/login/"
        csrf = requests.get(login, timeout=10).cookies["csrftoken"]
        signed_in = requests.post(
            login,
            {"login": "nadia", "password": PASSWORD},
            headers={"X-CSRFToken": csrf, "Cookie": f"csrftoken={csrf}", "Referer": login},
            allow_redirects=False,
            timeout=10,
        )
        assert signed_in.status_code == 302, signed_in.text
        self.cookie = f"sessionid={signed_in.cookies['sessionid']}"
        answer = requests.post(
            f"{url}/api/v1/auth/token/",
            {"username": "nadia", "password": PASSWORD},
            timeout=10,
        )
        self.token = answer.json()["token"]
        self.seen = []

    def submit(self, prompt):
        response = requests.post(
            f"{self.url}/api/v1/videos/",
            json={"prompt": prompt},
            headers={"Authorization": f"Token {self.token}"},
            timeout=30,
        )
        self.seen.append(response.status_code)
        return response

    def gateway(self):
        response = requests.post(
            f"{self.url}/luma/videos",
            json={"prompt": "A fox", "async": True},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        self.seen.append(response.status_code)
        return response

    def page(self):
        response = requests.get(
            f"{self.url}/videos/",
            headers={"Cookie": self.cookie},
            allow_redirects=False,
            timeout=30,
        )
        self.seen.append(response.status_code)
        return response

    def states(self, ids):
        answer = requests.get(
            f"{self.url}/api/v1/videos/",
            params={"page_size": 100},
            headers={"Authorization": f"Token {self.token}"},
            timeout=30,
        )
        if answer.status_code != 200:
            return {}
        return {v["id"]: v["state"] for v in answer.json()["results"] if v["id"] in ids}


def test_the_site_rides_out_a_30_second_database_outage(cluster, site, record):
    url, running = site
    person = Client(url)
    before = [person.submit(f"Before, {n}").json()["id"] for n in range(3)]
    wait_for(lambda: set(person.states(before).values()) == {"completed"}, timeout=30)
    in_flight = [person.submit(f"In flight, {n}").json()["id"] for n in range(3)]

    cluster.stop()
    outage_started = time.monotonic()
    during = []
    while time.monotonic() - outage_started < OUTAGE_SECONDS:
        api, gateway, page = person.submit("During"), person.gateway(), person.page()
        during.append((api.status_code, gateway.status_code, page.status_code))
        assert api.json()["code"] == "unavailable", api.text
        assert gateway.json()["error"]["code"] == "api_error", gateway.text
        assert "Back in a moment" in page.text
        assert all(process.poll() is None for process in running.values())
        time.sleep(1)
    cluster.start()
    cluster.wait_until_ready()

    wait_for(lambda: person.submit("After").status_code == 202, timeout=30)
    after = [person.submit(f"After, {n}").json()["id"] for n in range(3)]
    everything = before + in_flight + after
    try:
        wait_for(
            lambda: list(person.states(everything).values()).count("completed") == len(everything),
            timeout=90,
        )
    except AssertionError:
        raise AssertionError(f"not every job finished: {person.states(everything)}")

    record(len(during) * 3 + len(everything), len(during) * 3 + len(everything))
    assert set(during) == {(503, 503, 503)}
    assert 500 not in person.seen
    assert all(process.poll() is None for process in running.values())  # none restarted
