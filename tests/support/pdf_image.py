"""A PDF's pages as PNG images (pypdfium2 renders them; the PNG is written here, with zlib,
so no image library is needed): to look at what chromium printed."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium


def _png(width: int, height: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


def pdf_pages_as_png(pdf: bytes, stem: Path, scale: float = 1.2) -> list[Path]:
    """Each page of ``pdf`` as ``<stem>-<n>.png``; returns the files written."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(pdf)
    written = []
    for number in range(len(document)):
        bitmap = document[number].render(scale=scale)
        channels = 4 if bitmap.mode in ("BGRA", "BGRX") else 3
        raw = bytes(bitmap.buffer)
        rows = bytearray()
        for y in range(bitmap.height):
            line = raw[y * bitmap.stride : y * bitmap.stride + bitmap.width * channels]
            rows.append(0)  # no filter
            for x in range(0, len(line), channels):
                rows += bytes((line[x + 2], line[x + 1], line[x]))  # BGR to RGB
        path = stem.with_name(f"{stem.name}-{number + 1}.png")
        path.write_bytes(_png(bitmap.width, bitmap.height, bytes(rows)))
        written.append(path)
    document.close()
    return written
