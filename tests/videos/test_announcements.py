"""The lifecycle announces every change a person would see, once it commits, to the
pages showing it (videos/events.publish): queued, sent, retrying, ended, media stored."""

from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import make_video
from tests.fakes import success_body
from videos import events, media, services
from videos.acedata import AceDataError
from videos.models import MediaState, Video


@pytest.fixture
def published():
    with mock.patch.object(events, "publish", autospec=True) as publish:
        yield publish


def _kinds(published, video):
    return [
        call.args[2] if len(call.args) > 2 else "changed"
        for call in published.call_args_list
        if call.args[1] == video.pk
    ]


def test_a_new_job_is_announced_only_once_it_commits(
    owner, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as pending:
        video = services.submit(owner, {"prompt": "A fox"})
        assert published.call_count == 0
    for callback in pending:
        callback()

    published.assert_any_call(owner.pk, video.pk)


def test_sent_retrying_and_ended_are_each_announced_to_the_owner(
    owner, published, fake_upstream, django_capture_on_commit_callbacks
):
    video = services.submit(owner, {"prompt": "A fox"})
    fake_upstream.submit_script = [AceDataError("AceDataCloud had an internal error")]
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch(video.pk)  # a transient error: retrying
    Video.objects.filter(pk=video.pk).update(next_attempt_at=timezone.now())  # due again
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch(video.pk)  # accepted: sent
    video.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_result(video, success_body(video.task_id), video.task_id)  # ended

    assert _kinds(published, video) == ["changed", "changed", "ended"]
    assert {call.args[0] for call in published.call_args_list} == {owner.pk}


def test_a_callback_that_changes_nothing_announces_nothing(
    owner, published, django_capture_on_commit_callbacks
):
    video = make_video(owner)  # already completed
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_result(video, success_body(video.task_id), video.task_id)

    assert published.call_count == 0


def test_our_stored_copy_is_announced(owner, published, monkeypatch):
    video = make_video(owner, media_state=MediaState.PENDING, media_next_attempt_at=timezone.now())
    monkeypatch.setattr(media, "_fetch", lambda url, base, *a: (f"{base}.bin", 3, "abc"))

    assert media.copy(video.pk)

    published.assert_called_once_with(owner.pk, video.pk)
