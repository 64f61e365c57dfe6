"""Every page a person can reach, read by someone who chose Simplified Chinese: no English
sentence of ours is left on it (names such as Luma Studio and code samples stay as they are).
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import invitations
from accounts.models import Membership, MoreRequest, Team
from tests.conftest import logged_in, make_user
from tests.factories import make_video, use_up_quota
from tests.i18n.conftest import choose
from tests.i18n.english import english_phrases
from tests.images import upload
from tests.videos.stored import make_stored_video
from videos import failures, sharing
from videos.models import Video
from videos.quota import period_bounds

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


def _read(client, url, status=200, **extra):
    response = client.get(url, **CHINESE, **extra)
    assert response.status_code == status, url
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html, url
    return html


def _assert_all_chinese(html, url, also_kept=()):
    leftovers = english_phrases(html, also_kept)
    assert leftovers == [], f"{url} still reads in English: {leftovers}"


def test_the_check_finds_english_where_there_is_some(browser, owner):
    make_video(owner, prompt="一只红狐狸")
    html = browser.get("/videos/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert {"My videos", "New video", "Log out"} <= set(english_phrases(html))


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/again/",
        "/accounts/confirm-email/not-a-key/",
    ],
)
def test_the_pages_for_visitors_read_in_chinese(client, db, url):
    _assert_all_chinese(_read(client, url), url)


@pytest.mark.parametrize("policy", ["invite", "closed"])
def test_the_closed_sign_up_page_reads_in_chinese(client, db, settings, policy):
    settings.SIGNUP_POLICY = policy
    _assert_all_chinese(_read(client, "/accounts/signup/"), policy)


def test_an_invitation_s_pages_read_in_chinese(client, db, owner):
    bad = _read(client, "/accounts/invitation/not-a-key/", status=404)
    _assert_all_chinese(bad, "invalid invitation")
    issued = invitations.issue("newcomer@example.com", by=owner, send=False)
    signup = client.get(issued.link.split("testserver")[-1], **CHINESE, follow=True)
    _assert_all_chinese(signup.content.decode(), "invited sign-up")


def test_the_not_found_page_reads_in_chinese(client, db):
    _assert_all_chinese(_read(client, "/no-such-page/", status=404), "404")


def _family(owner):
    root = make_video(owner, prompt="一只红狐狸在新雪中奔跑")
    child = make_video(owner, prompt="狐狸跳进雪堆", parent=root)
    make_video(owner, prompt="狐狸回头张望", parent=child, state=Video.State.PROCESSING)
    return root, child


def test_the_studio_pages_read_in_chinese(chinese_reader, owner):
    root, child = _family(owner)
    failed = make_video(
        owner,
        prompt="一座玻璃做的灯塔",
        state=Video.State.FAILED,
        error_code="forbidden",
        error_params={"kind": failures.UPSTREAM},
    )
    timed_out = make_video(
        owner,
        prompt="海上的暴风雨",
        state=Video.State.FAILED,
        error_code="timeout",
        error_params={"kind": failures.TIMED_OUT, "stage": "processing", "minutes": 15},
    )
    retrying = make_video(
        owner,
        prompt="城市夜景",
        state=Video.State.QUEUED,
        task_id="",
        error_code="upstream_unreachable",
        error_params={"kind": failures.RETRYING},
    )
    urls = [
        "/videos/",
        "/videos/?state=failed",
        "/videos/?state=queued&q=不存在",
        "/videos/?q=不存在",
        "/videos/new/",
        "/videos/extend/",
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/reauthenticate/",
    ] + [f"/videos/{video.pk}/" for video in (root, child, failed, timed_out, retrying)]
    for url in urls:
        _assert_all_chinese(_read(chinese_reader, url), url)


def test_an_empty_studio_and_a_used_up_allowance_read_in_chinese(chinese_reader, owner):
    _assert_all_chinese(_read(chinese_reader, "/videos/"), "no videos yet")
    use_up_quota(owner)
    _assert_all_chinese(_read(chinese_reader, "/videos/new/"), "allowance used up")


def test_a_form_with_mistakes_reads_in_chinese(chinese_reader, owner):
    response = chinese_reader.post(
        "/videos/new/",
        {"prompt": "", "aspect_ratio": "4:3", "start_image_url": "ftp://x"},
        **CHINESE,
    )
    html = response.content.decode()
    assert "请修改下面标出的字段。" in html and Video.objects.count() == 0
    _assert_all_chinese(html, "the new-video form with mistakes")


def test_the_line_uploads_and_reuse_read_in_chinese(chinese_reader, owner, settings):
    settings.QUOTA_MAX_IN_FLIGHT = 1
    settings.QUOTA_MAX_WAITING = 1
    make_video(owner, prompt="雪山日出", state=Video.State.PROCESSING)
    waiting = make_video(owner, prompt="森林里的小鹿", state=Video.State.QUEUED, task_id=None)
    cancelled = make_video(
        owner,
        prompt="夜空中的极光",
        state=Video.State.FAILED,
        error_code="cancelled",
        error_params={"kind": failures.CANCELLED, "by": "owner"},
    )
    pages = {
        "a waiting video": f"/videos/{waiting.pk}/",
        "a cancelled video": f"/videos/{cancelled.pk}/",
        "use these settings": f"/videos/new/?from={cancelled.pk}",
        "the list with a line": "/videos/",
        "a full line": "/videos/new/",
    }
    for name, url in pages.items():
        html = _read(chinese_reader, url)
        _assert_all_chinese(html, name)
    assert "排队中，第 1 位" in _read(chinese_reader, f"/videos/{waiting.pk}/")
    refused = chinese_reader.post(
        "/videos/new/",
        {"prompt": "一只猫", "count": "1", "start_image": upload(b"<html></html>", "x.png")},
        **CHINESE,
    )
    assert "无法识别这张图片" in refused.content.decode()
    _assert_all_chinese(refused.content.decode(), "a refused upload")


def test_a_new_api_token_s_page_reads_in_chinese(chinese_reader, owner):
    response = chinese_reader.post(reverse("api-token-create"), {"name": "笔记本"}, **CHINESE)
    assert response.status_code == 200
    _assert_all_chinese(response.content.decode(), "token created")


def test_the_admin_reads_in_chinese(db, staff, owner):
    _family(owner)
    admin = Client()
    admin.force_login(staff)
    found = []
    for url in (
        "/admin/",
        "/admin/videos/video/",
        f"/admin/videos/video/{Video.objects.first().pk}/change/",
        "/admin/auth/user/",
        f"/admin/auth/user/{owner.pk}/change/",
        "/admin/accounts/invitation/",
        "/admin/accounts/invitation/add/",
        "/admin/videos/quotaevent/",
        "/admin/videos/gatewayjob/",
    ):
        # Django's own words come from its catalogue, ours from the site's. allauth's session
        # model has no translatable name (Django makes "user sessions" from its class name).
        html = _read(admin, url)
        found += [(url, phrase) for phrase in english_phrases(html, ("User sessions",))]
    assert found == []


def _chinese_team(owner):
    """A team whose manager is the owner, with a member, a video and a pending request."""
    team = Team.objects.create(name="四年级二班", videos_per_period=5, max_in_flight=2)
    Membership.objects.create(team=team, user=owner, role="manager", is_default=True)
    member = make_user("xiaoming")
    Membership.objects.create(team=team, user=member, videos_per_period=1, is_default=True)
    make_video(member, team=team, prompt="一只红狐狸")
    MoreRequest.objects.create(
        user=member,
        team=team,
        budget="member",
        amount=2,
        reason="学校演出",
        period_start=period_bounds()[0],
    )
    invitations.issue("newcomer@example.com", by=owner, send=False, team=team)
    return team, member


def test_the_team_pages_read_in_chinese(chinese_reader, owner):
    team, member = _chinese_team(owner)
    for url in ("/teams/", f"/teams/{team.uuid}/", "/accounts/profile/"):
        _assert_all_chinese(_read(chinese_reader, url), url)


def test_asking_for_more_reads_in_chinese(db, owner):
    team, member = _chinese_team(owner)
    choose(member, "zh-hans")
    reader = logged_in(member)
    _assert_all_chinese(_read(reader, "/videos/ask/"), "ask for more")
    refused = reader.post("/videos/new/", {"prompt": "一只狐狸"}, **CHINESE).content.decode()
    assert "团队 四年级二班" in refused
    _assert_all_chinese(refused, "a share used up")


def test_the_dashboard_and_the_team_admin_read_in_chinese(db, staff, owner):
    team, _member = _chinese_team(owner)
    choose(staff, "zh-hans")
    admin = logged_in(staff)
    found = []
    for url in (
        "/dashboard/",
        f"/teams/{team.uuid}/",
        "/admin/accounts/team/",
        f"/admin/accounts/team/{team.pk}/change/",
        "/admin/accounts/sitebudget/1/change/",
        "/admin/accounts/morerequest/",
    ):
        if url.startswith("/admin/accounts/sitebudget"):
            admin.get("/admin/accounts/sitebudget/")  # made on the first visit
        html = _read(admin, url)
        found += [(url, phrase) for phrase in english_phrases(html, ("User sessions",))]
    assert found == []


def test_share_pages_and_the_gallery_read_in_chinese(client, chinese_reader, owner, staff):
    shared = make_stored_video(owner, prompt="一只红狐狸")
    link = sharing.share(shared, show_prompt=True)
    sharing.feature([link.pk], True)
    private = make_stored_video(owner, prompt="不分享")
    _assert_all_chinese(_read(client, f"/s/{link.token}/"), "share page")
    _assert_all_chinese(_read(client, "/"), "home with gallery")
    _assert_all_chinese(_read(chinese_reader, f"/videos/{shared.pk}/"), "a shared video's page")
    _assert_all_chinese(_read(chinese_reader, f"/videos/{private.pk}/"), "an unshared video's page")
    _assert_all_chinese(_read(chinese_reader, "/videos/?favourites=1"), "no favourites yet")
    admin = Client()
    admin.force_login(staff)
    for url in ("/admin/videos/sharelink/", f"/admin/videos/sharelink/{link.pk}/change/"):
        _assert_all_chinese(_read(admin, url), url, ("User sessions",))
