"""Fetch the frames and the video a request names, as AceDataCloud does before it renders.

A job whose frame cannot be fetched, or is not an image (or whose video_url is not an MP4),
is accepted and then fails with AceDataCloud's error body, so tests prove an address really
serves what it says. Only the first bytes are read: enough to know what the file is.
"""

from __future__ import annotations

import urllib.error
import urllib.request

FRAME_FIELDS = ("start_image_url", "end_image_url")
HEAD_BYTES = 16
USER_AGENT = "luma-simulator (fetching inputs like AceDataCloud)"


def _looks_like_image(head: bytes) -> bool:
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or head[:6] in (b"GIF87a", b"GIF89a")
    )


def _looks_like_mp4(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _head(url: str, timeout: float) -> tuple[bytes, str | None]:
    """The file's first bytes, or why it could not be fetched."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read(HEAD_BYTES), None
    except urllib.error.HTTPError as exc:
        return b"", f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return b"", f"unreachable ({exc.reason})"
    except (OSError, ValueError) as exc:
        return b"", f"unreachable ({exc})"


def problem(payload: dict, timeout: float) -> str | None:
    """Why the request's inputs cannot be used (AceDataCloud's words), or None."""
    checks = [(name, _looks_like_image, "an image") for name in FRAME_FIELDS]
    if payload.get("action") == "extend" and not payload.get("video_id"):
        checks.append(("video_url", _looks_like_mp4, "an MP4 video"))
    for name, looks_right, what in checks:
        url = payload.get(name)
        if not isinstance(url, str) or not url:
            continue
        head, failure = _head(url, timeout)
        if failure:
            return f"failed to fetch {name}: {failure}"
        if not looks_right(head):
            return f"{name} is not {what}"
    return None
