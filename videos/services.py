"""The job lifecycle: create under the quota lock, submit upstream, record what comes back.

Every state change is a compare-and-set update on the current state, so a
webhook racing a poller, or two workers, can never both apply a transition,
and a terminal state never regresses.
"""

import contextlib
import logging
import time

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.standing import video_refusal

from . import budgets, failures, line, media, quota, uploads
from .acedata import AceDataError, get_client
from .errors import AccountNotReady, Conflict, InvalidCallback, NotFound, UpstreamUnavailable
from .models import MediaState, Upload, Video
from .retry import retry_delay
from .signals import job_changed, job_ended
from .validation import JobRequest, build_request, count_of
from .wire import Outcome, parse_result

logger = logging.getLogger(__name__)
IN_FLIGHT = Video.IN_FLIGHT_STATES
# What receive_callback and the transitions it leads to (complete, fail, release) read.
CALLBACK_FIELDS = ("owner_id", "action", "state", "task_id", "callback_secret", "submitted_at")


def submit(user, data: dict) -> Video:
    """Validate, charge and create a job; it is sent upstream once the row is committed."""
    return submit_all(user, data)[0]


def submit_all(user, data: dict) -> list[Video]:
    """Like submit, for `count` (1 to 4) variations at once: all are charged, or none."""
    check_account(user)
    data = take_uploads(user, data)
    count = count_of(data.get("count"))
    return create_jobs(user, build_request(user, data), count)


def take_uploads(user, data: dict) -> dict:
    """Store the files a request carries (start_image, end_image, video_file) and put their
    addresses where an address goes; InvalidRequest for a file that is unfit."""
    check_account(user)
    return uploads.take(user, data)


def upload(user, file) -> Upload:
    """Store a file uploaded on its own (POST /api/v1/uploads/) for use in later requests."""
    check_account(user)
    return uploads.save(user, file, "file")


def check_account(user) -> None:
    """Refuse an account that may not make videos yet, before its request is even read."""
    refusal = video_refusal(user)
    if refusal is not None:
        raise AccountNotReady(refusal.message, refusal.code)


def create_job(user, req: JobRequest) -> Video:
    return create_jobs(user, req, 1)[0]


def create_jobs(user, req: JobRequest, count: int = 1) -> list[Video]:
    """Charge and create `count` identical jobs under the allowance's lock, all or none."""
    with transaction.atomic():
        status = budgets.lock_and_check(user, req.team, count=count)
        videos = [_new_video(user, req) for _ in range(count)]
        for video in videos:
            quota.charge(video, status.period_start)
        uploads.mark_used([req.start_image_url, req.end_image_url, req.source_video_url])
        ids = [video.pk for video in videos]
        transaction.on_commit(lambda: [_enqueue_dispatch(pk) for pk in ids])
        for video in videos:
            _changed(video)
    return videos


def _new_video(user, req: JobRequest) -> Video:
    video = Video(
        owner=user,
        team=req.team,
        action=req.action,
        **{name: getattr(req, name) for name in Video.SETTINGS},
        source_video_id=req.source_video_id,
        source_video_url=req.source_video_url,
        next_attempt_at=timezone.now(),
    )
    if req.parent is not None:
        video.parent = req.parent
        video.root_id = req.parent.root_id or req.parent.pk
        video.depth = req.parent.depth + 1
    video.save()
    return video


def settings_of(video: Video) -> dict:
    """A request for a new job with this video's settings (retry, "use these settings")."""
    data = {name: getattr(video, name) for name in Video.SETTINGS}
    data["action"] = video.action
    if video.action == Video.Action.EXTEND:
        data.pop("start_image_url")
        if video.parent_id and video.parent and not video.parent.is_deleted:
            data["parent"] = video.parent_id
        elif video.source_video_id:
            data["video_id"] = video.source_video_id
        else:
            data["video_url"] = video.source_video_url
    if video.team_id is not None:  # again for the same team, while the owner is still in it
        data["team"] = video.team.uuid
    return data


def retry(video: Video) -> Video:
    """Make a failed video again with the same settings: a new job; the failed one stays."""
    if video.state != Video.State.FAILED:
        raise Conflict(_("Only a video that failed can be tried again."), code="not_failed")
    return submit(video.owner, settings_of(video))


