"""Each email is written in its reader's language: the one they chose on their account, or,
before they have one, the language of the page that sent it."""

from django.core import mail
from django.test import Client

from accounts import invitations, standing, teams
from accounts.models import Membership, Team
from tests.accounts.conftest import mails_to, signup_form
from tests.conftest import logged_in
from tests.factories import make_video
from tests.i18n.conftest import choose
from videos import asking

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_the_confirmation_email_is_in_the_language_of_the_sign_up_page(db, settings):
    settings.SIGNUP_POLICY = "open"
    Client().post("/accounts/signup/", signup_form("nina@example.com"), **CHINESE)
    Client().post("/accounts/signup/", signup_form("sam@example.com"), **ENGLISH)

    (chinese,) = mails_to("nina@example.com")
    (english,) = mails_to("sam@example.com")
    assert "确认" in chinese.subject and "/accounts/confirm-email/" in chinese.body
    assert "Confirm" in english.subject


def test_a_password_reset_is_mailed_in_the_language_the_person_chose(owner):
    choose(owner, "zh-hans")
    Client().post("/accounts/password/reset/", {"email": owner.email}, **ENGLISH)

    (message,) = mails_to(owner.email)
    assert "密码" in message.subject and "/accounts/password/reset/key/" in message.body


def test_an_approval_is_mailed_in_the_person_s_language_whatever_staff_read(owner, staff):
    choose(owner, "zh-hans")
    standing.request_approval(owner)
    admin = logged_in(staff)
    admin.post(
        "/admin/auth/user/",
        {"action": "approve_accounts", "_selected_action": [owner.pk]},
        **ENGLISH,
    )

    (message,) = mails_to(owner.email)
    assert message.subject.endswith("你的账户已审核通过")
    assert "站点管理员已审核通过你的 Luma Studio 账户" in message.body


def test_an_approval_for_someone_who_never_chose_is_in_the_site_s_language(owner, staff):
    standing.request_approval(owner)
    standing.approve([owner], by=staff)

    (message,) = mails_to(owner.email)
    assert message.subject.endswith("Your account is approved")


def test_an_invitation_is_written_in_the_language_it_is_sent_in(owner):
    invitations.issue("nina@example.com", by=owner, language="zh-hans")
    invitations.issue("sam@example.com", by=owner)

    (chinese,) = mails_to("nina@example.com")
    (english,) = mails_to("sam@example.com")
    assert (
        chinese.subject.endswith("你的邀请") and "邀请你在 Luma Studio 上制作视频" in chinese.body
    )
    assert english.subject.endswith("Your invitation")


def test_staff_reading_the_admin_in_chinese_send_invitations_in_chinese(staff):
    admin = logged_in(staff)
    admin.post("/admin/accounts/invitation/add/", {"emails": "nina@example.com"}, **CHINESE)

    (message,) = mails_to("nina@example.com")
    assert message.subject.endswith("你的邀请")
    assert mail.outbox[0].body.count("/accounts/invitation/") == 1


def test_the_team_and_ask_for_more_emails_are_in_each_reader_s_language(
    owner, other, staff, django_capture_on_commit_callbacks
):
    team = Team.objects.create(name="四年级二班", videos_per_period=10)
    Membership.objects.create(team=team, user=staff, role="manager")
    choose(other, "zh-hans")
    teams.invite(team, other.email, by=staff)
    (added,) = mails_to(other.email)
    assert "你已加入团队 四年级二班" in added.subject and "计入团队预算" in added.body

    Membership.objects.filter(user=other).update(videos_per_period=1)
    make_video(other, team=team)
    choose(staff, "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        asked = asking.ask(other, team, 2, "学校演出", "http://testserver")
    (to_manager,) = mails_to(staff.email)
    assert "申请追加 2 个视频" in to_manager.subject and "学校演出" in to_manager.body
    with django_capture_on_commit_callbacks(execute=True):
        asking.decide(asked, staff, approve=True, base_url="http://testserver")
    answer = mails_to(other.email)[-1]
    assert "已获批准" in answer.subject and "再生成 2 个视频" in answer.body
