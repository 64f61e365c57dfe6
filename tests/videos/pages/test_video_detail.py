import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_video, use_up_quota
from videos.errors import UpstreamUnavailable
from videos.models import QuotaEvent, Video

pytestmark = pytest.mark.django_db


def _url(video, suffix=""):
    return f"/videos/{video.pk}/{suffix}"


def test_it_needs_a_login(client, owner):
    video = make_video(owner)

    assert client.get(_url(video)).status_code == 302


def test_another_users_video_is_a_404_page(other_browser, owner):
    video = make_video(owner)

    for response in (
        other_browser.get(_url(video)),
        other_browser.post(_url(video, "extend/"), {"prompt": "steal"}),
        other_browser.post(_url(video, "refresh/")),
        other_browser.post(_url(video, "delete/")),
    ):
        assert response.status_code == 404
        assert "Nothing here" in response.content.decode()
    assert Video.objects.count() == 1


def test_an_unknown_id_is_a_404_page(browser):
    response = browser.get("/videos/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert b"<!doctype html>" in response.content


def test_a_completed_video_has_a_player_with_poster_and_real_size(browser, owner):
    video = make_video(owner, loop=True, aspect_ratio="16:9", video_width=320, video_height=180)

    html = browser.get(_url(video)).content.decode()

    assert f'src="{video.video_url}"' in html
    assert f'poster="{video.thumbnail_url}"' in html
    assert 'width="320" height="180"' in html
    assert " loop" in html
    assert f'href="{video.video_url}" download>Download' in html
    # Copy link copies the share link, never AceDataCloud's address that expires (issue 15).
    assert "data-copy=" not in html and 'data-testid="share-later"' in html
    assert 'data-state="completed"' in html
    assert video.prompt in html


def test_an_in_flight_video_shows_its_state_and_elapsed_time_and_polls(browser, owner):
    video = make_video(owner, state="processing", age_seconds=75)

    html = browser.get(_url(video)).content.decode()

    assert 'data-state="processing"' in html
    assert "<video" not in html
    assert 'data-testid="pending"' in html
    assert "1 min 1" in html  # 1 min 15 s, give or take the test's own time
    assert f'data-api-url="/api/v1/videos/{video.pk}/"' in html
    assert "js/video-page.js" in html
    assert 'action="' + _url(video, "refresh/") + '"' in html


def test_a_failed_video_shows_the_readable_message(browser, owner):
    video = make_video(owner, state="failed", error_code="api_error", error_message="fetch failed")

    html = browser.get(_url(video)).content.decode()

    assert 'data-testid="failure"' in html
    assert "fetch failed" in html
    assert "did not count against your allowance" in html
    assert "Extend this video" not in html


def test_the_lineage_shows_the_family_from_the_root_with_branches_and_the_current_one(
    browser, owner
):
    root = make_video(owner, prompt="Root")
    left = make_video(root.owner, parent=root, prompt="Left branch")
    right = make_video(root.owner, parent=root, prompt="Right branch")
    grandchild = make_video(left.owner, parent=left, prompt="Deeper")

    html = browser.get(_url(left)).content.decode()

    for video in (root, left, right, grandchild):
        assert f'href="/videos/{video.pk}/"' in html
    assert f'href="/videos/{left.pk}/" aria-current="page"' in html
    assert html.count('aria-current="page"') == 1
    assert "2 branches" in html
    assert 'Family tree <span class="muted">(4 videos)' in html
    tree = html[html.index('data-testid="lineage"') :]
    assert tree.index("Root") < tree.index("Left branch") < tree.index("Deeper")
    assert tree.index("Deeper") < tree.index("Right branch")  # depth first, oldest first


def test_the_page_makes_a_constant_number_of_queries_for_a_big_family(browser, owner):
    root = make_video(owner)
    with CaptureQueriesContext(connection) as small:
        browser.get(_url(root))
    node = root
    for _ in range(8):
        node = make_video(node.owner, parent=node)
        make_video(node.owner, parent=node)

    with CaptureQueriesContext(connection) as big:
        browser.get(_url(root))

    assert len(big) == len(small)


def test_it_extends_the_video_and_goes_to_the_child(browser, owner):
    parent = make_video(owner)

    response = browser.post(
        _url(parent, "extend/"), {"prompt": "It starts to snow", "end_image_url": ""}
    )

    child = Video.objects.exclude(pk=parent.pk).get()
    assert response.url == _url(child)
    assert (child.parent, child.root_id, child.depth) == (parent, parent.pk, 1)
    assert child.source_video_id == parent.video_id
    assert child.prompt == "It starts to snow"
    assert QuotaEvent.objects.filter(video=child, kind="charge").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"prompt": "p" * 2001}, "prompt"),
        ({"end_image_url": "ftp://example.com/last.png"}, "end_image_url"),
    ],
)
def test_an_extend_with_bad_input_reopens_the_form_with_the_error_and_the_typed_input(
    browser, owner, data, field
):
    parent = make_video(owner)

    response = browser.post(_url(parent, "extend/"), data)

    assert response.status_code == 200
    assert field in response.context["extend_form"].errors
    html = response.content.decode()
    assert '<details class="extend" open' in html
    assert f'id="id_{field}_error"' in html
    assert Video.objects.count() == 1


