from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from tests.factories import make_video
from videos import quota as services
from videos.models import QuotaEvent, Video


@pytest.mark.parametrize(
    "period, start, end",
    [
        ("day", datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)),
        ("week", datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),
        ("month", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ],
)
def test_periods_start_and_reset_on_calendar_boundaries(period, start, end):
    now = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)

    assert services.period_bounds(now, period) == (start, end)


def test_december_resets_in_january():
    _, end = services.period_bounds(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "month")

    assert end == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_charge_from_last_period_does_not_count_now(owner):
    video = make_video(owner, charge=False)
    last_month = services.period_bounds(datetime(2026, 1, 15, tzinfo=UTC))[0]
    services.charge(video, last_month)

    assert services.quota_status(owner).used == 0


def test_a_release_gives_back_exactly_one_charge_however_often_called(owner):
    video = make_video(owner, state=Video.State.FAILED)

    assert services.release(video, "failed") is True
    assert services.release(video, "failed") is False

    assert services.quota_status(owner).used == 0
    assert QuotaEvent.objects.filter(video=video).count() == 2


def test_a_release_of_a_job_never_charged_changes_nothing(owner):
    video = make_video(owner, charge=False)

    assert services.release(video, "failed") is False
    assert not QuotaEvent.objects.exists()


def test_deleting_a_video_keeps_its_charge(owner):
    video = make_video(owner)

    video.delete()

    assert services.quota_status(owner).used == 1


def test_every_new_user_gets_an_allowance_with_site_defaults(owner, settings):
    settings.QUOTA_VIDEOS_PER_PERIOD = 7

    assert owner.allowance.limit == 7
    assert services.quota_status(owner, timezone.now()).can_submit


def test_a_ledger_line_s_reason_reads_in_the_reader_s_language(owner):
    video = make_video(owner, state=Video.State.FAILED)
    services.release(video, "failed: forbidden")
    charge, release = QuotaEvent.objects.filter(video=video).order_by("amount").reverse()

    assert charge.reason == "generate accepted"  # the record stays as written
    assert services.reason_text(charge) == "Accepted: Generate"
    assert services.reason_text(release) == "Given back: the job failed (forbidden)"
    with translation.override("zh-hans"):
        assert services.reason_text(charge) == "已受理：生成"
        assert services.reason_text(release) == "已退还：任务失败（forbidden）"
    assert services.reason_text(QuotaEvent(reason="moved by staff")) == "moved by staff"
