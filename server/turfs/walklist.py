"""Walk lists for volunteers without a smartphone: CSV, and a printable PDF with a small map.

The PDF uses fpdf2: pure Python, no system libraries (unlike WeasyPrint's Pango or Cairo), small,
and enough for a page of text and a few lines. Its built-in fonts are Latin-1, so text is folded
to Latin-1 (œ -> oe, curly quotes -> straight) rather than shipping a TrueType font.
The map is the route drawn from the doors' own coordinates (no tiles: the page must print
offline): the line in walking order, the start marked, so a volunteer can see the shape of the walk.
"""

from __future__ import annotations

import csv
import io
import math

from fpdf import FPDF

_FOLD = str.maketrans(
    {"œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "}
)
CSV_FIELDS = ["order", "number", "street", "postcode", "lon", "lat", "knocked", "opened", "notes"]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_FIELDS)
    for r in rows:
        w.writerow(
            [r["pos"], r["number"], r["street"], r["postcode"] or "", f"{r['lon']:.6f}", f"{r['lat']:.6f}", "", "", ""]
        )
    return out.getvalue().encode("utf-8")


def _latin1(text: str) -> str:
    return text.translate(_FOLD).encode("latin-1", "replace").decode("latin-1")


def _draw_map(pdf: FPDF, rows, x: float, y: float, w: float, h: float) -> None:
    lat0 = sum(r["lat"] for r in rows) / len(rows)
    kx = math.cos(math.radians(lat0))
    xs = [r["lon"] * kx for r in rows]
    ys = [r["lat"] for r in rows]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1e-6
    scale = min(w, h) / span

    def at(i: int) -> tuple[float, float]:
        return x + (xs[i] - min(xs)) * scale, y + h - (ys[i] - min(ys)) * scale

    pdf.set_draw_color(120, 120, 120)
    pdf.rect(x, y, w, h)
    pdf.set_draw_color(200, 110, 0)
    pdf.set_line_width(0.4)
    for i in range(1, len(rows)):
        pdf.line(*at(i - 1), *at(i))
    sx, sy = at(0)
    pdf.set_fill_color(0, 140, 60)
    pdf.ellipse(sx - 1.5, sy - 1.5, 3, 3, style="F")
    metres = span * 111_320
    pdf.set_font("Helvetica", size=7)
    pdf.set_xy(x, y + h + 1)
    pdf.cell(w, 4, _latin1(f"green dot: start. Box side: about {metres:,.0f} m."))


def pdf_bytes(rows, title: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(
        0,
        5,
        _latin1(f"{len(rows)} doors, in walking order. Tick K (knocked) and O (opened)."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _draw_map(pdf, rows, pdf.l_margin, pdf.get_y() + 2, 70, 70)
    pdf.set_y(pdf.get_y() + 8)
    pdf.set_font("Helvetica", "B", 9)
    for text, width in (("#", 10), ("Number", 20), ("Street", 110), ("K", 10), ("O", 10)):
        pdf.cell(width, 6, text, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for r in rows:
        for text, width in ((str(r["pos"]), 10), (r["number"], 20), (r["street"], 110), ("", 10), ("", 10)):
            pdf.cell(width, 5.5, _latin1(text)[:70], border=1)
        pdf.ln()
    return bytes(pdf.output())
