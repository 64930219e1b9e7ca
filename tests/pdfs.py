"""Small PDFs made by the tests themselves, so the suite never depends on the corpus."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

A0 = (841 * mm, 1189 * mm)


def poster_pdf(
    title: str = "Open repositories in Central Asia",
    *,
    size: tuple[float, float] = A0,
    text: str = "Results and methods of a library poster.",
    pages: int = 1,
    author: str | None = None,
) -> bytes:
    """A tagged-looking but simple vector poster with real text and Info metadata."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    pdf.setSubject("Poster")
    for page in range(pages):
        pdf.setFillColorRGB(0.05, 0.35, 0.65)
        pdf.rect(0, size[1] - 150 * mm, size[0], 150 * mm, fill=1, stroke=0)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont("Helvetica-Bold", 90)
        pdf.drawString(40 * mm, size[1] - 90 * mm, title[:40])
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont("Helvetica", 40)
        for line in range(20):
            pdf.drawString(40 * mm, size[1] - (220 + line * 25) * mm, f"{text} ({page}.{line})")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
