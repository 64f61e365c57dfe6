"""Rows for the benchmarks, written in bulk (no signals, no per-row saves)."""

import random
import secrets
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import api_tokens
from accounts.models import Allowance, ApiToken
from videos.models import MediaState, Video

BATCH = 2000
PROMPTS = [
    "A fox runs through fresh snow at dawn",
    "Astronauts shuttle from space to a volcano",
    "Waves roll over a black sand beach, slow motion",
    "A paper boat drifts down a rainy street",
]


def users(count: int, prefix: str) -> list:
    """Create users with allowances and API tokens; return them, each with .token set."""
    User = get_user_model()
    password = make_password("bench-password-123")
    made = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", password=password) for i in range(count)],
        batch_size=BATCH,
    )
    Allowance.objects.bulk_create([Allowance(user=u) for u in made], batch_size=BATCH)
    for user in made:
        user.token = api_tokens.KEY_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u,
                name="bench",
                prefix=api_tokens.prefix_of(u.token),
                digest=api_tokens.digest(u.token),
            )
            for u in made
        ],
        batch_size=BATCH,
    )
    return made


def video(owner_id, created_at, **fields) -> Video:
    pk = uuid.uuid4()
    base = f"http://127.0.0.1:9/luma/{pk}"
    values = dict(
        id=pk,
        root_id=pk,
        owner_id=owner_id,
        prompt=random.choice(PROMPTS),
        state=Video.State.COMPLETED,
        task_id=str(uuid.uuid4()),
        video_id=str(uuid.uuid4()),
        video_url=f"{base}.mp4",
        thumbnail_url=f"{base}.jpg",
        video_width=1360,
        video_height=752,
        media_state=MediaState.NONE,
        created_at=created_at,
        submitted_at=created_at,
        completed_at=created_at + timedelta(seconds=60),
    )
    values.update(fields)
    return Video(**values)


def videos(owner_ids: list[int], count: int, **fields) -> list[Video]:
    """Bulk-create `count` videos spread over the owners, made over the past year."""
    now = timezone.now()
    made = []
    for start in range(0, count, BATCH):
        batch = [
            video(
                owner_ids[(start + i) % len(owner_ids)],
                now - timedelta(seconds=random.uniform(60, 365 * 86400)),
                **fields,
            )
            for i in range(min(BATCH, count - start))
        ]
        made += Video.objects.bulk_create(batch)
    return made
