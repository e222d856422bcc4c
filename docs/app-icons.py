#!/usr/bin/env python3
"""Writes the installed app's icons, public/icons/icon-{192,512}.png: "BD" in yellow on the red of
favicon.svg, full bleed so they also serve as maskable icons. Standard library only (zlib)."""
import pathlib
import struct
import zlib

RED = (0xB9, 0x1C, 0x1C)
YELLOW = (0xFD, 0xE0, 0x47)
# 5x7 glyphs, one string per row.
GLYPHS = {
    "B": ["1111.", "1...1", "1...1", "1111.", "1...1", "1...1", "1111."],
    "D": ["1111.", "1...1", "1...1", "1...1", "1...1", "1...1", "1111."],
}


def pixels(size):
    text = "BD"
    # Two glyphs and a one-column gap: 11 x 7 cells, half the icon wide (inside the maskable safe zone).
    cell = size // 22
    left = (size - 11 * cell) // 2
    top = (size - 7 * cell) // 2
    rows = []
    for y in range(size):
        row = bytearray([0])  # PNG filter: none
        for x in range(size):
            colour = RED
            cx, cy = (x - left) // cell, (y - top) // cell
            if x >= left and y >= top and 0 <= cy < 7 and 0 <= cx < 11 and cx != 5:
                glyph = GLYPHS[text[0] if cx < 5 else text[1]]
                if glyph[cy][cx if cx < 5 else cx - 6] == "1":
                    colour = YELLOW
            row.extend(colour)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels(size), 9))
            + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(exist_ok=True)
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(png(size))
        print(out / f"icon-{size}.png")
