"""Media the simulator serves in place of AceDataCloud's CDN, with HTTP Range support."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

MEDIA_DIR = Path(__file__).with_name("media")
DEFAULT_ASPECT_RATIO = "16:9"

# True pixel sizes of the files in media/ (see media/README.md). Reported to clients as
# video_width/height and thumbnail_width/height; a test parses the files to keep this honest.
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "16:9": (320, 180),
    "9:16": (180, 320),
    "1:1": (240, 240),
    "4:3": (320, 240),
    "3:4": (240, 320),
    "21:9": (336, 144),
    "9:21": (144, 336),
}

CONTENT_TYPES = {"mp4": "video/mp4", "jpg": "image/jpeg"}
CHUNK_SIZE = 64 * 1024
# A sanity bound for /luma/_sized/<bytes>.mp4 (1 TiB), so a typo cannot stream forever.
MAX_SIZED_BYTES = 1 << 40


@functools.cache
def asset_bytes(aspect_ratio: str, ext: str) -> bytes:
    """Return the committed file for an aspect ratio ("mp4" or "jpg"), read once."""
    name = aspect_ratio.replace(":", "x")
    return (MEDIA_DIR / f"{name}.{ext}").read_bytes()


class BytesSource:
    """A resource held in memory (the small committed assets)."""

    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.size = len(data)

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        for pos in range(start, stop, CHUNK_SIZE):
            yield self.data[pos : min(pos + CHUNK_SIZE, stop)]


class RepeatedSource:
    """`size` bytes of `data` repeated end to end, produced chunk by chunk.

    Only the first copy is a valid MP4; players read its `moov` and ignore the tail. It exists so
    benchmarks can download big files without the simulator holding them in memory.
    """

    def __init__(self, data: bytes, size: int):
        # Repeat the unit up to at least one chunk so each write is a full chunk.
        copies = CHUNK_SIZE // len(data) + 2  # so offset (< one unit) + a chunk always fits
        self.pattern = memoryview(data * copies)
        self.unit = len(data)
        self.size = size

    def chunks(self, start: int, stop: int) -> Iterator[bytes]:
        pos = start
        while pos < stop:
            offset = pos % self.unit
            take = min(CHUNK_SIZE, stop - pos)
            yield self.pattern[offset : offset + take]
            pos += take
