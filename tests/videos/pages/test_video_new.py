import re

import pytest

from tests.factories import make_video, use_up_quota
from videos.models import QuotaEvent, Video

pytestmark = pytest.mark.django_db
URL = "/videos/new/"


def _form(**overrides):
    data = {
        "prompt": "A red fox running through fresh snow",
        "start_image_url": "",
        "end_image_url": "",
        "aspect_ratio": "9:16",
        "loop": "on",
        "enhancement": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, _form()).status_code == 302
    assert not Video.objects.exists()


def test_it_shows_the_form_with_the_remaining_quota_and_a_prompt_counter(browser, owner):
    use_up_quota(owner, 4)

    html = browser.get(URL).content.decode()

    assert "csrfmiddlewaretoken" in html
    assert "You can make <strong>6</strong> more videos this month (of 10)." in html
    assert 'data-counter="2000"' in html
    assert 'data-counter-for="id_prompt"' in html
    assert 'data-preview-for="id_start_image_url"' in html
    assert 'data-preview-for="id_end_image_url"' in html
    assert '<option value="16:9" selected>' in html
    assert re.search(r'<input type="checkbox" name="enhancement"[^>]* checked>', html)
    assert not re.search(r'<input type="checkbox" name="loop"[^>]* checked>', html)


def test_it_makes_the_video_and_goes_to_its_page(browser, owner):
    response = browser.post(URL, _form(start_image_url="https://example.com/first.png"))

    video = Video.objects.get()
    assert response.status_code == 302
    assert response.url == f"/videos/{video.pk}/"
    assert video.owner == owner
    assert video.action == "generate"
    assert video.prompt == "A red fox running through fresh snow"
    assert video.start_image_url == "https://example.com/first.png"
    assert (video.aspect_ratio, video.loop, video.enhancement) == ("9:16", True, True)
    assert QuotaEvent.objects.filter(video=video, kind="charge").count() == 1


def test_unticked_boxes_turn_loop_and_enhancement_off(browser):
    browser.post(URL, _form(loop=None, enhancement=None))

    video = Video.objects.get()
    assert (video.loop, video.enhancement) == (False, False)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"prompt": ""}, "prompt", "a prompt is required"),
        ({"prompt": "   "}, "prompt", "a prompt is required"),
        ({"prompt": "x" * 2001}, "prompt", "At most 2000 characters, this has 2001."),
        ({"prompt": "a\x07b"}, "prompt", "control characters"),
        ({"prompt": "a\x00b"}, "prompt", "Null characters are not allowed."),
        ({"start_image_url": "ftp://example.com/a.png"}, "start_image_url", "http:// or https://"),
        ({"end_image_url": "javascript:alert(1)"}, "end_image_url", "http:// or https://"),
        ({"end_image_url": "not a url"}, "end_image_url", "http:// or https://"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio", "Choose one of 16:9"),
    ],
)
def test_it_shows_each_service_error_beside_its_field_and_keeps_the_typed_input(
    browser, overrides, field, message
):
    data = _form(**overrides)

    response = browser.post(URL, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert message in errors[field][0]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html or (
        f'aria-describedby="id_{field}_error"' in html
    )
    assert response.context["form"]["prompt"].value() == data["prompt"]
    assert not Video.objects.exists()
    assert not QuotaEvent.objects.exists()


def test_it_keeps_the_typed_prompt_when_a_url_is_bad(browser):
    response = browser.post(URL, _form(prompt="A heron at dawn", start_image_url="nope"))

    assert "A heron at dawn</textarea>" in response.content.decode()


def test_it_says_when_the_quota_is_used_up_and_when_it_resets_before_any_submit(browser, owner):
    use_up_quota(owner)

    html = browser.get(URL).content.decode()

    assert 'data-testid="quota-used-up"' in html
    assert "You have used all 10 videos of this month." in html
    assert "Your allowance resets on <time datetime=" in html
    assert '<fieldset class="plain" disabled>' in html


def test_a_submit_past_the_quota_is_refused_with_its_message_and_nothing_made(browser, owner):
    use_up_quota(owner)
    before = Video.objects.count()

    response = browser.post(URL, _form(prompt="One too many"))

    assert response.status_code == 200
    assert (
        "You have used all 10 videos of this month"
        in response.context["form"].non_field_errors()[0]
    )
    assert "One too many</textarea>" in response.content.decode()
    assert Video.objects.count() == before


def test_at_the_cap_the_form_stays_open_and_the_video_waits_in_line(browser, owner):
    for _ in range(3):
        make_video(owner, state="processing")

    get = browser.get(URL).content.decode()
    post = browser.post(URL, _form())

    assert 'data-testid="quota-waits"' in get and '<fieldset class="plain">' in get
    assert post.status_code == 302
    waiting = Video.objects.get(state="queued")
    page = browser.get(f"/videos/{waiting.pk}/").content.decode()
    assert "waiting, 1st in line" in page


def test_it_says_when_the_line_is_full(browser, owner, settings):
    settings.QUOTA_MAX_WAITING = 1
    for _ in range(3):
        make_video(owner, state="processing")
    make_video(owner, state="queued")

    get = browser.get(URL).content.decode()
    post = browser.post(URL, _form())

    assert 'data-testid="quota-busy"' in get
    assert "Your line is full" in post.context["form"].non_field_errors()[0]
    assert Video.objects.count() == 4


def test_a_post_without_a_csrf_token_is_refused(owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)

    assert strict.post(URL, _form()).status_code == 403
    assert not Video.objects.exists()
