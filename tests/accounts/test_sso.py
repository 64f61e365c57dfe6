"""Single sign-on against a real OpenID Connect provider: django-oauth-toolkit in OIDC mode,
running in a process of its own (tests/accounts/oidc_provider/). Real HTTP all the way:
discovery, the authorization-code flow with PKCE, the token endpoint, the ID token's
signature against the provider's published keys, userinfo; then the account is created
(or found) and signed in, under the site's sign-up rules."""

import json
import re
import subprocess
import sys
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from accounts import invitations, standing
from accounts.models import Approval, Invitation
from tests.conftest import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
User = get_user_model()
ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "luma-studio", "a-client-secret-for-the-tests"
PEOPLE = {
    "sam": "sam@school.edu",
    "eve": "eve@elsewhere.org",
    "olivia": "olivia@example.com",
    "tess": "tess@school.edu",
}


@pytest.fixture(scope="module")
def identity_provider(live_server, tmp_path_factory):
    """The provider, in its own process, for the whole module; yields its base URL."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    spec = {
        "database": str(tmp_path_factory.mktemp("idp") / "idp.sqlite3"),
        "rsa_private_key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{live_server.url}/accounts/oidc/sso/login/callback/",
        "people": [
            {"username": name, "email": email, "password": f"idp-{name}"}
            for name, email in PEOPLE.items()
        ],
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.oidc_provider.serve", json.dumps(spec)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("PORT "), f"the identity provider did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sso(settings, identity_provider):
    """Point the site at the provider, as OIDC_SERVER_URL and friends would."""

    def configure(**app_settings):
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": "sso",
                        "name": "School account",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {
                            "server_url": f"{identity_provider}/o",
                            "oauth_pkce_enabled": True,
                            **app_settings,
                        },
                    }
                ],
            }
        }

    configure()
    return configure


def _form(html):
    """The first form's action and its hidden fields."""
    action = re.search(r'<form[^>]*action="([^"]*)"', html)
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    fields = {name: unescape(value) for name, value in hidden}
    return (unescape(action.group(1)) if action else ""), fields


def _sign_in_with_sso(site, person):
    """Press "Log in with School account" and sign in at the provider; return what the
    visitor's browser saw: the authorization request and the site's final answer."""
    browser = requests.Session()
    login_page = browser.get(f"{site}/accounts/login/", timeout=10)
    assert "Log in with School account" in login_page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
    to_provider = browser.post(
        f"{site}/accounts/oidc/sso/login/",
        {"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert to_provider.status_code == 302, to_provider.text
    authorize = to_provider.headers["Location"]
    at_provider = browser.get(authorize, timeout=10)  # -> the provider's own sign-in page
    action, hidden = _form(at_provider.text)
    answer = browser.post(
        urljoin(at_provider.url, action),
        {**hidden, "username": person, "password": f"idp-{person}"},
        timeout=20,
    )  # provider signs in, authorizes, sends the browser back to the site's callback
    return browser, authorize, answer


def test_a_person_signs_in_through_the_provider_and_an_account_is_made(live_server, sso):
    browser, authorize, answer = _sign_in_with_sso(live_server.url, "sam")

    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert answer.status_code == 200 and urlsplit(answer.url).path == "/videos/"
    user = User.objects.get(email="sam@school.edu")
    assert user.username == "sam" and not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).provider == "sso"
    assert EmailAddress.objects.get(user=user).verified  # single sign-on counts as verified
    assert standing.video_refusal(user) is None
    assert browser.get(f"{live_server.url}/accounts/profile/", timeout=10).status_code == 200
    # Signing in again finds the same account.
    _sign_in_with_sso(live_server.url, "sam")
    assert User.objects.filter(email="sam@school.edu").count() == 1


def test_an_id_token_that_does_not_verify_signs_nobody_in(live_server, sso, identity_provider):
    sso(openid_configuration_overrides={"jwks_uri": f"{identity_provider}/forged-jwks/"})

    _, _, answer = _sign_in_with_sso(live_server.url, "sam")

    assert answer.status_code == 401  # allauth's "sign-in failed" page
    assert "_auth_user_id" not in str(answer.cookies)
    assert not User.objects.filter(email="sam@school.edu").exists()


def test_the_provider_refuses_a_flow_without_pkce_so_the_site_must_send_it(live_server, sso):
    sso(oauth_pkce_enabled=False)

    _, authorize, answer = _sign_in_with_sso(live_server.url, "sam")

    assert "code_challenge" not in authorize
    assert answer.status_code == 401 and "error=invalid_request" in answer.url
    assert not User.objects.filter(email="sam@school.edu").exists()


def test_an_existing_account_with_the_address_is_signed_into(live_server, sso):
    olivia = make_user("olivia")

    browser, _, answer = _sign_in_with_sso(live_server.url, "olivia")

    assert urlsplit(answer.url).path == "/videos/"
    assert User.objects.filter(email="olivia@example.com").count() == 1
    assert SocialAccount.objects.get(provider="sso").user == olivia


def test_the_allowed_domains_apply(live_server, sso, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["school.edu"]

    _, _, refused = _sign_in_with_sso(live_server.url, "eve")
    _, _, admitted = _sign_in_with_sso(live_server.url, "tess")

    assert "limited to email addresses at school.edu" in refused.text
    assert not User.objects.filter(email="eve@elsewhere.org").exists()
    assert urlsplit(admitted.url).path == "/videos/"


def test_by_invitation_only_an_invited_address_may_join(live_server, sso, settings):
    settings.SIGNUP_POLICY = "invite"
    invitations.issue("tess@school.edu", send=False)

    _, _, refused = _sign_in_with_sso(live_server.url, "sam")
    _, _, invited = _sign_in_with_sso(live_server.url, "tess")

    assert "by invitation only" in refused.text
    assert not User.objects.filter(email="sam@school.edu").exists()
    assert urlsplit(invited.url).path == "/videos/"
    assert Invitation.objects.get().accepted_by.email == "tess@school.edu"


@pytest.mark.parametrize("auto_signup", [False, True])
def test_a_closed_site_admits_sso_only_with_oidc_auto_signup(
    live_server, sso, settings, auto_signup
):
    settings.SIGNUP_POLICY = "closed"
    settings.OIDC_AUTO_SIGNUP = auto_signup

    _, _, answer = _sign_in_with_sso(live_server.url, "sam")

    assert User.objects.filter(email="sam@school.edu").exists() is auto_signup
    if not auto_signup:
        assert "does not create new accounts" in answer.text


def test_with_approval_required_an_sso_account_waits(live_server, sso, settings):
    settings.SIGNUP_REQUIRES_APPROVAL = True

    _, _, answer = _sign_in_with_sso(live_server.url, "sam")

    assert urlsplit(answer.url).path == "/videos/"
    assert "waiting for approval" in answer.text
    assert Approval.objects.get(user__email="sam@school.edu").waiting
