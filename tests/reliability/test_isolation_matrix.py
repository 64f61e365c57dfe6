"""The isolation matrix: another user gets a 404 (or the gateway's unknown-task answer) on
every page, API route, file and gateway call that names a video, read from the URLconf.

Every route whose URL takes a parameter must be classified below, as covered or excluded
with a reason; a route added later fails test_every_route_that_takes_an_id_is_classified
until someone decides which it is.
"""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.factories import make_token, make_video
from videos.models import Video

pytestmark = [pytest.mark.reliability]

# name -> URL keyword of the video id
COVERED = {
    "video-detail": "pk",
    "video-extend": "pk",
    "video-lineage": "pk",
    "video-refresh": "pk",
    "video-retry": "pk",
    "video-cancel": "pk",
    "videos:detail": "pk",
    "videos:extend": "pk",
    "videos:refresh": "pk",
    "videos:delete": "pk",
    "videos:retry": "pk",
    "videos:cancel": "pk",
    "videos:media-video": "pk",
    "videos:media-thumbnail": "pk",
    "video-favourite": "pk",
    "video-share": "pk",
    "videos:favourite": "pk",
    "videos:share": "pk",
    "videos:share-revoke": "pk",
}
EXCLUDED = {
    "videos:webhook": "the per-job secret in the URL is the credential (test_webhook.py)",
    "account_reset_password_from_key": "names a user's reset token, not a video",
    "account_confirm_email": "names an email confirmation key, not a video",
    "invitation": "names an invitation's key, not a video (tests/accounts/test_invitations.py)",
    "api-token-revoke": "names an API token; another user's is left alone "
    "(tests/accounts/test_api_tokens.py)",
    "openid_connect_login": "names the single sign-on provider, not a video",
    "openid_connect_callback": "names the single sign-on provider, not a video",
    "videos:upload": "public by design so AceDataCloud can fetch it; the token is the "
    "unguessable credential (tests/videos/test_uploads.py)",
    "admin:": "staff only: the admin sends every other user to its login page",
    "videos:team": "names a team; anyone but its managers and staff gets a 404 "
    "(tests/videos/pages/test_team_pages.py)",
    "videos:team-invite": "names a team; anyone but its managers and staff gets a 404 "
    "(tests/videos/pages/test_team_pages.py)",
    "videos:team-share": "names a team; anyone but its managers and staff gets a 404 "
    "(tests/videos/pages/test_team_pages.py)",
    "videos:team-default": "names a team; one you are not in is a 404 "
    "(tests/videos/pages/test_team_pages.py)",
    "videos:answer-request": "names a request for more; only its team's managers and staff "
    "may answer, anyone else gets a 404 (tests/videos/test_asking.py)",
    "videos:share-page": "public by design: the unguessable token is the credential, and the "
    "page shows nothing of its owner (tests/videos/pages/test_share_page.py)",
    "videos:share-video": "the share page's file, by the same token (test_share_page.py)",
    "videos:share-thumbnail": "the share page's still, by the same token (test_share_page.py)",
}
PARAMS_IGNORED = {"format"}  # DRF's format suffix (.json) is not an identifier


