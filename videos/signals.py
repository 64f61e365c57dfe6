"""The lifecycle's announcements: a job changed, a job ended (videos/receivers.py acts on them)."""

from django.dispatch import Signal

# Sent once per job, after the transaction that ended it commits. Args: video_id, state
# (completed or failed), owner_id.
job_ended = Signal()
# Sent after any other change a person would see commits (accepted, queued, retrying, the
# media stored). Args: video_id, owner_id.
job_changed = Signal()