def cancel_waiting(video: Video) -> bool:
    """The owner stops a job not yet sent upstream; its quota comes back at once.

    Conflict once it has been sent (or is being sent): AceDataCloud offers no way to stop a
    job, so it runs to its end.
    """
    if not video.is_in_flight:
        raise Conflict(_("This video has already finished."), code="not_in_flight")
    params = {"kind": failures.CANCELLED, "by": "owner"}
    with transaction.atomic():
        changed = line.waiting(Video.objects.filter(pk=video.pk)).update(
            state=Video.State.FAILED,
            completed_at=timezone.now(),
            **_error("cancelled", params),
        )
        if changed:
            quota.release(video, "failed: cancelled")
            _announce(video, Video.State.FAILED)
    if not changed:
        raise Conflict(
            _(
                "This video has already been sent to AceDataCloud, which offers no way to "
                "stop it. It will finish on its own."
            ),
            code="already_sent",
        )
    logger.info("Job %s cancelled by its owner", video.pk)
    return True


def _enqueue_dispatch(video_id):
    try:
        dispatch_video.enqueue(str(video_id))
    except Exception:
        # The worker's sweep picks up every due queued job, so a lost enqueue only delays it.
        logger.exception("Could not enqueue job %s; the sweep will submit it", video_id)


def callback_url(video: Video) -> str:
    path = reverse("videos:webhook", kwargs={"video_id": video.pk, "secret": video.callback_secret})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def upstream_payload(video: Video) -> dict:
    payload = {
        "action": video.action,
        "aspect_ratio": video.aspect_ratio,
        "loop": video.loop,
        "enhancement": video.enhancement,
        "callback_url": callback_url(video),
    }
    if video.prompt:
        payload["prompt"] = video.prompt
    if video.start_image_url:
        payload["start_image_url"] = video.start_image_url
    if video.end_image_url:
        payload["end_image_url"] = video.end_image_url
    if video.action == Video.Action.EXTEND:
        if video.source_video_id:
            payload["video_id"] = video.source_video_id
        else:
            payload["video_url"] = video.source_video_url
    return payload


def dispatch(video_id) -> bool:
    """Send a queued job to AceDataCloud, unless another process already has it.

    The claim (claimed_at) is kept whenever the request may have reached AceDataCloud (a
    crash mid-call, a read timeout): such a job is never sent again. Its callback still
    completes it by its secret; otherwise the job timeout fails it and gives the quota back.
    """
    now = timezone.now()
    due = line.waiting().filter(pk=video_id, next_attempt_at__lte=now)
    owner_id = due.values_list("owner_id", flat=True).first()
    if owner_id is None:
        return False
    # The owner's next job in line goes, which is this one unless an earlier one waits; and
    # only while they are under their cap (the claim is committed before the call below).
    video = line.claim_next(owner_id, now)
    if video is None:
        return False
    try:
        task_id = get_client().submit(upstream_payload(video))
    except AceDataError as exc:
        _record_submit_error(video, exc)
        return True
    _keep_trying(lambda: _record_accepted(video, task_id), video, task_id)
    return True


def send_next_in_line(video_id) -> None:
    """A job of this owner ended: enqueue the next one waiting in their line, if any."""
    owner_id = Video.objects.filter(pk=video_id).values_list("owner_id", flat=True).first()
    waiting = line.waiting().filter(owner_id=owner_id).order_by(*line.ORDER)
    next_id = waiting.values_list("pk", flat=True).first()
    if next_id is not None:
        _enqueue_dispatch(next_id)


def _record_accepted(video: Video, task_id: str) -> None:
    # An IntegrityError means the callback got here first and saved this task id.
    with contextlib.suppress(IntegrityError):
        if Video.objects.filter(pk=video.pk, state=Video.State.QUEUED).update(
            state=Video.State.PROCESSING,
            task_id=task_id,
            submitted_at=timezone.now(),
            claimed_at=None,
            **NO_ERROR,
        ):
            _changed(video)


