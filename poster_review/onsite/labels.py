"""Printable board labels (pure: reportlab and segno, no web, no database).

One label per poster: board number in large type, title, conference, and a QR code that
opens that poster's judging page on the judge's phone. A6 or A5, one label per page, so
any office printer and guillotine will do.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_SIZES_MM = {"a6": (105.0, 148.0), "a5": (148.0, 210.0)}


@dataclass(frozen=True)
class Label:
    board: str
    title: str
    url: str
    poster_number: int


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "\u2026"
    return lines


def render_labels(
    labels: Sequence[Label],
    conference_name: str,
    *,
    size: str = "a6",
    font_path: str | None = None,
    poster_word: str = "Poster",
    scan_hint: str = "Scan to judge this poster",
) -> bytes:
    """A PDF with one label per page. ``font_path`` may name a TrueType font with the
    scripts the titles need (otherwise Helvetica, Latin-1 only; other characters are
    replaced, and the QR code still carries the exact link)."""
    import segno
    from reportlab.graphics import renderPDF
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if size not in PAGE_SIZES_MM:
        raise ValueError(f"label size must be one of {sorted(PAGE_SIZES_MM)}")
    width, height = (v * mm for v in PAGE_SIZES_MM[size])
    regular, bold = "Helvetica", "Helvetica-Bold"
    if font_path:
        pdfmetrics.registerFont(TTFont("LabelFont", font_path))
        regular = bold = "LabelFont"
    scale = width / (105 * mm)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{conference_name}: board labels")
    pdf.setCreator("poster_review")
    margin = 8 * mm * scale

    def safe(text: str) -> str:
        if font_path:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    for label in labels:
        pdf.setFont(regular, 9 * scale)
        pdf.drawString(margin, height - margin - 6 * scale, safe(conference_name)[:70])
        pdf.setFont(bold, 54 * scale)
        pdf.drawString(margin, height - margin - 60 * scale, safe(label.board))
        pdf.setFont(regular, 10 * scale)
        pdf.drawString(
            margin, height - margin - 76 * scale, safe(f"{poster_word} {label.poster_number}")
        )
        pdf.setFont(bold, 12 * scale)
        y = height - margin - 96 * scale
        for line in _wrap(safe(label.title), bold, 12 * scale, width - 2 * margin, 4):
            pdf.drawString(margin, y, line)
            y -= 15 * scale
        qr = segno.make(label.url, error="m")
        matrix = list(qr.matrix_iter(scale=1, border=2))
        side = min(width - 2 * margin, 48 * mm * scale)
        cell = side / len(matrix)
        drawing = Drawing(side, side)
        for row, values in enumerate(matrix):
            for col, dark in enumerate(values):
                if dark:
                    drawing.add(
                        Rect(
                            col * cell,
                            side - (row + 1) * cell,
                            cell,
                            cell,
                            fillColor=colors.black,
                            strokeColor=None,
                            strokeWidth=0,
                        )
                    )
        renderPDF.draw(drawing, pdf, (width - side) / 2, margin)
        pdf.setFont(regular, 7 * scale)
        pdf.drawCentredString(width / 2, margin + side + 2 * scale, safe(scan_hint))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
