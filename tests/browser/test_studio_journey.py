"""A person's journey through the studio in real Chromium, against the simulator.

sign up -> confirm the email from the outbox -> generate -> in flight -> callback ->
playable without a reload -> extend -> lineage shows both -> quota down by two -> a named
API token; and a failing prompt shows its message.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import link_in_mail, mails_to
from tests.conftest import make_user
from tests.factories import make_video
from videos.models import Video
from videos.quota import quota_status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "a-long-unusual-passphrase-42"


def _mark_page(page):
    """Tag the document so a later check can tell that it was never reloaded."""
    page.evaluate("window.__sameDocument = true")


def _still_same_document(page):
    return page.evaluate("window.__sameDocument === true")


def _wait_until_playable(page):
    """Wait for the swapped-in <video> to load its metadata, and return its duration."""
    player = page.get_by_test_id("player")
    expect(player).to_be_visible()
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v && v.readyState >= 1 && isFinite(v.duration) && v.duration > 0; }"
    )
    return page.evaluate("document.querySelector('video').duration")


def test_sign_up_generate_watch_it_finish_extend_and_see_the_lineage(
    page, shoot, simulator, background_worker
):
    simulator.delay = 2.0

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    shoot(page, "01-signup")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_test_id("verification-sent")).to_be_visible()
    page.goto(link_in_mail(mails_to("nina@example.com")[-1], "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/videos/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New video").click()

    expect(page).to_have_url(re.compile(r"/videos/new/$"))
    expect(page.get_by_test_id("quota-note")).to_contain_text("You can make 10 more videos")
    page.get_by_label("Prompt", exact=True).fill("A red fox running through fresh snow")
    expect(page.locator('[data-counter-for="id_prompt"]')).to_have_text("36 / 2000")
    page.get_by_label("Aspect ratio").select_option("1:1")
    shoot(page, "02-new-video")
    page.get_by_role("button", name="Make the video").click()

    expect(page).to_have_url(re.compile(r"/videos/[0-9a-f-]{36}/$"))
    first_url = page.url
    _mark_page(page)
    expect(page.get_by_test_id("pending")).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text(re.compile("Queued|Processing"))
    shoot(page, "03-in-flight")

    duration = _wait_until_playable(page)
    assert duration == pytest.approx(2.0, abs=0.2)
    assert _still_same_document(page), "the page reloaded instead of updating itself"
    expect(page.get_by_test_id("state")).to_have_text("Completed")
    assert page.url == first_url
    player = page.get_by_test_id("player")
    assert player.get_attribute("width") == "240" and player.get_attribute("height") == "240"
    poster = player.get_attribute("poster")
    assert page.evaluate("url => fetch(url).then(r => r.headers.get('content-type'))", poster) == (
        "image/jpeg"
    )
    shoot(page, "04-completed")

    page.get_by_text("Extend this video").click()
    page.get_by_label("What happens next (optional)").fill("The fox leaps into a snowdrift")
    shoot(page, "05-extend-form")
    page.get_by_role("button", name="Extend", exact=True).click()

    expect(page).not_to_have_url(first_url)
    _mark_page(page)
    expect(page.get_by_test_id("pending")).to_be_visible()
    _wait_until_playable(page)
    assert _still_same_document(page)
    nodes = page.get_by_test_id("lineage").locator(".node-link")
    expect(nodes).to_have_count(2)
    expect(page.get_by_test_id("lineage").locator('[aria-current="page"]')).to_contain_text(
        "This video"
    )
    expect(nodes.first).to_have_attribute(
        "href", first_url.removeprefix(page.url.split("/videos/")[0])
    )
    shoot(page, "06-extension-and-lineage")

    page.get_by_role("link", name="nina").click()
    quota = page.get_by_test_id("quota")
    expect(quota.locator("[data-quota-used]")).to_have_text("2")
    expect(quota.locator("[data-quota-remaining]")).to_have_text("8")
    shoot(page, "07-profile-quota")

    page.get_by_label("Name").fill("laptop CLI")
    page.get_by_role("button", name="Create a token").click()
    key = page.get_by_test_id("new-token").input_value()
    assert key.startswith("luma_") and len(key) == 48
    expect(page.locator("#curl-example")).to_contain_text(f"Authorization: Token {key}")
    shoot(page, "08-api-token-revealed")
    page.get_by_role("link", name="Done: back to your profile").click()
    expect(page.get_by_test_id("token-list")).to_contain_text("laptop CLI")
    expect(page.get_by_test_id("token-list")).to_contain_text(key[:12])
    assert key not in page.content()

    user_videos = Video.objects.filter(owner__username="nina")
    assert sorted(user_videos.values_list("state", flat=True)) == ["completed", "completed"]
    assert page.problems == [], page.problems


def test_a_failing_prompt_shows_its_message_and_leaves_the_quota_unchanged(
    page, shoot, simulator, background_worker
):
    simulator.delay = 1.5
    user = make_user("fay")
    before = quota_status(user)

    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("fay")
    page.get_by_label("Password").fill("pw-fay")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New video").click()
    page.get_by_label("Prompt", exact=True).fill("A fox made of glass [sim:fail]")
    page.get_by_role("button", name="Make the video").click()

    _mark_page(page)
    expect(page.get_by_test_id("pending")).to_be_visible()
    failure = page.get_by_test_id("failure")
    expect(failure).to_be_visible()
    expect(failure).to_contain_text("fetch failed")
    expect(page.get_by_test_id("state")).to_have_text("Failed")
    assert _still_same_document(page)
    shoot(page, "09-failed")

    page.get_by_role("link", name="fay").click()
    expect(page.get_by_test_id("quota").locator("[data-quota-used]")).to_have_text(str(before.used))
    after = quota_status(user)
    assert (after.used, after.in_flight) == (before.used, 0)
    assert page.problems == [], page.problems


def test_the_pages_fit_a_phone_and_work_from_the_keyboard(page, shoot, owner):
    make_video(owner, prompt="A lighthouse in a storm", state="processing")
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ("/accounts/signup/", "/accounts/password/reset/", "/accounts/login/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a phone"
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("olivia")
    page.get_by_label("Password").fill("pw-olivia")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/videos/$"))

    for url in (
        "/videos/",
        "/videos/new/",
        "/videos/extend/",
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/email/",
    ):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than a phone"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.goto("/videos/")
    stylesheet_applied = page.evaluate(
        "getComputedStyle(document.querySelector('.video-grid')).display"
    )
    assert stylesheet_applied == "grid"
    shoot(page, "10-my-videos-phone")
    assert page.problems == [], page.problems


def test_staff_reach_the_admin_and_it_works_under_the_security_policy(page, staff):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("ada")
    page.get_by_label("Password").fill("pw-ada")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/videos/video/")
    expect(page.locator("#changelist")).to_be_visible()
    assert page.problems == [], page.problems
