import pytest

from tests.factories import make_video, use_up_quota
from videos.models import Video

pytestmark = pytest.mark.django_db
URL = "/videos/extend/"


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_it_shows_the_form(browser):
    html = browser.get(URL).content.decode()

    for name in ("video_id", "video_url", "prompt", "end_image_url"):
        assert f'name="{name}"' in html
    assert "csrfmiddlewaretoken" in html


def test_it_extends_a_video_made_elsewhere_by_its_video_id(browser, owner):
    response = browser.post(URL, {"video_id": "upstream-123", "prompt": "And then it rains"})

    video = Video.objects.get()
    assert response.url == f"/videos/{video.pk}/"
    assert (video.action, video.source_video_id, video.parent) == ("extend", "upstream-123", None)
    assert video.prompt == "And then it rains"


def test_it_extends_a_video_made_elsewhere_by_its_address(browser):
    browser.post(URL, {"video_url": "https://example.com/clip.mp4"})

    video = Video.objects.get()
    assert video.source_video_url == "https://example.com/clip.mp4"
    assert video.source_video_id == ""


def test_a_video_id_of_my_own_video_links_it_into_its_family(browser, owner):
    mine = make_video(owner)

    browser.post(URL, {"video_id": mine.video_id})

    child = Video.objects.exclude(pk=mine.pk).get()
    assert child.parent == mine and child.root_id == mine.pk and child.depth == 1


def test_another_users_video_id_is_extended_like_one_made_elsewhere(browser, owner, other):
    theirs = make_video(other)

    response = browser.post(URL, {"video_id": theirs.video_id})

    child = Video.objects.get(owner=owner)
    assert response.status_code == 302 and response.url == f"/videos/{child.pk}/"
    assert child.parent is None and child.source_video_id == theirs.video_id
    assert not theirs.children.exists()


def test_it_asks_for_a_video_when_none_is_given(browser):
    response = browser.post(URL, {"prompt": "More"})

    assert response.status_code == 200
    # In the form's own words, not the API's field names (issue 15).
    assert response.context["form"].non_field_errors() == [
        "Give the Luma video id or the video's address, or upload the video."
    ]
    assert "More</textarea>" in response.content.decode()
    assert "parent" not in response.content.decode().split("<main")[1].split("</form>")[0]
    assert not Video.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"video_id": "a", "video_url": "https://example.com/v.mp4"}, "video_url"),
        ({"video_url": "file:///etc/passwd"}, "video_url"),
        ({"video_id": "x" * 101}, "video_id"),
        ({"video_id": "abc", "end_image_url": "ftp://x/y.png"}, "end_image_url"),
        ({"video_id": "abc", "prompt": "p" * 2001}, "prompt"),
    ],
)
def test_it_shows_each_service_error_beside_its_field(browser, data, field):
    response = browser.post(URL, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Video.objects.exists()


def test_both_sources_are_refused_in_the_forms_own_words(browser):
    response = browser.post(URL, {"video_id": "a", "video_url": "https://example.com/v.mp4"})

    html = response.content.decode()
    assert "Give only one of these: the Luma video id, the address or a file." in html
    assert "parent, video_id" not in html and "video_id and video_url" not in html
    assert not Video.objects.exists()


def test_it_says_when_the_quota_is_used_up(browser, owner):
    use_up_quota(owner)

    html = browser.get(URL).content.decode()
    response = browser.post(URL, {"video_id": "upstream-1"})

    assert 'data-testid="quota-used-up"' in html
    assert "You have used all 10 videos" in response.context["form"].non_field_errors()[0]
