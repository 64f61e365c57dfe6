"""Real Chromium (Debian's package) driven by Playwright against the live site and the simulator.

Set SKIP_BROWSER_TESTS=1 to skip these where Chromium cannot run; anywhere else a missing
browser is a failure, so CI can never pass without running them. CHROMIUM_PATH overrides
/usr/bin/chromium; SCREENSHOT_DIR overrides artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-dev-shm-usage"]  # fmt: skip
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", settings.BASE_DIR / "artifacts/screenshots"))
TIMEOUT_MS = 20_000

_saved: list[Path] = []


@pytest.fixture(scope="session")
def chromium():
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        pytest.skip("SKIP_BROWSER_TESTS=1: the browser tests were not run")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -r requirements-dev.txt")
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM_PATH}: apt-get install chromium (or set "
            "CHROMIUM_PATH), or set SKIP_BROWSER_TESTS=1 to skip the browser tests."
        )
    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous, so its async-safety guard would refuse them.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Problems(list):
    """Console errors, page errors and CSP violations seen while a test ran."""


def _open_tab(chromium, live, **options):
    context = chromium.new_context(
        base_url=live.url, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems = Problems()
    tab.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    tab.problems = problems
    return context, tab


@pytest.fixture
def page(chromium, live):
    context, tab = _open_tab(chromium, live, locale="en-US")
    yield tab
    context.close()


@pytest.fixture
def chinese_page(chromium, live):
    """A browser set to Chinese (China): it sends Accept-Language: zh-CN."""
    context, tab = _open_tab(chromium, live, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield tab
    context.close()


@pytest.fixture
def shoot():
    """Save a screenshot of a step: shoot(page, "01-signup")."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def save(tab, name, full_page=True):
        path = SCREENSHOT_DIR / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        _saved.append(path)
        return path

    return save


def pytest_terminal_summary(terminalreporter):
    if _saved:
        terminalreporter.write_line(f"browser screenshots ({len(_saved)}): {SCREENSHOT_DIR}")


def sign_in(page, live, user):
    """Give the browser a signed-in session without going through the login form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live.url}]
    )
