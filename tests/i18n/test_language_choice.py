"""Which language a page is in: the browser's first, then the person's choice (a cookie for
a visitor, their account once signed in), and their time zone for times (never for quotas)."""

import re
import zoneinfo
from datetime import UTC, datetime

from django.test import Client
from django.utils import timezone

from accounts.models import Preferences
from tests.conftest import logged_in
from tests.factories import make_video
from tests.i18n.conftest import choose
from videos import quota

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
# A sentence every page has, the skip link: the page's language must be what it says.
SKIP_LINK = {"en": "Skip to content", "zh-hans": "跳到正文"}


def _home(client, **headers):
    """The language the site's first page (the studio, once signed in) is written in."""
    html = client.get("/", follow=True, **headers).content.decode()
    code = re.search(r'<html lang="([^"]+)"', html)[1]
    assert SKIP_LINK[code] in html
    return code


def test_the_first_visit_follows_the_browser_s_language(db):
    assert _home(Client(), **CHINESE) == "zh-hans"
    assert _home(Client(), **ENGLISH) == "en"
    assert _home(Client(), HTTP_ACCEPT_LANGUAGE="zh-TW") == "zh-hans"  # the nearest we have


def test_a_language_the_site_does_not_have_falls_back_to_english(db):
    assert _home(Client(), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9") == "en"
    assert _home(Client()) == "en"


def test_a_visitor_s_switch_is_remembered_by_a_cookie(db):
    visitor = Client()
    response = visitor.post("/accounts/language/", {"language": "zh-hans", "next": "/"}, **ENGLISH)

    assert response.status_code == 302 and response.url == "/"
    assert response.cookies["django_language"].value == "zh-hans"
    assert _home(visitor, **ENGLISH) == "zh-hans"


def test_a_signed_in_person_s_switch_is_saved_on_their_account_for_every_device(owner):
    laptop = logged_in(owner)
    laptop.post("/accounts/language/", {"language": "zh-hans", "next": "/videos/"}, **ENGLISH)

    assert Preferences.objects.get(user=owner).language == "zh-hans"
    phone = logged_in(owner)  # another session, no cookie, an English browser
    assert '<html lang="zh-hans"' in phone.get("/videos/", **ENGLISH).content.decode()


def test_a_language_the_site_does_not_have_is_not_saved(owner):
    browser = logged_in(owner)
    for bad in ("xx", "zh-hans\x00", "", "en" * 100):
        response = browser.post("/accounts/language/", {"language": bad, "next": "/"})
        assert response.status_code == 302
    assert not Preferences.objects.filter(user=owner).exists()
    assert _home(browser, **ENGLISH) == "en"


def test_the_profile_saves_a_language_and_a_time_zone(owner):
    browser = logged_in(owner)
    response = browser.post(
        "/accounts/preferences/",
        {"language": "zh-hans", "time_zone": "Asia/Shanghai"},
        **ENGLISH,
    )

    chosen = Preferences.objects.get(user=owner)
    assert (chosen.language, chosen.time_zone) == ("zh-hans", "Asia/Shanghai")
    assert response.cookies["django_language"].value == "zh-hans"
    assert "你的语言和时区已保存。" in browser.get(response.url, **ENGLISH).content.decode()


def test_following_the_browser_again_forgets_the_saved_language(owner):
    choose(owner, "zh-hans")
    browser = logged_in(owner)
    browser.post("/accounts/preferences/", {"language": "", "time_zone": ""}, **ENGLISH)

    assert Preferences.objects.get(user=owner).language == ""
    assert _home(browser, **ENGLISH) == "en"


def test_an_unknown_time_zone_is_refused_with_a_message_and_nothing_is_saved(owner):
    browser = logged_in(owner)
    for zone in ("Mars/Olympus_Mons", "Asia/Shanghai\x00", "x" * 500):
        response = browser.post("/accounts/preferences/", {"language": "", "time_zone": zone})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert not Preferences.objects.filter(user=owner).exists()


def test_times_are_shown_in_the_person_s_time_zone_with_its_name(owner, settings):
    settings.TIME_ZONE = "UTC"
    made = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    video = make_video(owner, created_at=made, completed_at=made)
    choose(owner, "zh-hans", "Asia/Shanghai")

    html = logged_in(owner).get(f"/videos/{video.pk}/").content.decode()

    assert "2026年11月25日 18:00 CST" in html
    choose(owner, "en", "")
    html = logged_in(owner).get(f"/videos/{video.pk}/").content.decode()
    assert "Nov. 25, 2026, 10 a.m. UTC" in html


def test_the_quota_period_stays_the_site_s_whatever_the_person_s_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    # 20:00 UTC on 30 November is already 1 December on Kiritimati (UTC+14).
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    site = quota.period_bounds(moment)
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Kiritimati")):
        assert quota.period_bounds(moment) == site
    assert site[0] == datetime(2026, 11, 1, tzinfo=UTC)
