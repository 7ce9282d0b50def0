#!/usr/bin/env python3
"""Checks a failed run's picture as a headless browser rendered it (run by ci/check-picture.sh).

Usage: check_picture.py DOM.html SHOT.png segments=N faults=N rows=N

- The DOM chromium built (--dump-dom) must hold the whole diagram: one <svg>, N segment arrows
  (<g class="seg">), N fault marks (<g class="fault">), the row count the page announces, at
  least two host lanes and one thread lane, and the header (seed, plan, replay command).
- The screenshot must be a PNG that is not blank: more than one colour, and the fault red
  (#d00000) among its pixels when the run had faults.

Standard library only (html.parser, zlib, struct).
"""

import struct
import sys
import zlib
from html.parser import HTMLParser


class Counter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.classes = {}
        self.svg_attrs = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if tag == "svg":
            self.svg_attrs = a
        cls = a.get("class")
        if cls:
            key = (tag, cls)
            self.classes[key] = self.classes.get(key, 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def fail(msg):
    print(f"check-picture: FAILED: {msg}")
    sys.exit(1)


def check_dom(path, expect):
    with open(path, encoding="utf-8") as f:
        dom = f.read()
    c = Counter()
    c.feed(dom)
    if c.tags.get("svg") != 1 or c.svg_attrs is None:
        fail(f"the DOM holds {c.tags.get('svg', 0)} <svg> elements, not 1")
    segs = c.classes.get(("g", "seg"), 0)
    faults = c.classes.get(("g", "fault"), 0)
    lanes = c.classes.get(("line", "lane"), 0)
    heads = c.classes.get(("g", "lane-head"), 0)
    if segs != expect["segments"]:
        fail(f"{segs} segment arrows in the DOM, the run had {expect['segments']} segments")
    if faults != expect["faults"]:
        fail(f"{faults} fault marks in the DOM, the run had {expect['faults']} faults")
    if int(c.svg_attrs.get("data-rows", -1)) != expect["rows"]:
        fail(f"data-rows={c.svg_attrs.get('data-rows')}, expected {expect['rows']}")
    if lanes < 3 or lanes != heads or lanes != int(c.svg_attrs.get("data-lanes", -1)):
        fail(f"{lanes} lanes, {heads} lane heads, data-lanes={c.svg_attrs.get('data-lanes')}")
    text = "".join(c.text)
    for needle in ("seed", "fault plan", "WINSOCK_SIM_REPLAY=", "host server", "host client"):
        if needle not in text:
            fail(f"{needle!r} is not in the rendered text")
    print(f"check-picture: DOM: {segs} arrows, {faults} faults, {lanes} lanes, "
          f"{c.svg_attrs['data-rows']} rows")


def png_pixels(path):
    """(width, height, rows of RGB(A) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6):
        fail(f"unexpected PNG format: depth {depth}, colour type {ctype}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def check_png(path, expect):
    w, h, bpp, rows = png_pixels(path)
    colours = set()
    red = 0
    for line in rows:
        for x in range(0, len(line), bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            colours.add((r, g, b))
            if r > 180 and g < 60 and b < 60:
                red += 1
    if len(colours) < 8:
        fail(f"the screenshot is (nearly) blank: {len(colours)} colours")
    if expect["faults"] > 0 and red == 0:
        fail("no fault red in the screenshot, though the run had faults")
    print(f"check-picture: screenshot: {w}x{h}, {len(colours)} colours, {red} red pixels")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    expect = {"segments": 0, "faults": 0, "rows": -1}
    for arg in sys.argv[3:]:
        k, v = arg.split("=", 1)
        expect[k] = int(v)
    check_dom(sys.argv[1], expect)
    check_png(sys.argv[2], expect)


if __name__ == "__main__":
    main()
