"""The profile page's partial on using AceDataCloud tools with Luma Studio."""

from django.template.loader import render_to_string
from django.test import RequestFactory


def render(**context):
    request = RequestFactory().get("/accounts/profile/", HTTP_HOST="testserver")
    return render_to_string("accounts/_gateway_help.html", context, request=request)


def test_it_shows_both_variables_with_the_sites_address_without_a_trailing_slash():
    html = render()

    assert "export ACEDATACLOUD_API_BASE_URL=http://testserver\n" in html
    assert "export ACEDATACLOUD_API_TOKEN=&lt;your Luma Studio API token&gt;" in html


def test_it_shows_the_users_token_and_an_explicit_base_url_when_given():
    html = render(gateway_token="abc123", gateway_base_url="https://studio.example.org")

    assert "ACEDATACLOUD_API_BASE_URL=https://studio.example.org\n" in html
    assert "ACEDATACLOUD_API_TOKEN=abc123" in html


def test_it_gives_a_curl_example_against_luma_videos():
    html = render()

    assert 'curl -X POST "$ACEDATACLOUD_API_BASE_URL/luma/videos"' in html
    assert '-H "authorization: Bearer $ACEDATACLOUD_API_TOKEN"' in html
