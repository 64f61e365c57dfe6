"""Issue 15 in real Chromium: the video page's live updates finish the job, and a share link
opens for a visitor with no account (screenshots of the share page as CI artifacts)."""

import re

import pytest
from playwright.sync_api import expect

from tests.videos.stored import make_stored_video
from videos import sharing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def _log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/videos/$"))


def _make(page, prompt, ratio="16:9"):
    page.goto("/videos/new/")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_label("Aspect ratio").select_option(ratio)
    page.get_by_role("button", name="Make the video").click()
    expect(page).to_have_url(re.compile(r"/videos/[0-9a-f-]{36}/$"))
    page.evaluate("window.__sameDocument = true")


def test_a_finished_job_drops_the_notice_gains_its_id_and_keeps_its_box(
    page, shoot, simulator, background_worker, owner
):
    simulator.delay = 2.0
    _log_in(page, "olivia")
    _make(page, "A fox in the snow", ratio="9:16")
    notice = page.locator(".job-notice")
    expect(notice).to_contain_text("updates itself")
    pending = page.get_by_test_id("pending").bounding_box()

    expect(page.get_by_test_id("state")).to_have_text("Completed", timeout=20_000)

    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    expect(notice).to_have_count(0)
    settings_card = page.locator('[data-live="settings"]')
    expect(settings_card).to_contain_text("Luma video id")
    player = page.get_by_test_id("player").bounding_box()
    # The player takes the placeholder's box: nothing on the page jumps.
    assert abs(player["width"] - pending["width"]) <= 2, (pending, player)
    assert abs(player["height"] - pending["height"]) <= 2, (pending, player)
    assert page.problems == [], page.problems


def test_the_retrying_note_appears_without_a_reload(page, simulator, background_worker, owner):
    _log_in(page, "olivia")
    _make(page, "A fox [sim:500]")

    note = page.get_by_test_id("note")
    expect(note).to_contain_text("retrying", timeout=15_000)

    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    assert ".;" not in note.text_content()


def test_a_visitor_opens_a_share_link_and_plays_the_video(page, shoot, live, owner, settings):
    video = make_stored_video(owner, prompt="A lighthouse in a storm")
    link = sharing.share(video, show_prompt=True)

    page.goto(f"/s/{link.token}/")

    expect(page.get_by_test_id("shared-prompt")).to_contain_text("A lighthouse in a storm")
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 1 && isFinite(v.duration) && v.duration > 0; }"
    )
    og_video = page.locator('meta[property="og:video"]').get_attribute("content")
    assert og_video == f"{live.url}/s/{link.token}/video/"
    assert "olivia" not in page.content()
    shoot(page, "15-share-page")
    assert page.problems == [], page.problems

    sharing.revoke(video)
    response = page.goto(f"/s/{link.token}/")
    assert response.status == 404


def test_the_sign_up_pill_in_the_header_has_room_at_its_sides(page, live, settings):
    settings.SIGNUP_POLICY = "open"
    page.goto("/")

    pill = page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")
    padding = pill.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)")

    assert padding >= 8


def test_logging_out_from_the_header_confirms_it(page, live, owner):
    _log_in(page, "olivia")

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()

    expect(page.locator(".messages")).to_contain_text("You have signed out.")
    expect(page).to_have_url(f"{live.url}/")
    assert page.problems == [], page.problems
