"""An invited person in real Chromium: the invitation email's link -> the sign-up form for
their address -> the confirmation email -> signed in -> a video made and finished."""

import re

import pytest
from playwright.sync_api import expect

from accounts import invitations
from accounts.models import Invitation
from tests.accounts.conftest import link_in_mail, mails_to
from videos.models import Video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "a-long-unusual-passphrase-42"


def test_an_invited_person_signs_up_confirms_and_makes_a_video(
    page, shoot, settings, simulator, background_worker
):
    settings.SIGNUP_POLICY = "invite"
    simulator.delay = 1.0
    invitations.issue("maya@school.edu")
    invitation_link = link_in_mail(mails_to("maya@school.edu")[0], "/accounts/invitation/")

    page.goto("/accounts/signup/")  # without the link: no form
    expect(page.get_by_test_id("signup-closed")).to_contain_text("by invitation only")
    page.goto(invitation_link)
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.get_by_test_id("invited")).to_be_visible()
    email = page.get_by_label("Email")
    expect(email).to_have_value("maya@school.edu")
    expect(email).to_have_attribute("readonly", "")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    shoot(page, "11-invited-signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_test_id("verification-sent")).to_be_visible()
    shoot(page, "12-check-your-email")
    confirmation = mails_to("maya@school.edu")[-1]
    page.goto(link_in_mail(confirmation, "/accounts/confirm-email/"))
    expect(page.get_by_text("maya@school.edu")).to_be_visible()
    shoot(page, "13-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/videos/$"))
    expect(page.get_by_test_id("account-notice")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New video").click()
    page.get_by_label("Prompt", exact=True).fill("A paper boat drifts down a rainy street")
    page.get_by_role("button", name="Make the video").click()
    expect(page.get_by_test_id("state")).to_have_text("Completed", timeout=20_000)
    shoot(page, "14-invited-first-video")

    assert Invitation.objects.get().accepted_by.email == "maya@school.edu"
    assert Video.objects.get(owner__email="maya@school.edu").state == Video.State.COMPLETED
    assert page.get_by_test_id("player").is_visible()
    assert page.problems == [], page.problems
    page.goto(invitation_link)  # used now: a clear page (410 Gone), not a form
    expect(page.get_by_role("heading", name="This invitation was already used")).to_be_visible()
