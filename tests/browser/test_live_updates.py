"""Pages update themselves within a second or two of a job's change, without a reload.

The site runs under uvicorn (tests/asgi.py) as production's ASGI processes do; each job is
completed by AceDataCloud's callback over real HTTP. In the PostgreSQL pass the change
travels through NOTIFY and the process's listener.
"""

from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Membership, Team
from tests.browser.conftest import Problems, _open_tab, sign_in
from tests.conftest import make_user
from tests.videos.stored import make_stored_video
from videos import events, services
from videos.models import Video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
PUSH_MS = 2000  # the bound: the change is on screen within 2 s of the callback

# Records each browser notification instead of showing it (headless Chromium shows none).
RECORD_NOTIFICATIONS = """
window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push({title: title, body: options.body}); }
  addEventListener() {}
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""


@pytest.fixture
def tabs(chromium, asgi_live, owner):
    context, first = _open_tab(chromium, asgi_live, locale="en-US")
    client = Client()
    client.force_login(owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_live.url}]
    )
    context.add_init_script(RECORD_NOTIFICATIONS)
    opened = [first]

    def open_tab(path):
        if opened:
            tab = opened.pop()
        else:
            tab = context.new_page()
            tab.problems = Problems()
            tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
            tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
        tab.goto(path)
        tab.evaluate("window.__sameDocument = true")
        return tab

    yield open_tab
    context.close()


def _in_flight(owner, simulator, prompt):
    """A job made through the lifecycle and accepted by the simulator, which holds it."""
    simulator.delay = 600
    video = services.submit(owner, {"prompt": prompt})
    services.dispatch(video.pk)
    video.refresh_from_db()
    assert video.state == Video.State.PROCESSING
    return video


def _call_back(simulator, video):
    """The simulator finishes the job now and calls back over real HTTP."""
    assert simulator.complete_now(video.task_id)


def _wait_live(tab):
    tab.wait_for_function("() => window.LumaLive && window.LumaLive.live === true")


def test_the_video_page_my_videos_and_the_quota_meter_change_within_two_seconds(
    tabs, owner, simulator
):
    video = _in_flight(owner, simulator, "A heron lifts off the lake")
    page = tabs(f"/videos/{video.pk}/")
    grid = tabs("/videos/")
    profile = tabs("/accounts/profile/")
    for tab in (page, grid, profile):
        _wait_live(tab)
    expect(profile.get_by_test_id("quota")).to_contain_text("1 in progress")

    _call_back(simulator, video)

    expect(page.get_by_test_id("player")).to_be_visible(timeout=PUSH_MS)
    expect(page.get_by_test_id("state")).to_have_text("Completed", timeout=PUSH_MS)
    card = grid.locator(".video-card", has_text="A heron lifts off the lake")
    expect(card.locator(".badge-completed")).to_be_visible(timeout=PUSH_MS)
    expect(profile.get_by_test_id("quota")).to_contain_text("0 in progress", timeout=PUSH_MS)
    for tab in (page, grid, profile):
        assert tab.evaluate("window.__sameDocument === true"), "the page was reloaded"
        assert not tab.problems, tab.problems
    # Every open tab asks for the notification; their shared tag shows it once.
    assert {"title": "Your video is ready", "body": "A heron lifts off the lake"} in (
        page.evaluate("window.__notes")
    )


def test_a_new_job_appears_on_my_videos_and_a_failure_on_its_page(tabs, owner, simulator):
    grid = tabs("/videos/")
    _wait_live(grid)
    video = _in_flight(owner, simulator, "A paper boat in the rain [sim:fail]")
    card = grid.locator(".video-card", has_text="A paper boat in the rain")
    expect(card.locator(".badge-processing")).to_be_visible(timeout=PUSH_MS)

    page = tabs(f"/videos/{video.pk}/")
    _wait_live(page)
    _call_back(simulator, video)
    expect(page.get_by_test_id("failure")).to_be_visible(timeout=PUSH_MS)
    expect(card.locator(".badge-failed")).to_be_visible(timeout=PUSH_MS)
    assert page.evaluate("window.__notes")[-1]["title"] == "Your video could not be made"


def test_a_change_on_my_videos_keeps_the_ticks_the_delete_question_and_the_previews(
    tabs, owner, simulator
):
    kept = make_stored_video(owner, prompt="A heron on one leg")
    video = _in_flight(owner, simulator, "A crane in the reeds")
    grid = tabs("/videos/")
    _wait_live(grid)
    heron = grid.locator(".video-card", has_text="A heron on one leg")
    heron.get_by_test_id("select").check()
    bulk = grid.get_by_test_id("bulk")
    expect(bulk).to_contain_text("1 selected")

    _call_back(simulator, video)
    crane = grid.locator(".video-card", has_text="A crane in the reeds")
    expect(crane.locator(".badge-completed")).to_be_visible(timeout=PUSH_MS)

    # The grid was swapped for the server's newer copy; what the person was doing survives.
    expect(heron.get_by_test_id("select")).to_be_checked()
    expect(heron.get_by_test_id("select")).to_be_focused()
    expect(bulk).to_contain_text("1 selected")
    expect(bulk.get_by_role("button", name="Select all on this page")).to_be_visible()
    grid.locator("#filter-q").focus()
    heron.hover()
    expect(heron.locator("video.preview")).to_have_count(1)
    grid.mouse.move(1, 1)
    expect(heron.locator("video.preview")).to_have_count(0)
    asked = []
    grid.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    grid.get_by_test_id("bulk-delete").click()
    expect(heron).to_be_visible()
    assert asked and "Delete the selected videos" in asked[0], asked
    assert Video.objects.filter(pk=kept.pk).exists()
    assert grid.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert not grid.problems, grid.problems


def test_a_waiting_jobs_page_moves_up_the_line_when_one_ahead_leaves(
    tabs, owner, simulator, settings
):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    _in_flight(owner, simulator, "A moth at the lamp")  # out: the other two wait behind it
    ahead = services.submit(owner, {"prompt": "A bat at dusk"})
    last = services.submit(owner, {"prompt": "An owl at midnight"})
    page = tabs(f"/videos/{last.pk}/")
    _wait_live(page)
    expect(page.get_by_test_id("line-place")).to_have_text("waiting, 2nd in line")

    services.cancel_waiting(ahead)

    expect(page.get_by_test_id("line-place")).to_have_text("waiting, 1st in line", timeout=PUSH_MS)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert not page.problems, page.problems


def test_a_manager_watching_a_members_job_sees_it_finish_without_a_reload(
    chromium, asgi_live, owner, simulator
):
    manager = make_user("maya")
    team = Team.objects.create(name="Class 4B", videos_per_period=10)
    Membership.objects.create(team=team, user=manager, role="manager", is_default=True)
    Membership.objects.create(team=team, user=owner, is_default=True)
    video = _in_flight(owner, simulator, "A heron lifts off the lake")
    assert video.team == team
    context, page = _open_tab(chromium, asgi_live, locale="en-US")
    sign_in(page, asgi_live, manager)
    page.goto(f"/videos/{video.pk}/")
    page.evaluate("window.__sameDocument = true")
    _wait_live(page)  # the manager's own stream: it carries none of the member's events

    _call_back(simulator, video)

    # The page polls for itself, at most 3 s apart.
    expect(page.get_by_test_id("state")).to_have_text("Completed", timeout=5000)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert not page.problems, page.problems
    context.close()


def test_a_page_reconnects_with_last_event_id_and_gets_what_changed_meanwhile(
    tabs, owner, settings, simulator
):
    settings.LIVE_STREAM_SECONDS = 1  # each stream ends after a second; the browser comes back
    video = _in_flight(owner, simulator, "A lantern drifting")
    page = tabs(f"/videos/{video.pk}/")
    _wait_live(page)
    # Chromium's own reconnections do not show in Playwright's network events: watch the
    # server read the Last-Event-ID they carry instead.
    with mock.patch.object(
        events.Hub, "since", autospec=True, side_effect=events.Hub.since
    ) as since:
        _in_flight(owner, simulator, "A kite over the dunes")  # gives the page an event id
        page.wait_for_function("() => window.LumaLive.lastEventId !== ''")
        page.wait_for_function("() => window.LumaLive.live === false")  # the stream ended
        last_id = page.evaluate("window.LumaLive.lastEventId")  # nothing arrives meanwhile
        _call_back(simulator, video)  # while the page is between two streams (it polls)
        page.wait_for_function("() => window.LumaLive.live === true")  # back
        expect(page.get_by_test_id("player")).to_be_visible(timeout=5000)
    assert any(call.args[1:] == (owner.pk, last_id) for call in since.call_args_list), (
        last_id,
        since.call_args_list,
    )
    assert page.evaluate("window.__sameDocument === true")


def test_a_page_refused_a_stream_falls_back_to_polling(tabs, owner, settings, simulator):
    settings.LIVE_STREAMS_PER_USER = 0  # every stream is refused: 429
    video = _in_flight(owner, simulator, "A slow tide")
    page = tabs(f"/videos/{video.pk}/")
    _call_back(simulator, video)
    expect(page.get_by_test_id("player")).to_be_visible(timeout=5000)
    assert page.evaluate("window.__sameDocument === true")
    assert page.evaluate("window.LumaLive.live") is False
