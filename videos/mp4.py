"""Is this file an MP4 with H.264 video? Read from its box structure, with the standard library.

An MP4 (ISO base media file) is a sequence of boxes: a 32-bit size, a four-letter type, the
body. A real one starts with `ftyp`, holds a `moov` (the index), and names its video codec in
`moov/trak/mdia/minf/stbl/stsd`, H.264 being `avc1` (or `avc3`). Only box headers and the small
`moov` are read; the media data (`mdat`) is skipped by seeking, so a 10 MB file costs a few
reads. No decoder is needed to answer the question, so no dependency either.
"""

import struct

MAX_MOOV_BYTES = 16 * 1024 * 1024
H264 = {b"avc1", b"avc3"}
# The containers on the way from moov to the sample descriptions.
PATH = (b"trak", b"mdia", b"minf", b"stbl", b"stsd")


class NotMP4(ValueError):
    """The file is not an MP4 with H.264 video; the message says why, in English."""


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    """Yield (type, body start, body end) for each box in data[start:end]."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if size == 1:
            if offset + 16 > end:
                raise NotMP4("a box header is cut short")
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise NotMP4("a box runs past the end of its container")
        yield kind, offset + header, offset + size
        offset += size


def _top_level(handle):
    """Yield (type, position of the body, body size) of each top-level box, seeking past bodies."""
    handle.seek(0, 2)
    total = handle.tell()
    offset = 0
    while offset < total:
        handle.seek(offset)
        head = handle.read(16)
        if len(head) < 8:
            raise NotMP4("the file ends inside a box header")
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:
            if len(head) < 16:
                raise NotMP4("the file ends inside a box header")
            size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif size == 0:
            size = total - offset
        if size < header or offset + size > total:
            raise NotMP4("the file is cut short (a box runs past its end)")
        yield kind, offset + header, size - header
        offset += size


def codecs(moov: bytes) -> set[bytes]:
    """The sample entry types (codecs) of every track in a moov box's body."""
    found: set[bytes] = set()
    for kind, start, end in _boxes(moov):
        if kind == b"trak":
            found |= _track_codecs(moov, start, end, PATH[1:])
    return found


def _track_codecs(data, start, end, path) -> set[bytes]:
    found: set[bytes] = set()
    for kind, body, stop in _boxes(data, start, end):
        if kind != path[0]:
            continue
        if kind == b"stsd":
            # A full box: version and flags (4 bytes), an entry count (4), then the entries.
            found |= {entry for entry, _s, _e in _boxes(data, body + 8, stop)}
        else:
            found |= _track_codecs(data, body, stop, path[1:])
    return found


# ftyp brands of HEIF and AVIF pictures, which share the box structure but are images.
IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def is_movie(head: bytes) -> bool:
    """Whether a file's first 12 bytes start an MP4-family movie (not a HEIC or AVIF picture)."""
    return head[4:8] == b"ftyp" and head[8:12] not in IMAGE_BRANDS


def check(handle) -> None:
    """Raise NotMP4 unless the open binary file is an MP4 whose video is H.264."""
    try:
        boxes = _top_level(handle)
        first = next(boxes, None)
        if first is None or first[0] != b"ftyp":
            raise NotMP4("it does not start like an MP4 file (no ftyp box)")
        has_index = False
        # Every top-level box is walked (by seeking), so a file cut short anywhere is refused.
        for kind, body, size in boxes:
            if kind != b"moov" or has_index:
                continue
            if size > MAX_MOOV_BYTES:
                raise NotMP4("its index (moov box) is implausibly large")
            handle.seek(body)
            moov = handle.read(size)
            if len(moov) < size:
                raise NotMP4("the file is cut short")
            if not codecs(moov) & H264:
                raise NotMP4("its video is not H.264")
            has_index = True
        if not has_index:
            raise NotMP4("it has no index (moov box): not a playable MP4")
    except struct.error as exc:
        raise NotMP4("a box is malformed") from exc
    finally:
        handle.seek(0)
