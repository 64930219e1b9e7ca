"""The PDFium half of the inspection: count text, look for names, draw the first page.

Runs only inside the limited child started by :mod:`poster_review.submissions.pdf`,
and only on files pypdf has already read without hitting a limit: PDFium aborts the
whole process on decompression bombs instead of raising.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from poster_review.submissions.pdf import IMAGE_FORMATS, MAX_RENDER_ASPECT, find_names

#: zlib level for PNG thumbnails: 6 (Pillow's default) costs 3x the time of 1 on
#: photo-like posters for files only ~10 % smaller; see bench/ingest.py.
PNG_COMPRESS_LEVEL = 1
WEBP_QUALITY = 85
JPEG_QUALITY = 88

#: Text kept for the name search; a poster has ~5 000 characters, a thesis 500 000.
MAX_TEXT_FOR_NAMES = 2_000_000


def needs_password(path: Path) -> bool:
    """Whether PDFium asks for a password (it checks only the trailer when opening)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        return "password" in str(exc).lower()
    document.close()
    return False


def examine_with_pdfium(
    path: Path,
    *,
    pages: int,
    deadline: float,
    names: Sequence[str],
    targets: Sequence[tuple[Path, int]],
) -> dict[str, Any]:
    """Return ``text_chars`` (None when unknown), ``names_found`` and ``thumbnails``.

    ``failed`` is set when PDFium cannot open the file or draw its first page.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        return {"failed": True, "detail": str(exc)}
    try:
        text_chars, text = _count_text(document, pages, deadline, keep_text=bool(names))
        result: dict[str, Any] = {
            "text_chars": text_chars,
            "names_found": find_names(text, names) if names else [],
            "thumbnails": [],
        }
        if targets:
            try:
                result["thumbnails"] = _render(document, targets)
            except (pdfium.PdfiumError, ValueError) as exc:
                return {"failed": True, "detail": str(exc)}
        return result
    finally:
        document.close()


def _count_text(
    document: Any, pages: int, deadline: float, *, keep_text: bool
) -> tuple[int | None, str]:
    """Non-blank characters on all pages; None when a page failed or time ran out."""
    import pypdfium2 as pdfium

    total = 0
    kept: list[str] = []
    kept_size = 0
    for index in range(min(pages, len(document))):
        if time.monotonic() > deadline:
            return None, "".join(kept)
        try:
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
        except pdfium.PdfiumError:
            return None, "".join(kept)
        total += sum(1 for c in text if not c.isspace())
        if keep_text and kept_size < MAX_TEXT_FOR_NAMES:
            kept.append(text)
            kept.append("\n")
            kept_size += len(text)
        textpage.close()
        page.close()
    return total, "".join(kept)


def _render(document: Any, targets: Sequence[tuple[Path, int]]) -> list[dict[str, Any]]:
    """Draw page 1 once at the largest width, shrink it for the others, write the files."""
    from PIL import Image

    page = document[0]
    width_pt, height_pt = page.get_size()  # after /Rotate, as render() draws it
    if not (width_pt > 0 and height_pt > 0):
        raise ValueError("the first page has no size")
    scale = render_scale(width_pt, height_pt, max(width for _path, width in targets))
    bitmap = page.render(
        scale=scale,
        fill_color=(255, 255, 255, 255),
        draw_annots=True,
        may_draw_forms=False,  # forms are not initialised: no form scripts run
        limit_image_cache=True,  # decoded photos are drawn once: do not keep them all
        rev_byteorder=True,  # RGB, so Pillow takes the buffer without converting
    )
    image = bitmap.to_pil()
    page.close()
    written: list[dict[str, Any]] = []
    for path, width in sorted(targets, key=lambda t: -t[1]):
        ratio = min(1.0, width / image.width)
        size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
        picture = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        _save(picture, path)
        written.append({"path": str(path), "width": picture.width, "height": picture.height})
    return written


def _save(image: Any, path: Path) -> None:
    """Write through a temporary name so that a killed child leaves no half file."""
    kind = IMAGE_FORMATS[path.suffix.lower()]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    options: dict[str, Any] = {}
    if kind == "PNG":
        options = {"compress_level": PNG_COMPRESS_LEVEL}
    elif kind == "WEBP":
        options = {"quality": WEBP_QUALITY, "method": 4}
    else:
        options = {"quality": JPEG_QUALITY, "optimize": True}
    try:
        image.save(temporary, format=kind, **options)
        temporary.replace(path)
    finally:
        if temporary.exists():
            temporary.unlink()


def render_scale(width_pt: float, height_pt: float, width_px: int) -> float:
    """Pixels per point giving ``width_px``, or less for a page over 4 times taller than wide.

    pypdfium2 rounds the bitmap size up, so a hair is shaved: 1600 px stays 1600, not 1601.
    """
    scale = (width_px - 1e-6) / width_pt
    if height_pt * scale > MAX_RENDER_ASPECT * width_px:
        scale = (MAX_RENDER_ASPECT * width_px - 1e-6) / height_pt
    return scale
