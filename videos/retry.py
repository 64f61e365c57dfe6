"""The one back-off every retry here follows: submissions, media copies, callback deliveries."""

from datetime import timedelta


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Wait before the next try: base, then doubling with each attempt made, at most cap."""
    seconds = base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, cap_seconds))
