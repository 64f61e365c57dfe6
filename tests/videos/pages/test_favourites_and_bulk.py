"""Favourites (the star and the filter) and acting on several videos at once on My videos."""

import io
import uuid
import zipfile

import pytest

from tests.factories import make_video
from tests.videos.stored import MP4, make_stored_video
from videos import bulk, sharing
from videos.models import Video

URL = "/videos/"


def _ids(response):
    return [str(v.pk) for v in response.context["page"].object_list]


def test_the_star_marks_a_favourite_and_takes_the_mark_off(browser, owner):
    video = make_video(owner)

    response = browser.post(
        f"/videos/{video.pk}/favourite/", {"favourite": "1", "next": "/videos/?page=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/videos/?page=1"
    video.refresh_from_db()
    assert video.favourite is True

    answer = browser.post(
        f"/videos/{video.pk}/favourite/", {"favourite": "0"}, HTTP_ACCEPT="application/json"
    )
    assert answer.json() == {"favourite": False}
    video.refresh_from_db()
    assert video.favourite is False


def test_the_star_never_redirects_to_another_site(browser, owner):
    video = make_video(owner)

    response = browser.post(
        f"/videos/{video.pk}/favourite/", {"favourite": "1", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/videos/"


def test_no_one_else_can_star_my_video(other_browser, owner):
    video = make_video(owner)

    assert (
        other_browser.post(f"/videos/{video.pk}/favourite/", {"favourite": "1"}).status_code == 404
    )
    video.refresh_from_db()
    assert video.favourite is False


def test_each_card_and_the_video_page_carry_a_star(browser, owner):
    video = make_video(owner, favourite=True)

    assert browser.get(URL).content.decode().count('data-testid="star"') == 1
    page = browser.get(f"/videos/{video.pk}/").content.decode()
    assert 'aria-pressed="true"' in page and "★" in page


def test_the_favourites_filter_shows_only_starred_videos_and_keeps_across_pages(browser, owner):
    starred = [make_video(owner, favourite=True, age_seconds=i) for i in range(13)]
    make_video(owner)

    first = browser.get(URL, {"favourites": "1"})
    assert set(_ids(first)) <= {str(v.pk) for v in starred} and len(_ids(first)) == 12
    assert "favourites=1&amp;page=2" in first.content.decode()


def test_an_empty_favourites_filter_says_how_to_star(browser, owner):
    make_video(owner)

    html = browser.get(URL, {"favourites": "1"}).content.decode()

    assert "No favourites yet" in html


def test_the_list_with_the_filter_costs_a_fixed_number_of_queries(
    browser, owner, django_assert_max_num_queries
):
    for _ in range(10):
        make_video(owner, favourite=True)
    browser.get(URL)  # warm the session

    with django_assert_max_num_queries(8):
        assert browser.get(URL, {"favourites": "1"}).status_code == 200


def test_bulk_delete_deletes_the_chosen_finished_videos_and_keeps_the_rest(browser, owner, other):
    done = [make_video(owner) for _ in range(2)]
    running = make_video(owner, state="processing")
    untouched = make_video(owner)
    theirs = make_video(other)

    response = browser.post(
        "/videos/selected/delete/",
        {"ids": [str(v.pk) for v in (*done, running, theirs)], "next": "/videos/"},
        follow=True,
    )

    html = response.content.decode()
    assert "2 videos were deleted." in html
    assert "1 video is still being made and was kept." in html
    assert set(Video.objects.values_list("pk", flat=True)) == {running.pk, untouched.pk, theirs.pk}


@pytest.mark.parametrize(
    "ids, words",
    [
        ([], "Choose at least one video first."),
        (["not-a-uuid"], "Choose videos from your list."),
        (["\x00"], "Choose videos from your list."),
        ([str(uuid.uuid4()) for _ in range(bulk.MAX_SELECTED + 1)], "Choose at most 100 videos"),
    ],
)
def test_a_bad_selection_is_refused_with_a_message_and_changes_nothing(browser, owner, ids, words):
    video = make_video(owner)

    for path in ("/videos/selected/delete/", "/videos/selected/zip/"):
        response = browser.post(path, {"ids": ids}, follow=True)
        assert response.status_code == 200
        assert words in response.content.decode()
    assert Video.objects.filter(pk=video.pk).exists()


def test_the_zip_holds_each_chosen_stored_video_under_a_readable_name(browser, owner, other):
    first = make_stored_video(owner, prompt="A fox in the snow")
    second = make_stored_video(owner, prompt="A fox in the snow")
    uncopied = make_video(owner, media_state="pending")
    theirs = make_stored_video(other, prompt="Not yours")

    response = browser.post(
        "/videos/selected/zip/", {"ids": [str(v.pk) for v in (first, second, uncopied, theirs)]}
    )

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="luma-videos-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    day = f"{first.created_at:%Y-%m-%d}"
    assert sorted(archive.namelist()) == [
        f"a-fox-in-the-snow-{day}-2.mp4",
        f"a-fox-in-the-snow-{day}.mp4",
    ]
    assert archive.testzip() is None
    assert all(archive.read(name) == MP4 for name in archive.namelist())


def test_the_zip_is_sent_in_pieces_as_it_is_written(owner):
    videos = [make_stored_video(owner) for _ in range(3)]

    pieces = list(bulk.zip_chunks(videos))

    biggest = max(len(piece) for piece in pieces)
    assert biggest <= bulk.CHUNK + 1024  # one chunk and a header, never the whole archive
    assert sum(len(piece) for piece in pieces) > 3 * len(MP4)


def test_a_zip_of_videos_without_copies_says_so_instead(browser, owner):
    video = make_video(owner, media_state="pending")

    response = browser.post("/videos/selected/zip/", {"ids": [str(video.pk)]}, follow=True)

    assert "None of the chosen videos has a stored copy" in response.content.decode()


def test_the_list_offers_the_bulk_actions_with_a_box_per_card(browser, owner):
    make_video(owner)

    html = browser.get(URL).content.decode()

    assert 'id="bulk-form"' in html and 'form="bulk-form"' in html
    assert 'data-testid="bulk-zip"' in html and 'data-testid="bulk-delete"' in html


def test_a_card_says_when_its_video_is_shared(browser, owner):
    shared = make_stored_video(owner)
    sharing.share(shared)
    make_stored_video(owner)

    html = browser.get(URL).content.decode()

    assert html.count('data-testid="shared-badge"') == 1
