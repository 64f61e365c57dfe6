"""A person whose browser is set to Chinese (zh-CN) signs up, makes a video, watches it finish
and extends it, all in Chinese; then switches to English and the same pages are English.
Screenshots of both languages are saved with the others (artifacts/screenshots/)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Preferences
from tests.accounts.conftest import link_in_mail, mails_to
from tests.browser.test_studio_journey import _mark_page, _still_same_document, _wait_until_playable

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "一个不常见的长密码-42"


def _html_lang(page):
    return page.evaluate("document.documentElement.lang")


def test_a_chinese_browser_gets_the_whole_journey_in_chinese_then_switches_to_english(
    chinese_page, shoot, simulator, background_worker
):
    page = chinese_page
    simulator.delay = 2.0

    page.goto("/accounts/signup/")
    assert _html_lang(page) == "zh-hans"
    page.get_by_label("邮箱").fill("li.na@example.com")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("密码（重复）").fill(PASSWORD)
    shoot(page, "zh-01-signup")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_test_id("verification-sent")).to_contain_text("我们已给你发送了一封邮件")
    (confirmation,) = mails_to("li.na@example.com")
    assert re.search(r"[\u4e00-\u9fff]", confirmation.subject), confirmation.subject
    page.goto(link_in_mail(confirmation, "/accounts/confirm-email/"))
    page.get_by_role("button", name="确认").click()
    expect(page).to_have_url(re.compile(r"/videos/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的视频")
    expect(page.get_by_role("heading", name="还没有视频")).to_be_visible()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新建视频").click()
    expect(page.get_by_test_id("quota-note")).to_contain_text("本月你还可以生成 10 个视频")
    page.get_by_label("提示词", exact=True).fill("一只红狐狸在新雪中奔跑")
    expect(page.locator('[data-counter-for="id_prompt"]')).to_have_text("11 / 2000")
    page.get_by_label("画面比例").select_option("1:1")
    shoot(page, "zh-02-new-video")
    page.get_by_role("button", name="生成视频").click()

    expect(page).to_have_url(re.compile(r"/videos/[0-9a-f-]{36}/$"))
    _mark_page(page)
    expect(page.get_by_test_id("state")).to_have_text(re.compile("排队中|生成中"))
    expect(page.locator("[data-elapsed-since]")).to_have_text(re.compile(r"^\d+ 秒$"))
    shoot(page, "zh-03-in-flight")
    _wait_until_playable(page)
    assert _still_same_document(page)
    expect(page.get_by_test_id("state")).to_have_text("已完成")
    expect(page.locator("#live-announcer")).to_have_text("视频当前状态：已完成。")
    shoot(page, "zh-04-completed")

    page.get_by_text("延长此视频").click()
    page.get_by_label("接下来发生什么（可选）").fill("狐狸跳进了雪堆")
    page.get_by_role("button", name="延长", exact=True).click()
    _mark_page(page)
    _wait_until_playable(page)
    lineage = page.get_by_test_id("lineage")
    expect(lineage.locator(".node-link")).to_have_count(2)
    expect(lineage.locator('[aria-current="page"]')).to_contain_text("当前视频")
    expect(lineage).to_contain_text("第 1 次延长")
    shoot(page, "zh-05-extended")
    extension_url = page.url

    page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    expect(page).to_have_url(extension_url)
    assert _html_lang(page) == "en"
    expect(page.get_by_test_id("state")).to_have_text("Completed")
    expect(page.get_by_test_id("lineage")).to_contain_text("Extension 1")
    shoot(page, "en-06-after-switching")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My videos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My videos")
    assert Preferences.objects.get(user__email="li.na@example.com").language == "en"
    shoot(page, "en-07-my-videos")
    assert page.problems == [], page.problems