def test_an_unfinished_video_cannot_be_extended(browser, owner):
    parent = make_video(owner, state="processing")

    response = browser.post(_url(parent, "extend/"), {"prompt": "more"})

    assert response.status_code == 200
    assert (
        "Only a completed video can be extended."
        in response.context["extend_form"].errors["__all__"]
    )
    assert Video.objects.count() == 1


def test_an_extend_past_the_quota_says_when_it_resets(browser, owner):
    parent = make_video(owner)
    use_up_quota(owner)
    count = Video.objects.count()

    page = browser.get(_url(parent)).content.decode()
    response = browser.post(_url(parent, "extend/"), {"prompt": "more"})

    assert 'data-testid="quota-used-up"' in page
    assert "resets at" in response.context["extend_form"].non_field_errors()[0]
    assert Video.objects.count() == count


def test_extend_takes_only_a_post(browser, owner):
    assert browser.get(_url(make_video(owner), "extend/")).status_code == 405


def test_check_now_asks_the_service_and_returns_to_the_page(browser, owner, monkeypatch):
    video = make_video(owner, state="processing")
    asked = []
    monkeypatch.setattr("videos.services.refresh", lambda v: asked.append(v.pk) or v)

    response = browser.post(_url(video, "refresh/"), follow=True)

    assert asked == [video.pk]
    assert response.redirect_chain == [(_url(video), 302)]
    assert "Still in progress" in response.content.decode()


def test_check_now_explains_an_upstream_outage_instead_of_failing(browser, owner, monkeypatch):
    video = make_video(owner, state="processing")

    def down(v):
        raise UpstreamUnavailable("AceDataCloud did not answer in time")

    monkeypatch.setattr("videos.services.refresh", down)

    response = browser.post(_url(video, "refresh/"), follow=True)

    assert response.status_code == 200
    assert "did not answer in time" in response.content.decode()


def test_it_plays_and_downloads_our_stored_copy_once_there_is_one(browser, owner):
    video = make_video(
        owner, media_state="done", video_file="videos/1/a.mp4", thumbnail_file="videos/1/a.jpg"
    )

    html = browser.get(_url(video)).content.decode()

    assert f'src="/files/{video.pk}/video/"' in html
    assert f'poster="/files/{video.pk}/thumbnail/"' in html
    assert f'href="/files/{video.pk}/video/?download=1" download>' in html
    assert "data-copy=" not in html  # Copy link belongs to the share link (test_share_page.py)


def test_deleting_a_finished_video_goes_back_to_my_videos(browser, owner):
    video = make_video(owner)

    response = browser.post(_url(video, "delete/"), follow=True)

    assert response.redirect_chain == [("/videos/", 302)]
    assert "The video was deleted." in response.content.decode()
    assert not Video.objects.filter(pk=video.pk).exists()
    assert browser.get(_url(video)).status_code == 404


def test_a_video_in_flight_cannot_be_deleted(browser, owner):
    video = make_video(owner, state="processing")

    response = browser.post(_url(video, "delete/"), follow=True)

    assert response.redirect_chain == [(_url(video), 302)]
    assert "still being made" in response.content.decode()
    assert Video.objects.filter(pk=video.pk).exists()
    assert "Delete video" not in response.content.decode()


def test_a_deleted_parent_stays_in_the_tree_without_a_link(browser, owner):
    parent = make_video(owner, prompt="The original")
    child = make_video(parent.owner, parent=parent, prompt="The sequel")
    browser.post(_url(parent, "delete/"))

    html = browser.get(_url(child)).content.decode()

    assert "Deleted video" in html
    assert f'href="/videos/{parent.pk}/"' not in html
    assert "The original" not in html


def test_an_extension_of_a_video_made_elsewhere_is_not_called_original_in_its_tree(browser, owner):
    video = make_video(owner, action="extend", source_video_id="made-elsewhere-1")

    tree = browser.get(_url(video)).content.decode().split('data-testid="lineage"')[1]

    assert "Extension of a video made elsewhere" in tree and "Original" not in tree


def test_a_job_refused_when_sent_does_not_say_it_failed_in_0_s(browser, owner):
    now = timezone.now()
    video = make_video(
        owner,
        state=Video.State.FAILED,
        task_id=None,
        submitted_at=None,
        created_at=now,
        completed_at=now,
        error_code="forbidden",
        error_params={"kind": "upstream"},
    )

    status = browser.get(_url(video)).content.decode().split('data-live="status"')[1]

    assert "in 0 s" not in status.split("</section>")[0]


def test_a_finished_job_still_says_how_long_it_took(browser, owner):
    video = make_video(owner, age_seconds=75)

    status = browser.get(_url(video)).content.decode().split('data-live="status"')[1]

    assert "in 1 min" in status.split("</section>")[0]
