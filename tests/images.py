"""Files for the upload tests, made on the spot: real images, with and without metadata,
and the hostile kinds (a renamed HTML page, a decompression bomb, a truncated picture)."""

import io
import struct
import zlib
from pathlib import Path

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pillow_heif.register_heif_opener()

SIMULATOR_MEDIA = Path(__file__).resolve().parent.parent / "videos" / "simulator" / "media"
GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def image_bytes(fmt="PNG", size=(64, 48), color="red", exif=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    Image.new("RGB", size, color).save(out, fmt, **options)
    return out.getvalue()


def exif_with_gps(rotated=False) -> Image.Exif:
    """EXIF naming a camera and a place (GPS), and optionally a 90° turn (a phone held upright)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 15"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    if rotated:
        exif[ORIENTATION_TAG] = 6
    return exif


def upload(data: bytes, name="frame.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(**kwargs) -> SimpleUploadedFile:
    return upload(image_bytes("PNG", **kwargs))


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims ten billion pixels: decoding it would eat the memory."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def mp4_bytes(ratio="16x9") -> bytes:
    return (SIMULATOR_MEDIA / f"{ratio}.mp4").read_bytes()


def mp4(data=None, name="clip.mp4") -> SimpleUploadedFile:
    return upload(data if data is not None else mp4_bytes(), name, "video/mp4")
