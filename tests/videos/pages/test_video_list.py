import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_video

pytestmark = pytest.mark.django_db
URL = "/videos/"


def _ids(response):
    return [str(v.pk) for v in response.context["page"].object_list]


def test_it_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_it_explains_how_to_start_when_there_are_no_videos(browser):
    response = browser.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html
    assert 'href="/videos/new/"' in html


def test_it_shows_my_videos_newest_first_and_not_anyone_elses(browser, owner, other):
    old = make_video(owner, age_seconds=600, prompt="An old lighthouse")
    new = make_video(owner, age_seconds=5, prompt="A new harbour")
    make_video(other, prompt="Oscar's secret video")

    response = browser.get(URL)

    assert _ids(response) == [str(new.pk), str(old.pk)]
    assert "Oscar&#x27;s secret video" not in response.content.decode()


def test_each_card_has_a_thumbnail_state_prompt_age_and_extension_badge(browser, owner):
    parent = make_video(owner, prompt="A fox")
    make_video(parent.owner, parent=parent, prompt="The fox jumps")
    make_video(owner, state="processing", prompt="Still rendering")

    html = browser.get(URL).content.decode()

    assert f'src="{parent.thumbnail_url}" alt="Still from: A fox"' in html
    assert html.count('class="badge badge-extend">Extension<') == 1
    assert 'class="badge badge-processing">Processing<' in html
    assert "Rendering…" in html  # the in-flight placeholder
    assert "The fox jumps" in html
    assert "just now</time>" in html  # the age; never "0 minutes ago"


def test_it_filters_by_state(browser, owner):
    done = make_video(owner)
    failed = make_video(owner, state="failed", error_message="fetch failed")

    assert _ids(browser.get(URL, {"state": "failed"})) == [str(failed.pk)]
    assert _ids(browser.get(URL, {"state": "completed"})) == [str(done.pk)]


def test_an_unknown_state_filter_shows_everything_instead_of_failing(browser, owner):
    make_video(owner)

    response = browser.get(URL, {"state": "exploded"})

    assert response.status_code == 200
    assert len(_ids(response)) == 1


def test_it_searches_prompts_by_every_word(browser, owner):
    fox = make_video(owner, prompt="A red fox in the snow")
    make_video(owner, prompt="A red car in the rain")

    assert _ids(browser.get(URL, {"q": "snow RED"})) == [str(fox.pk)]


def test_a_search_with_no_match_says_so_and_offers_to_clear_it(browser, owner):
    make_video(owner)

    html = browser.get(URL, {"q": "zebra"}).content.decode()

    assert "No videos match" in html
    assert 'data-testid="empty-state"' not in html


def test_it_paginates_and_keeps_the_filter_in_the_page_links(browser, owner):
    for i in range(14):
        make_video(owner, age_seconds=i, prompt=f"fox number {i}")

    first = browser.get(URL, {"q": "fox"})
    second = browser.get(URL, {"q": "fox", "page": 2})

    assert len(_ids(first)) == 12 and len(_ids(second)) == 2
    assert "?q=fox&amp;page=2" in first.content.decode()
    assert set(_ids(first)).isdisjoint(_ids(second))


@pytest.mark.parametrize("page", ["999", "abc", "-1", ""])
def test_a_bad_page_number_shows_a_page_instead_of_failing(browser, owner, page):
    make_video(owner)

    assert browser.get(URL, {"page": page}).status_code == 200


def test_it_makes_the_same_number_of_queries_however_many_videos_there_are(browser, owner):
    make_video(owner)
    with CaptureQueriesContext(connection) as few:
        browser.get(URL)
    for i in range(11):
        parent = make_video(owner, prompt=f"video {i}")
        if i % 2:
            make_video(parent.owner, parent=parent)
    make_video(owner, state="processing")

    with CaptureQueriesContext(connection) as many:
        response = browser.get(URL)

    assert len(_ids(response)) == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 4  # session, user, count, page


def test_a_video_made_seconds_ago_reads_just_now_not_0_minutes_ago(browser, owner):
    make_video(owner, age_seconds=5)
    make_video(owner, age_seconds=3 * 60 + 5)

    html = browser.get(URL).content.decode()

    assert "0 minutes ago" not in html and "just now" in html
    assert "3\xa0minutes ago" in html


def test_a_failed_card_says_why_in_one_line_in_the_readers_words(browser, owner):
    make_video(
        owner,
        state="failed",
        error_code="forbidden",
        error_params={"kind": "upstream"},
    )

    html = browser.get(URL).content.decode()

    assert 'data-testid="card-failure"' in html
    assert "moderation refused this prompt" in html


def test_only_finished_cards_offer_a_hover_preview(browser, owner):
    done = make_video(owner)
    make_video(owner, state="processing")
    make_video(owner, state="failed", error_code="forbidden")

    html = browser.get(URL).content.decode()

    assert html.count("data-preview=") == 1
    assert f'data-preview="{done.video_url}"' in html
