"""Site-wide behaviour: the home page, error pages, security headers, static files."""

import pytest
from django.test import Client
from django.urls import path

from tests.factories import make_video

pytestmark = pytest.mark.django_db


def test_the_home_page_invites_a_visitor_to_sign_up(client):
    html = client.get("/").content.decode()

    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/login/"' in html


def test_the_home_page_sends_a_user_to_their_videos(browser):
    response = browser.get("/")

    assert response.status_code == 302
    assert response.url == "/videos/"


def test_every_page_has_a_skip_link_and_only_local_styles_and_scripts(browser, owner):
    video = make_video(owner)
    for url in ("/videos/", "/videos/new/", "/videos/extend/", f"/videos/{video.pk}/",
                "/accounts/profile/"):  # fmt: skip
        html = browser.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in html, url
        assert '<main id="main"' in html, url
        assert "https://" not in html.split("<body")[0], url  # nothing from a CDN in <head>
        assert "<script>" not in html and " style=" not in html, url  # nothing inline (CSP)


def test_pages_carry_a_strict_content_security_policy(browser):
    policy = browser.get("/videos/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_api_docs_page_has_a_policy_of_its_own_and_nothing_from_a_cdn(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert response.status_code == 200
    assert "script-src 'self';" in policy and "worker-src 'self' blob:" in policy
    assert "fonts.googleapis.com" not in html and "<style" not in html
    assert "<script>" not in html  # ReDoc boots from its custom element, no inline script
    assert "redoc.standalone.js" in html


def test_the_static_files_the_pages_need_exist():
    from django.contrib.staticfiles import finders

    for name in ("css/studio.css", "js/studio.js", "js/video-page.js", "img/favicon.svg"):
        assert finders.find(name), name


def test_the_favicon_is_found_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.videos.pages.test_site")
def test_a_server_error_shows_the_friendly_500_page():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "studio.css" in html