def _routes(patterns=None, prefix="", namespace="", params=()):
    """Yield (name, pattern, parameter names) for every route, however deeply included."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        names = (*params, *_params(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), inner, names)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or ""), prefix + str(entry.pattern), set(names)


def _params(pattern):
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    return tuple(pattern.regex.groupindex)


def _id_routes():
    return sorted(
        {(name, pattern) for name, pattern, params in _routes() if params - PARAMS_IGNORED}
    )


def _classification(name):
    if name in COVERED:
        return "covered"
    if any(name == key or (key.endswith(":") and name.startswith(key)) for key in EXCLUDED):
        return "excluded"
    return None


def test_every_route_that_takes_an_id_is_classified(record):
    routes = _id_routes()
    unclassified = [(name, pattern) for name, pattern in routes if not _classification(name)]

    record(len(routes), len(routes) - len(unclassified))
    assert unclassified == [], "add each to COVERED or EXCLUDED in this file"
    assert set(COVERED) <= {name for name, _ in routes}, "COVERED names a route that is gone"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored_video(owner):
    video = make_video(owner, media_state="done")
    for kind, ext in (("video", "mp4"), ("thumbnail", "jpg")):
        name = default_storage.save(f"videos/{owner.pk}/{video.pk}.{ext}", ContentFile(b"x" * 64))
        setattr(video, f"{kind}_file", name)
    video.save()
    return video


def _client(user, name):
    if name.startswith("video-"):  # the API: token-style, no CSRF
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client


def _snapshot(video):
    row = Video.objects.filter(pk=video.pk).values("state", "deleted_at", "prompt").first()
    return row, Video.objects.count()


@pytest.mark.parametrize("name", sorted(COVERED))
def test_another_user_gets_404_on_every_route_that_names_a_video(
    owner, other, media_root, fake_upstream, name, record
):
    video = _stored_video(owner)
    url = reverse(name, kwargs={COVERED[name]: video.pk})
    before = _snapshot(video)

    intruder = _client(other, name)
    answers = {"GET": intruder.get(url), "POST": intruder.post(url, {"prompt": "mine now"})}

    statuses = {method: r.status_code for method, r in answers.items()}
    record(2, sum(s in (404, 405) for s in statuses.values()))
    assert set(statuses.values()) <= {404, 405} and 404 in statuses.values(), (url, statuses)
    assert _snapshot(video) == before
    # The control: the owner reaches the same route with the same method.
    method = next(m for m, s in statuses.items() if s == 404)
    mine = _client(owner, name)
    answer = mine.get(url) if method == "GET" else mine.post(url, {"prompt": "more"})
    assert answer.status_code != 404, (url, method)


def _gateway(user):
    client = Client()
    key = make_token(user)

    def post(path, body):
        response = client.post(
            path, body, content_type="application/json", headers={"authorization": f"Bearer {key}"}
        )
        return response.status_code, response.json()

    return post


GATEWAY_CALLS = {
    "retrieve": lambda video: ("/luma/tasks", {"action": "retrieve", "id": str(video)}),
    "retrieve_batch": lambda video: ("/luma/tasks", {"action": "retrieve_batch", "ids": [video]}),
    "extend by video_id": lambda video: (
        "/luma/videos",
        {"action": "extend", "video_id": video, "prompt": "more", "async": True},
    ),
}


@pytest.mark.parametrize("call", ["retrieve", "retrieve_batch"])
def test_another_users_task_reads_exactly_like_an_unknown_one(owner, other, call, record):
    video = make_video(owner)
    intruder, mine = _gateway(other), _gateway(owner)

    theirs = intruder(*GATEWAY_CALLS[call](str(video.pk)))
    nobodys = intruder(*GATEWAY_CALLS[call](str(uuid.uuid4())))
    owners = mine(*GATEWAY_CALLS[call](str(video.pk)))

    record(1, int(theirs == nobodys))
    assert theirs == nobodys and theirs[0] == 200
    assert theirs != owners


def test_another_users_video_id_reads_like_an_unknown_one_through_the_gateway(owner, other, record):
    """An upstream id is extendable as a video made elsewhere, whoever here made it: the
    answer must not tell whether another user has a video with that id."""
    video = make_video(owner)
    extend = GATEWAY_CALLS["extend by video_id"]

    intruder = _gateway(other)
    theirs = intruder(*extend(video.video_id))
    nobodys = intruder(*extend(str(uuid.uuid4())))

    alike = theirs[0] == nobodys[0] == 200 and set(theirs[1]) == set(nobodys[1])
    record(1, int(alike))
    assert alike, (theirs, nobodys)
    assert not Video.objects.filter(owner=other, parent__isnull=False).exists()
    assert not video.children.exists()
