"""The dossier code as a Code128 barcode and the tracking URL as a QR code, both as SVG.

python-barcode only encodes (charset switching, checksum); we draw the bars ourselves as one
SVG path with a viewBox in modules, so that the printed size is set exactly in millimetres by
the template and every bar is a whole number of modules wide.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

import segno
from barcode import Code128

# Code128 needs a quiet zone of at least 10 modules on each side.
QUIET_MODULES = 10


def code128_modules(data: str) -> str:
    """The Code128 symbol of ``data`` as a string of '1' (bar) and '0' (space) modules."""
    return Code128(data).build()[0]


def code128_svg(data: str) -> tuple[str, int]:
    """SVG markup of the barcode (quiet zones included) and its width in modules."""
    modules = code128_modules(data)
    width = len(modules) + 2 * QUIET_MODULES
    parts = []
    x = QUIET_MODULES
    run = 0
    for i, bit in enumerate(modules + "0"):
        if bit == "1":
            run += 1
            continue
        if run:
            start = x + i - run
            parts.append(f"M{start} 0h{run}v1h-{run}z")
            run = 0
    path = "".join(parts)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 1" preserveAspectRatio="none" '
        f'shape-rendering="crispEdges"><rect width="{width}" height="1" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )
    return svg, width


def qr_svg(data: str) -> tuple[str, int]:
    """SVG markup of a QR code (error correction M, 4-module quiet zone) and its width in modules."""
    qr = segno.make_qr(data, error="m", boost_error=False)
    width = qr.symbol_size(border=4)[0]
    svg = qr.svg_inline(omitsize=True, border=4, svgclass=None, lineclass=None, dark="#000", light="#fff")
    if "xmlns=" not in svg:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return svg, width


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def build_tracking_url(base_url: str, code: str, key: str) -> str:
    """``<base>/tra-cuu/<code>?key=<key>``: the public tracking page of one dossier.

    ``base_url`` is the portal's public origin (``https://dichvucong.example.gov.vn``); the code
    is percent-encoded as a path segment, the key as a query value.
    """
    base = base_url.rstrip("/")
    return f"{base}/tra-cuu/{quote(code, safe='.-_')}?{urlencode({'key': key})}"
