"""The dark theme (system's, or chosen and remembered) and the cards' hover previews, in Chromium.
Screenshots of the dark theme are kept as CI artifacts."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _open_tab
from tests.videos.stored import make_stored_video
from videos import sharing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def _background(tab):
    return tab.evaluate("getComputedStyle(document.body).backgroundColor")


def _log_in(tab, username):
    tab.goto("/accounts/login/")
    tab.get_by_label("Username or email").fill(username)
    tab.get_by_label("Password").fill(f"pw-{username}")
    tab.get_by_role("button", name="Log in").click()
    expect(tab).to_have_url(re.compile(r"/videos/$"))


@pytest.fixture
def dark_page(chromium, live):
    """A browser whose system asks for dark colours."""
    context, tab = _open_tab(chromium, live, locale="en-US", color_scheme="dark")
    yield tab
    context.close()


def test_the_theme_follows_the_system_and_a_chosen_one_is_remembered(dark_page, shoot, owner):
    make_stored_video(owner, prompt="A fox at night")
    _log_in(dark_page, "olivia")
    toggle = dark_page.get_by_test_id("theme-toggle")

    assert _background(dark_page) == "rgb(17, 17, 32)"  # --bg of the dark theme
    expect(toggle).to_have_attribute("aria-pressed", "true")
    shoot(dark_page, "16-dark-my-videos")

    toggle.click()
    assert _background(dark_page) == "rgb(246, 246, 251)"
    dark_page.reload()
    assert _background(dark_page) == "rgb(246, 246, 251)", "the choice was not remembered"
    expect(dark_page.get_by_test_id("theme-toggle")).to_have_attribute("aria-pressed", "false")

    dark_page.get_by_test_id("theme-toggle").click()
    dark_page.goto("/videos/new/")
    assert _background(dark_page) == "rgb(17, 17, 32)"
    assert dark_page.problems == [], dark_page.problems


def test_the_share_page_in_the_dark_theme(dark_page, shoot, owner):
    link = sharing.share(make_stored_video(owner, prompt="A lighthouse"), show_prompt=True)

    dark_page.goto(f"/s/{link.token}/")

    assert _background(dark_page) == "rgb(17, 17, 32)"
    shoot(dark_page, "17-dark-share-page")
    assert dark_page.problems == [], dark_page.problems


def test_a_finished_card_plays_a_muted_preview_on_hover_and_on_focus(page, owner):
    make_stored_video(owner, prompt="A heron")
    _log_in(page, "olivia")
    card = page.locator(".video-card").first
    preview = card.locator("video.preview")

    card.hover()
    expect(preview).to_have_count(1)
    page.wait_for_function(
        "() => { const v = document.querySelector('.video-card video.preview');"
        " return v && v.muted && v.readyState >= 2 && !v.paused; }"
    )
    page.mouse.move(1, 1)
    expect(preview).to_have_count(0)

    card.locator(".video-card-link").focus()
    expect(preview).to_have_count(1)
    page.locator("#filter-q").focus()
    expect(preview).to_have_count(0)
    assert page.problems == [], page.problems


def test_star_select_and_download_several_as_one_zip(page, owner, tmp_path):
    make_stored_video(owner, prompt="A heron")
    make_stored_video(owner, prompt="A crane")
    _log_in(page, "olivia")
    page.evaluate("window.__sameDocument = true")

    star = page.get_by_test_id("star").first
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument === true"), "the star reloaded the page"
    assert owner.videos.filter(favourite=True).count() == 1

    bulk = page.get_by_test_id("bulk")
    expect(page.get_by_test_id("bulk-zip")).to_be_disabled()
    bulk.get_by_role("button", name="Select all on this page").click()
    expect(bulk).to_contain_text("2 selected")
    with page.expect_download() as download:
        page.get_by_test_id("bulk-zip").click()
    saved = tmp_path / "videos.zip"
    download.value.save_as(saved)

    assert len(zipfile.ZipFile(saved).namelist()) == 2
    assert page.problems == [], page.problems
