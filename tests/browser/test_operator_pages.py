"""The operator's pages keep the site's Content Security Policy, in real Chromium: the API
docs draw everything from this site alone, and the admin's thumbnails stay thumbnails."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import SIM_TOKEN, make_user
from tests.factories import make_video
from videos.acedata import AceDataClient

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_the_api_docs_draw_the_api_from_this_site_alone(page, live, shoot):
    foreign, blocked = [], []

    def is_foreign(url):
        return url.startswith(("http", "ws")) and not url.startswith(live.url)

    # A request that reaches the network gets a response; one the CSP stops fails first.
    page.on("response", lambda r: is_foreign(r.url) and foreign.append(r.url))
    page.on("requestfailed", lambda r: is_foreign(r.url) and blocked.append(r.failure))

    response = page.goto("/api/docs/")

    assert "worker-src 'self' blob:" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Generate a video, or extend one")).to_be_visible()
    shoot(page, "api-docs")
    assert foreign == []  # no fonts, logos or scripts fetched from a CDN
    # ReDoc's own footer asks for its logo from cdn.redoc.ly: the policy stops it in the
    # browser (the logo hides itself), and nothing else is refused.
    assert set(blocked) <= {"csp"}  # Chromium's reason for a request the policy stopped
    refused = [p for p in page.problems if "Content Security Policy" in p or "Refused" in p]
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in p for p in refused), refused


def test_the_admins_video_list_keeps_thumbnails_small(page, live, simulator, shoot):
    staff = make_user("ada", is_staff=True, is_superuser=True)
    owner = make_user("olivia")
    client = AceDataClient(base_url=simulator.base_url, token=SIM_TOKEN)
    task_id = client.submit({"prompt": "A fox", "async": True})
    thumbnail = simulator.wait_for_task(task_id)["response"]["thumbnail_url"]  # a real JPEG
    for _ in range(25):
        make_video(owner, thumbnail_url=thumbnail)
    sign_in(page, live, staff)

    page.goto("/admin/videos/video/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.admin-thumb')]"
        ".every(i => i.complete && i.naturalHeight > 0)"
    )

    heights = page.evaluate(
        "[...document.querySelectorAll('img.admin-thumb')]"
        ".map(i => i.getBoundingClientRect().height)"
    )
    shoot(page, "admin-videos")
    assert len(heights) == 25 and set(heights) == {40}
    assert page.evaluate("document.documentElement.scrollHeight") < 2500
    assert [p for p in page.problems if "Content Security Policy" in p or "Refused" in p] == []