def _keep_trying(write, video: Video, task_id: str) -> None:
    """Write down an accepted job's task id, waiting out a database that is away.

    The task id is the only link to a job AceDataCloud accepted and will bill: lost, the
    job could only wait for its callback or its timeout. So while the database cannot be
    reached, the worker holds the id and tries again (for up to TASK_ID_RETRY_SECONDS).
    """
    deadline = time.monotonic() + settings.TASK_ID_RETRY_SECONDS
    pause = 1.0
    while True:
        try:
            write()
            return
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + pause > deadline:
                logger.error("Job %s: could not record its task %s: %s", video.pk, task_id, exc)
                raise
            logger.warning(
                "Job %s: the database is away; holding task %s and trying again in %.0f s",
                video.pk,
                task_id,
                pause,
            )
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 15.0)


@task()
def dispatch_video(video_id: str) -> bool:
    """Submit one freshly created job to AceDataCloud."""
    return dispatch(video_id)


def _error(code: str, params: dict) -> dict:
    """The fields that record an error: its code, its English message, what it is made of."""
    return {
        "error_code": code[:50],
        "error_message": failures.english(code, params),
        "error_params": params,
    }


NO_ERROR = {"error_code": "", "error_message": "", "error_params": {}}


def _record_submit_error(video: Video, exc: AceDataError):
    detail = {"detail": exc.detail} if exc.detail else {}
    if exc.outcome_unknown:
        logger.warning("Job %s: outcome unknown (%s), not sent again", video.pk, exc.code)
        Video.objects.filter(pk=video.pk, state=Video.State.QUEUED).update(
            **_error(exc.code, {"kind": failures.WAITING, **detail})
        )
        _changed(video)
        return
    if exc.permanent:
        fail(video, exc.code, {"kind": failures.UPSTREAM, **detail}, (Video.State.QUEUED,))
        return
    if video.submit_attempts >= settings.SUBMIT_MAX_ATTEMPTS:
        params = {"kind": failures.GAVE_UP, "attempts": video.submit_attempts, **detail}
        fail(video, exc.code, params, (Video.State.QUEUED,))
        return
    logger.warning("Job %s: transient upstream error %s, will retry", video.pk, exc.code)
    Video.objects.filter(pk=video.pk, state=Video.State.QUEUED).update(
        claimed_at=None,
        next_attempt_at=timezone.now()
        + retry_delay(video.submit_attempts, settings.SUBMIT_RETRY_BASE_SECONDS, 600),
        **_error(exc.code, {"kind": failures.RETRYING, **detail}),
    )
    _changed(video)


def fail(video: Video, code: str, params: dict, from_states=IN_FLIGHT, payload=None) -> bool:
    """Move an in-flight job to failed and give back its quota; False if it had already ended.

    `params` say what went wrong (videos/failures.py): the page reads them in the person's
    language, the English message is stored for the admin, the logs and the gateway.
    """
    updates = dict(
        state=Video.State.FAILED,
        completed_at=timezone.now(),
        claimed_at=None,
        **_error(code, params),
    )
    if payload is not None:
        updates["upstream_payload"] = payload
    with transaction.atomic():
        changed = Video.objects.filter(pk=video.pk, state__in=from_states).update(**updates)
        if changed:
            quota.release(video, f"failed: {code}")
            _announce(video, Video.State.FAILED)
    if changed:
        logger.info("Job %s failed: %s", video.pk, code)
    return bool(changed)


def _announce(video: Video, state):
    """Tell videos/receivers.py that a job ended, once that is committed."""
    video_id, owner_id = video.pk, video.owner_id
    transaction.on_commit(
        lambda: job_ended.send(sender=Video, video_id=video_id, state=state, owner_id=owner_id),
        robust=True,
    )


def _changed(video: Video):
    """Tell videos/receivers.py that a job changed (pages showing it update), once committed."""
    video_id, owner_id = video.pk, video.owner_id
    transaction.on_commit(
        lambda: job_changed.send(sender=Video, video_id=video_id, owner_id=owner_id), robust=True
    )


