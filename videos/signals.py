"""Signals other parts of the site listen to (the gateway's callbacks, media copies)."""

from django.dispatch import Signal

# Sent once, after commit, when a job reaches completed or failed. Args: video_id, state.
video_finished = Signal()

# Sent at the end of every worker sweep, so other parts can add periodic work of their
# own (the gateway requeues stalled callback deliveries). Arg: report (SweepReport).
swept = Signal()
