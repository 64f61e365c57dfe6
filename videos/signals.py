"""Signals other parts of the site listen to (the gateway's callbacks, media copies)."""

from django.dispatch import Signal

# Sent once, after commit, when a job reaches completed or failed. Args: video_id, state.
video_finished = Signal()