def complete(video: Video, outcome: Outcome, task_id: str | None, payload: dict) -> bool:
    now = timezone.now()  # one instant: a job is never submitted after it completed
    updates = dict(
        state=Video.State.COMPLETED,
        completed_at=now,
        media_state=MediaState.PENDING,
        media_next_attempt_at=now,
        claimed_at=None,
        upstream_payload=payload,
        **NO_ERROR,
        **outcome.fields,
    )
    if task_id and not video.task_id:
        updates["task_id"] = task_id
        updates["submitted_at"] = video.submitted_at or now
    changed = Video.objects.filter(pk=video.pk, state__in=IN_FLIGHT).update(**updates)
    if changed:
        logger.info("Job %s completed", video.pk)
        _announce(video, Video.State.COMPLETED)
    return bool(changed)


def apply_result(video: Video, payload: dict, task_id: str | None = None) -> bool:
    """Record a final upstream result (a callback body or a task's response). True if it changed."""
    outcome = parse_result(payload)
    if outcome.in_flight:
        return False
    if outcome.failed:
        if task_id and not video.task_id:
            Video.objects.filter(pk=video.pk, task_id__isnull=True).update(task_id=task_id)
        params = {"kind": failures.UPSTREAM}
        if outcome.detail:
            params["detail"] = outcome.detail
        return fail(video, outcome.code, params, payload=payload)
    return complete(video, outcome, task_id, payload)


def refresh(video: Video) -> Video:
    """Ask AceDataCloud about this job now and record any final result."""
    if video.task_id and video.is_in_flight:
        try:
            record = get_client().retrieve(video.task_id)
        except AceDataError as exc:
            raise UpstreamUnavailable(failures.reason(exc.code, exc.detail)) from exc
        if record and record.get("response"):
            apply_result(video, record["response"], video.task_id)
        Video.objects.filter(pk=video.pk).update(last_polled_at=timezone.now())
    video.refresh_from_db()
    return video


def cancel(video: Video) -> bool:
    """Stop a job in flight (the admin's action); its quota is given back."""
    return fail(video, "cancelled", {"kind": failures.CANCELLED})


def receive_callback(video_id, secret: str, body) -> bool:
    """Apply AceDataCloud's callback for a job; True if it changed the job.

    The per-job secret in the URL is the credential. Repeats and late arrivals
    change nothing; a task id that disagrees with the one we saved is refused.
    """
    # Only what the callback reads: the row is wide, and this runs once per finished job.
    video = Video.objects.only(*CALLBACK_FIELDS).filter(pk=video_id).first()
    if video is None or not constant_time_compare(secret, video.callback_secret):
        raise NotFound("Unknown callback address.")
    if not isinstance(body, dict):
        raise InvalidCallback("The callback body must be a JSON object.")
    task_id = body.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise InvalidCallback("The callback body has no task_id.")
    if video.task_id and task_id != video.task_id:
        raise Conflict("The callback's task_id is not this job's.", code="task_mismatch")
    if video.is_terminal:
        return False
    try:
        return apply_result(video, body, task_id)
    except IntegrityError:
        raise Conflict("That task_id belongs to another job.", code="task_mismatch")


def delete(video: Video) -> None:
    """Delete a video and its files (its uploads too, unless another video uses them); keep a
    marked row where others still name it as parent.

    Deleting never gives back quota: the ledger keeps the charge.
    """
    if video.is_in_flight:
        raise Conflict(_("This video is still being made; delete it once it has finished."))
    files = [video.video_file.name, video.thumbnail_file.name]
    with transaction.atomic():
        _delete_row(video)
        # Its uploaded frames (or video) go too, unless another video still uses them.
        files += uploads.release([video.start_image_url, video.end_image_url])
        files += uploads.release([video.source_video_url])
    transaction.on_commit(lambda: media.remove_files(files))


def _delete_row(video: Video):
    parent_id = video.parent_id
    if video.children.exists():
        Video.objects.filter(pk=video.pk).update(
            deleted_at=timezone.now(),
            prompt="",
            start_image_url="",
            end_image_url="",
            video_url="",
            thumbnail_url="",
            video_file="",
            thumbnail_file="",
            media_state=MediaState.NONE,
            upstream_payload=None,
        )
        return
    video.delete()
    # A deleted parent kept only for its children goes once its last child has gone.
    parent = Video.objects.filter(pk=parent_id, deleted_at__isnull=False).first()
    if parent is not None and not parent.children.exists():
        _delete_row(parent)
