"""The one signal the lifecycle sends: a job has ended (videos/receivers.py acts on it)."""

from django.dispatch import Signal

# Sent once per job, after the transaction that ended it commits. Args: video_id, state
# (completed or failed).
job_ended = Signal()
