"""Image dimensions read straight from the file header, before any decoder sees the pixels."""
from __future__ import annotations

from evidence.errors import IntakeError

# Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_JPEG_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_MARKERS_WITHOUT_LENGTH = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


def damaged(kind: str) -> IntakeError:
    return IntakeError(
        f"This {kind} is damaged or incomplete and cannot be read. Export or save it again and upload the new copy.",
        code="damaged",
    )


def png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise damaged("PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first start-of-frame segment."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise damaged("JPEG image")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_MARKERS_WITHOUT_LENGTH:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in _JPEG_SOF_MARKERS:
            if length < 7 or pos + 9 > len(data):
                break
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
        if marker == 0xDA or length < 2:  # scan data before any frame header
            break
        pos += 2 + length
    raise damaged("JPEG image")


def _webp_chunks(data: bytes):
    """(fourcc, first bytes of the payload) for each RIFF chunk; the header fields fit in 16."""
    pos = 12
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        yield fourcc, data[pos + 8 : pos + 8 + min(size, 16)]
        pos += 8 + size + (size & 1)


def webp_size(data: bytes) -> tuple[int, int]:
    """Canvas size from the first chunk: VP8X (extended), VP8L (lossless) or VP8 (lossy)."""
    for fourcc, payload in _webp_chunks(data):
        if fourcc == b"VP8X" and len(payload) >= 10:
            return 1 + int.from_bytes(payload[4:7], "little"), 1 + int.from_bytes(payload[7:10], "little")
        if fourcc == b"VP8L" and len(payload) >= 5 and payload[0] == 0x2F:
            bits = int.from_bytes(payload[1:5], "little")
            return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        if fourcc == b"VP8 " and len(payload) >= 10 and payload[3:6] == b"\x9d\x01\x2a":
            return (
                int.from_bytes(payload[6:8], "little") & 0x3FFF,
                int.from_bytes(payload[8:10], "little") & 0x3FFF,
            )
        break
    raise damaged("WebP image")


def webp_is_lossless(data: bytes) -> bool:
    return any(fourcc == b"VP8L" for fourcc, _ in _webp_chunks(data))
