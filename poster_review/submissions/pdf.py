"""Inspect an uploaded poster PDF in a limited child process and judge it.

The web process never opens a PDF: PDFium *aborts the whole process* (SIGABRT, not an
exception) on some hostile files, and pypdf can spend seconds or gigabytes on others.
:func:`examine` starts ``python -I`` in a child with an address-space limit
(``RLIMIT_AS``), a CPU-time limit and a wall-clock timeout, and the child does all the
work in this order:

1. pypdf reads the structure (page count and sizes, metadata, tagging, encryption,
   active content, fonts) and decodes every content stream under decompression limits.
   A file that needs a password or hits a limit stops here: it is never handed to
   PDFium, which crashes on the same bombs even with 4 GiB.
2. PDFium counts the extractable text (pypdf's extractor takes 3-6 s on some vector
   posters and stops at its token limit; PDFium takes 0.2 s) and renders the first page
   once, at the largest requested width; Pillow makes the smaller thumbnails from it.

The child prints one JSON line per finished stage, so when it dies (a signal, the CPU
limit, the timeout) the parent still knows how far it got and reports a plain reason.
Judging the facts (:func:`judge`) is pure and happens in the parent, so every message
is a translation string built there.

Page sizes come from pypdf: PDFium silently treats a 0 × 0 page as US Letter.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from poster_review.errors import DomainError
from poster_review.i18n import _, render

MM_PER_POINT = 25.4 / 72
MB = 1_000_000

#: Widths, in pixels, of the zoomed preview and of the list thumbnail.
LARGE_WIDTH = 1600
SMALL_WIDTH = 400

#: A rendered page is never taller than this many times its width, so that a
#: 10 mm x 5 m "page" does not become a 1600 x 800 000 pixel bitmap.
MAX_RENDER_ASPECT = 4.0

#: Where a PDF must start; readers accept junk before the header (HTML from a broken
#: download), and so do we.
HEADER = b"%PDF-"
HEADER_WINDOW = 1024

#: Strings from the file are cut to this length before they reach a report.
MAX_STRING = 500
MAX_LISTED = 100

# How the child reports that it refused the file; the parent turns these into issues.
KIND_PASSWORD = "password"  # noqa: S105 - the name of a reason, not a secret
KIND_ENCRYPTION_UNSUPPORTED = "encryption_unsupported"
KIND_LIMIT = "limit"
KIND_DAMAGED = "damaged"
KIND_MEMORY = "memory"
KIND_NOT_PDF = "not_pdf"
KIND_RENDER = "render"
KIND_CRASH = "crash"


class PdfRefused(DomainError):
    """The file cannot be processed; ``message`` says why in one sentence."""

    status = 422

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """What the inspection accepts and how much it may spend.

    The defaults are the command line's: any page size, up to 50 pages, 200 MB. The web
    app passes the conference's format and page rules. ``wall_seconds`` bounds the whole
    child, start-up included, so that a file is always judged within 20 s.
    """

    max_bytes: int = 200 * MB
    min_pages: int = 1
    max_pages: int = 50
    #: Refuse pages whose shorter side is below / longer side is above this (None: no rule).
    min_page_mm: float | None = None
    max_page_mm: float | None = None
    #: The conference format, (width, height) in mm; a different size is a warning only.
    expected_page_mm: tuple[float, float] | None = None
    #: Accept the expected format turned sideways (landscape for a portrait format).
    either_orientation: bool = False
    page_tolerance_mm: float = 5.0
    memory_bytes: int = 1 << 30
    cpu_seconds: int = 15
    wall_seconds: float = 18.0
    #: Counting text stops after this long; the count is then unknown, never 0.
    text_seconds: float = 5.0
    #: Largest decoded size of one stream (content, form, metadata) pypdf will inflate.
    max_stream_bytes: int = 75 * MB

    def __post_init__(self) -> None:
        if self.min_pages < 0 or self.max_pages < self.min_pages:
            raise ValueError("Limits need 0 <= min_pages <= max_pages")
        if self.max_bytes <= 0 or self.memory_bytes <= 0 or self.cpu_seconds <= 0:
            raise ValueError("Limits need positive sizes and times")


@dataclass(frozen=True)
class Hint:
    """How to fix an issue in one tool (a product name, or "Any tool")."""

    tool: str
    text: str


@dataclass(frozen=True)
class Issue:
    """A problem found in the file: ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    hints: tuple[Hint, ...] = ()


@dataclass(frozen=True)
class Thumbnail:
    path: Path
    width: int
    height: int


@dataclass(frozen=True)
class ThumbnailRequest:
    """A picture of the first page to write; the format follows the suffix (png, webp, jpg)."""

    path: Path
    width: int


@dataclass(frozen=True)
class Report:
    """What the inspection found. The file is acceptable when ``errors`` is empty.

    Facts the inspection could not reach (because an earlier step refused the file) keep
    their defaults; ``text_chars`` is None when the text could not be counted.
    Dates without a time zone are taken as UTC.
    """

    file_bytes: int
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    pdf_version: str | None = None
    pages: int | None = None
    page_width_mm: float | None = None
    page_height_mm: float | None = None
    #: Distinct page sizes in order of appearance, after rotation and cropping.
    page_sizes_mm: tuple[tuple[float, float], ...] = ()
    title: str | None = None
    author: str | None = None
    subject: str | None = None
    keywords: str | None = None
    creator: str | None = None
    producer: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    lang: str | None = None
    tagged: bool = False
    pdfa: str | None = None
    encrypted: bool = False
    javascript: bool = False
    launch_actions: bool = False
    embedded_files: int = 0
    fonts_not_embedded: tuple[str, ...] = ()
    text_chars: int | None = None
    #: Author names (as given) found in the poster's text.
    names_found: tuple[str, ...] = ()
    elapsed_seconds: float = 0.0
    #: Technical reason behind an error (pypdf's message, the signal...), for logs only.
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error(self) -> str | None:
        """The first blocking problem, as one sentence."""
        return self.errors[0].message if self.errors else None


@dataclass(frozen=True)
class IngestResult:
    """The report and the thumbnails written (None when not asked for or refused)."""

    report: Report
    thumbnails: tuple[Thumbnail, ...] = ()
    #: Peak resident memory of the child, when it lived to tell.
    peak_memory_bytes: int | None = None

    @property
    def large(self) -> Thumbnail | None:
        return max(self.thumbnails, key=lambda t: t.width) if self.thumbnails else None

    @property
    def small(self) -> Thumbnail | None:
        return min(self.thumbnails, key=lambda t: t.width) if self.thumbnails else None


# --------------------------------------------------------------------------- hints

_ANY = _("Any tool")

_HINTS: dict[str, tuple[Hint, ...]] = {
    "fonts_not_embedded": (
        Hint(
            "PowerPoint",
            _(
                "File > Options > Save: tick 'Embed fonts in the file', then File > Export "
                "> Create PDF/XPS (or tick 'ISO 19005-1 compliant (PDF/A)' in its Options)."
            ),
        ),
        Hint(
            "LaTeX",
            _(
                "Compile with pdflatex, xelatex or lualatex, and embed the fonts of included "
                "figures (matplotlib: rcParams['pdf.fonttype'] = 42)."
            ),
        ),
        Hint(
            "Inkscape/Illustrator",
            _(
                "Inkscape: Save As PDF with 'Embed fonts'. Illustrator: Save As Adobe PDF "
                "with the 'High Quality Print' preset."
            ),
        ),
        Hint("Canva", _("Download as 'PDF Print': Canva embeds its fonts.")),
    ),
    "not_tagged": (
        Hint(
            "PowerPoint",
            _(
                "File > Export > Create PDF/XPS > Options: tick 'Document structure tags for "
                "accessibility'."
            ),
        ),
        Hint(
            "LaTeX",
            _(
                "Put \\DocumentMetadata{lang=en, testphase=phase-III} before "
                "\\documentclass (LaTeX 2023 or later) and compile with lualatex."
            ),
        ),
        Hint(
            "Inkscape/Illustrator",
            _(
                "These tools do not write tagged PDF: open the PDF in Acrobat Pro and run "
                "Accessibility > Autotag Document."
            ),
        ),
        Hint(
            "Canva",
            _("Autotag the downloaded PDF in Acrobat Pro (Accessibility > Autotag Document)."),
        ),
    ),
    "no_language": (
        Hint(
            "PowerPoint",
            _(
                "Select all text, Review > Language, choose the language, then export "
                "again with document structure tags."
            ),
        ),
        Hint(
            "LaTeX",
            _("\\DocumentMetadata{lang=en} or, with hyperref, \\hypersetup{pdflang=en}."),
        ),
        Hint(
            _ANY,
            _("In Acrobat: File > Properties > Advanced > Reading Options > Language."),
        ),
    ),
    "no_title": (
        Hint(
            "PowerPoint",
            _(
                "File > Info > Properties > Title, then export with 'Document properties' "
                "ticked in the PDF options."
            ),
        ),
        Hint("LaTeX", _("With hyperref: \\hypersetup{pdftitle={Your poster title}}.")),
        Hint(
            "Inkscape/Illustrator",
            _(
                "Inkscape: File > Document Properties > Metadata > Title. Illustrator: "
                "File > File Info > Document Title."
            ),
        ),
        Hint("Canva", _("Rename the design: its name becomes the PDF title.")),
    ),
    "page_size_mismatch": (
        Hint(
            "PowerPoint",
            _("Design > Slide Size > Custom Slide Size: set the width and height."),
        ),
        Hint(
            "LaTeX",
            _(
                "beamerposter: \\usepackage[size=a0, orientation=portrait]{beamerposter}; "
                "tikzposter: \\documentclass[a0paper, portrait]{tikzposter}."
            ),
        ),
        Hint(
            "Inkscape/Illustrator",
            _(
                "Inkscape: File > Document Properties > Format. Illustrator: File > Document "
                "Setup > Edit Artboards."
            ),
        ),
        Hint("Canva", _("Create the design with a custom size in millimetres.")),
    ),
    "active_content": (
        Hint(
            _ANY,
            _(
                "Print the poster to a new PDF (Microsoft Print to PDF, or Save as PDF on "
                "macOS): the copy has no scripts or launch actions."
            ),
        ),
    ),
    "embedded_files": (
        Hint(
            _ANY,
            _(
                "Remove the attachments (Acrobat: View > Show/Hide > Side panels > "
                "Attachments) or export the poster again without them."
            ),
        ),
    ),
    "encrypted": (
        Hint(
            "PowerPoint",
            _(
                "File > Export > Create PDF/XPS > Options: untick 'Encrypt the document "
                "with a password'."
            ),
        ),
        Hint(_ANY, _("In Acrobat: File > Properties > Security > No Security.")),
    ),
    "no_text": (
        Hint(
            "PowerPoint",
            _("Use File > Export > Create PDF/XPS, and do not paste the poster as one picture."),
        ),
        Hint("LaTeX", _("Do not include the whole poster as an image.")),
        Hint(
            "Inkscape/Illustrator",
            _("Keep text as text: embed fonts instead of converting text to paths."),
        ),
        Hint("Canva", _("Download as 'PDF Print' with 'Flatten PDF' unticked.")),
    ),
    "author_name_in_text": (
        Hint(
            _ANY,
            _(
                "Replace author names, affiliations and photos with neutral text until the "
                "reviews are done."
            ),
        ),
    ),
}
_HINTS["placeholder_title"] = _HINTS["no_title"]
_HINTS["too_large_image"] = ()

_PLACEHOLDER_TITLES = frozenset(
    {"powerpoint presentation", "presentation", "untitled", "poster", "document", "title"}
)
_PLACEHOLDER_PREFIXES = ("microsoft powerpoint - ", "microsoft word - ", "untitled")
_FILE_SUFFIXES = (".pptx", ".ppt", ".docx", ".doc", ".tex", ".dvi", ".indd", ".ai", ".svg")


#: A check stopped by the wall clock while the child had used less than this share of
#: it in CPU time was starved by a busy machine: it is retried, never held against the file.
BUSY_SHARE = 0.5
BUSY = "busy"


def _issue(code: str, message: str) -> Issue:
    return Issue(code=code, message=message, hints=_HINTS.get(code, ()))


# --------------------------------------------------------------------------- public API


def inspect(path: Path | str, limits: Limits | None = None) -> Report:
    """Inspect ``path`` in a limited child and return the report (no thumbnails)."""
    return examine(path, limits or Limits()).report


def ingest(
    path: Path | str,
    limits: Limits | None,
    thumbnail_dir: Path | str | None,
    *,
    author_names: Sequence[str] = (),
    image_format: str = "png",
) -> IngestResult:
    """Inspect ``path`` and, when ``thumbnail_dir`` is given, write its thumbnails there.

    One limited child does everything: the report, then the first page rendered once at
    1600 px wide (``poster-1600.<format>``) and shrunk to 400 px (``poster-400.<format>``).
    Thumbnails are written only for an acceptable file. ``author_names`` adds a warning
    when one of them appears in the text (double-blind review). Never raises for a bad
    file: the report says what is wrong.
    """
    requests: tuple[ThumbnailRequest, ...] = ()
    if thumbnail_dir is not None:
        folder = Path(thumbnail_dir)
        folder.mkdir(parents=True, exist_ok=True)
        requests = tuple(
            ThumbnailRequest(folder / f"poster-{width}.{image_format}", width)
            for width in (LARGE_WIDTH, SMALL_WIDTH)
        )
    return examine(path, limits or Limits(), thumbnails=requests, author_names=author_names)


def names_in_text(
    path: Path | str, names: Sequence[str], limits: Limits | None = None
) -> list[str]:
    """Return the ``names`` that appear in the poster's text (case and accents ignored).

    Raises :class:`PdfRefused` when the file cannot be read.
    """
    report = examine(path, limits or Limits(), author_names=names).report
    if report.errors:
        raise PdfRefused(report.errors[0].message, report.errors[0].code)
    return list(report.names_found)


def strip_author_metadata(src: Path | str, dst: Path | str, limits: Limits | None = None) -> None:
    """Write a copy of ``src`` to ``dst`` without Info /Author and XMP dc:creator, pdf:Author.

    For double-blind review. Runs in a limited child like the inspection; raises
    :class:`PdfRefused` when the file cannot be read or is encrypted.
    """
    limits = limits or Limits()
    source = Path(src)
    precheck = _precheck(source, limits)
    if isinstance(precheck, Issue):
        raise PdfRefused(precheck.message, precheck.code)
    request = {"op": "strip", "path": str(source), "dst": str(Path(dst)), "limits": asdict(limits)}
    run = _run_child(request, limits)
    facts = _collect(run)
    problem = _refusal_issue(facts, run, limits)
    if problem is not None:
        raise PdfRefused(problem.message, problem.code)
    if not facts.get("stripped"):
        message = _("The file could not be rewritten. Export the PDF again.")
        raise PdfRefused(message, KIND_DAMAGED)


def examine(
    path: Path | str,
    limits: Limits,
    *,
    thumbnails: Sequence[ThumbnailRequest] = (),
    author_names: Sequence[str] = (),
) -> IngestResult:
    """The general form of :func:`inspect` and :func:`ingest`: any thumbnail widths and paths.

    The first page is rendered once at the largest width; smaller ones are shrunk from it.
    """
    started = time.monotonic()
    source = Path(path)
    for wanted in thumbnails:
        _image_format(wanted.path)  # a wrong suffix is the caller's bug: fail before work
        if wanted.width < 1:
            raise ValueError("a thumbnail needs a positive width")
    precheck = _precheck(source, limits)
    if isinstance(precheck, Issue):
        size = source.stat().st_size if source.is_file() else 0
        report = Report(file_bytes=size, errors=(precheck,))
        return IngestResult(report=_with_elapsed(report, started))
    request: dict[str, Any] = {
        "op": "ingest",
        "path": str(source),
        "limits": asdict(limits),
        "thumbnails": [
            {"path": str(t.path), "width": t.width}
            for t in sorted(thumbnails, key=lambda t: -t.width)
        ],
        "names": [n for n in author_names if n.strip()],
    }
    run = _run_child(request, limits)
    facts = _collect(run)
    refusal = _refusal_issue(facts, run, limits)
    report = judge(facts, limits, file_bytes=precheck, refusal=refusal)
    written = tuple(
        Thumbnail(Path(t["path"]), int(t["width"]), int(t["height"]))
        for t in facts.get("thumbnails", [])
    )
    if not report.ok:  # the child drew them, then failed: no picture of a refused file
        for thumbnail in written:
            thumbnail.path.unlink(missing_ok=True)
        written = ()
    peak = facts.get("peak_kib")
    return IngestResult(
        report=_with_elapsed(report, started),
        thumbnails=written,
        peak_memory_bytes=int(peak) * 1024 if isinstance(peak, int) else None,
    )


def _with_elapsed(report: Report, started: float) -> Report:
    return replace(report, elapsed_seconds=round(time.monotonic() - started, 3))


def _precheck(source: Path, limits: Limits) -> Issue | int:
    """Refuse what needs no parsing (missing, empty, too big, no header); else the size."""
    if not source.is_file():
        return Issue("file_missing", _("The file ${name} does not exist.", {"name": source.name}))
    size = source.stat().st_size
    if size == 0:
        return _issue("not_pdf", _("The file is empty. Export your poster as PDF again."))
    if size > limits.max_bytes:
        return _issue(
            "file_too_large",
            _(
                "The file is ${size} MB; the limit is ${limit} MB. Save the images at 300 dpi "
                "or less and export again.",
                {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)},
            ),
        )
    with source.open("rb") as handle:
        head = handle.read(HEADER_WINDOW)
    if HEADER not in head:
        return _issue(
            "not_pdf",
            _("This file is not a PDF. Export or save your poster as PDF and upload that file."),
        )
    return size


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


# --------------------------------------------------------------------------- judging


def judge(
    facts: Mapping[str, Any],
    limits: Limits,
    *,
    file_bytes: int,
    refusal: Issue | None = None,
) -> Report:
    """Turn the child's facts into a report: blocking errors, then warnings.

    Pure; ``refusal`` is the reason the child stopped early, if it did.
    """
    sizes = [(float(w), float(h)) for w, h in facts.get("page_sizes", [])]
    pages = facts.get("pages")
    errors: list[Issue] = []
    if refusal is not None:
        errors.append(refusal)
    elif isinstance(pages, int):
        errors.extend(structure_problems(pages, sizes, limits))
    distinct: list[tuple[float, float]] = []
    for w, h in sizes:
        rounded = (round(w, 1), round(h, 1))
        if rounded not in distinct:
            distinct.append(rounded)
    first = distinct[0] if distinct else (None, None)
    text_chars = facts.get("text_chars")
    report = Report(
        file_bytes=file_bytes,
        errors=tuple(errors),
        pdf_version=_clean(facts.get("pdf_version")),
        pages=pages if isinstance(pages, int) else None,
        page_width_mm=first[0],
        page_height_mm=first[1],
        page_sizes_mm=tuple(distinct[:MAX_LISTED]),
        title=_clean(facts.get("title")),
        author=_clean(facts.get("author")),
        subject=_clean(facts.get("subject")),
        keywords=_clean(facts.get("keywords")),
        creator=_clean(facts.get("creator")),
        producer=_clean(facts.get("producer")),
        created_at=_parse_date(facts.get("created")),
        modified_at=_parse_date(facts.get("modified")),
        lang=_clean(facts.get("lang")),
        tagged=bool(facts.get("tagged", False)),
        pdfa=_clean(facts.get("pdfa")),
        encrypted=bool(facts.get("encrypted", False))
        or (refusal is not None and refusal.code in _ENCRYPTION_CODES),
        javascript=bool(facts.get("javascript", False)),
        launch_actions=bool(facts.get("launch", False)),
        embedded_files=int(facts.get("embedded_files", 0)),
        fonts_not_embedded=tuple(str(f) for f in facts.get("fonts_not_embedded", []))[:MAX_LISTED],
        text_chars=text_chars if isinstance(text_chars, int) else None,
        names_found=tuple(str(n) for n in facts.get("names_found", [])),
        detail=_clean(facts.get("detail")) if errors else None,
    )
    if "structure" not in facts:
        return report  # nothing was read: warnings would be guesses
    return replace(report, warnings=tuple(_warnings(report, limits)))


_ENCRYPTION_CODES = frozenset({"password_required", "encryption_unsupported"})


def structure_problems(
    pages: int, sizes: Sequence[tuple[float, float]], limits: Limits
) -> list[Issue]:
    """Errors that follow from the page count and sizes alone (the child uses them too)."""
    problems: list[Issue] = []
    if pages == 0:
        problems.append(_issue("wrong_page_count", _("The file has no pages.")))
    elif pages > limits.max_pages:
        problems.append(
            _issue(
                "wrong_page_count",
                _(
                    "The file has ${pages} pages; at most ${max} are accepted.",
                    {"pages": pages, "max": limits.max_pages},
                ),
            )
        )
    elif pages < limits.min_pages:
        problems.append(
            _issue(
                "wrong_page_count",
                _(
                    "The file has ${pages} pages; at least ${min} are needed.",
                    {"pages": pages, "min": limits.min_pages},
                ),
            )
        )
    for number, (w, h) in enumerate(sizes, start=1):
        if w < 1 or h < 1:
            problems.append(
                _issue(
                    "page_without_size",
                    _(
                        "Page ${page} has no size (its MediaBox is empty). Export the PDF again.",
                        {"page": number},
                    ),
                )
            )
            break
        if limits.min_page_mm is not None and min(w, h) < limits.min_page_mm:
            problems.append(
                _issue(
                    "page_too_small",
                    _(
                        "Page ${page} is ${size}; the shortest accepted side is ${min} mm.",
                        {"page": number, "size": _format_size(w, h), "min": limits.min_page_mm},
                    ),
                )
            )
            break
        if limits.max_page_mm is not None and max(w, h) > limits.max_page_mm:
            problems.append(
                _issue(
                    "page_too_large",
                    _(
                        "Page ${page} is ${size}; the longest accepted side is ${max} mm.",
                        {"page": number, "size": _format_size(w, h), "max": limits.max_page_mm},
                    ),
                )
            )
            break
    return problems


def _warnings(report: Report, limits: Limits) -> Iterator[Issue]:
    if report.encrypted:
        yield _issue(
            "encrypted",
            _(
                "The file is encrypted (it has an owner password or restrictions). It opens, "
                "but archives refuse encrypted files: export it again without protection."
            ),
        )
    if report.fonts_not_embedded:
        shown = list(report.fonts_not_embedded[:5])
        if len(report.fonts_not_embedded) > len(shown):
            shown.append(f"+{len(report.fonts_not_embedded) - len(shown)}")
        yield _issue(
            "fonts_not_embedded",
            _(
                "Some fonts are not embedded (${fonts}): the poster may look different on "
                "other computers and in print.",
                {"fonts": ", ".join(shown)},
            ),
        )
    if not report.tagged:
        yield _issue(
            "not_tagged",
            _(
                "The PDF is not tagged, so screen readers cannot follow its structure "
                "(accessibility)."
            ),
        )
    if report.lang is None:
        yield _issue(
            "no_language",
            _(
                "The PDF does not declare its language, so screen readers may read it with "
                "the wrong voice (accessibility)."
            ),
        )
    if report.title is None:
        yield _issue(
            "no_title",
            _("The PDF has no title in its properties; viewers show the file name instead."),
        )
    elif _is_placeholder(report.title):
        yield _issue(
            "placeholder_title",
            _(
                'The PDF title is "${title}", which looks like a placeholder; set the poster '
                "title in the document properties.",
                {"title": report.title},
            ),
        )
    mismatch = _format_mismatch(report.page_sizes_mm, limits)
    if mismatch is not None:
        yield mismatch
    if report.javascript or report.launch_actions:
        yield _issue(
            "active_content",
            _(
                "The PDF contains active content (JavaScript or actions that start "
                "programs); viewers block it and reviewers may distrust the file."
            ),
        )
    if report.embedded_files:
        yield _issue(
            "embedded_files",
            _(
                "The PDF carries ${count} attached file(s), which reviewers will not open; "
                "remove them.",
                {"count": report.embedded_files},
            ),
        )
    if report.text_chars == 0:
        yield _issue(
            "no_text",
            _(
                "No text can be extracted: the poster seems to be a picture only, which "
                "screen readers cannot read and search cannot find."
            ),
        )
    if report.names_found:
        yield _issue(
            "author_name_in_text",
            _(
                "The poster shows the name(s) ${names}, but reviewing is double-blind: "
                "remove author names before submitting.",
                {"names": ", ".join(report.names_found)},
            ),
        )


def _format_mismatch(sizes: Sequence[tuple[float, float]], limits: Limits) -> Issue | None:
    if limits.expected_page_mm is None or not sizes:
        return None
    ew, eh = limits.expected_page_mm
    tol = limits.page_tolerance_mm
    for w, h in sizes:
        fits = abs(w - ew) <= tol and abs(h - eh) <= tol
        turned = abs(w - eh) <= tol and abs(h - ew) <= tol
        if fits or (turned and limits.either_orientation):
            continue
        if turned:
            message = _(
                "The page is ${size}: the conference format ${expected} turned sideways.",
                {"size": _format_size(w, h), "expected": _format_size(ew, eh)},
            )
        else:
            message = _(
                "The page is ${size}; the conference format is ${expected}.",
                {"size": _format_size(w, h), "expected": _format_size(ew, eh)},
            )
        return _issue("page_size_mismatch", message)
    return None


def _format_size(width: float, height: float) -> str:
    return f"{width:.0f} × {height:.0f} mm"


def _is_placeholder(title: str) -> bool:
    lowered = title.strip().casefold()
    return (
        lowered in _PLACEHOLDER_TITLES
        or lowered.startswith(_PLACEHOLDER_PREFIXES)
        or lowered.endswith(_FILE_SUFFIXES)
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = "".join(c for c in value if c.isprintable() or c == " ").strip()
    return text[:MAX_STRING] or None


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def report_as_dict(report: Report, thumbnail: Thumbnail | None = None) -> dict[str, Any]:
    """The report as JSON-ready data: the ``poster-review inspect --json`` contract."""
    data: dict[str, Any] = {
        "ok": report.ok,
        "error": render(report.error) if report.error is not None else None,
        "pages": report.pages,
        "page_width_mm": report.page_width_mm,
        "page_height_mm": report.page_height_mm,
        "page_sizes_mm": [list(size) for size in report.page_sizes_mm],
        "title": report.title,
        "author": report.author,
        "subject": report.subject,
        "keywords": report.keywords,
        "creator": report.creator,
        "producer": report.producer,
        "created": report.created_at.isoformat() if report.created_at else None,
        "modified": report.modified_at.isoformat() if report.modified_at else None,
        "lang": report.lang,
        "tagged": report.tagged,
        "pdfa": report.pdfa,
        "encrypted": report.encrypted,
        "javascript": report.javascript,
        "launch_actions": report.launch_actions,
        "embedded_files": report.embedded_files,
        "fonts_not_embedded": list(report.fonts_not_embedded),
        "text_chars": report.text_chars,
        "pdf_version": report.pdf_version,
        "file_bytes": report.file_bytes,
        "elapsed_seconds": report.elapsed_seconds,
        "errors": [_issue_dict(i) for i in report.errors],
        "warnings": [_issue_dict(i) for i in report.warnings],
    }
    if thumbnail is not None:
        data["thumbnail"] = {
            "path": str(thumbnail.path),
            "width": thumbnail.width,
            "height": thumbnail.height,
        }
    return data


def _issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "message": render(issue.message),
        "hints": {render(hint.tool): render(hint.text) for hint in issue.hints},
    }


# --------------------------------------------------------------------------- names


def fold_text(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("ß", "ss").split())


def find_names(text: str, names: Iterable[str]) -> list[str]:
    """The ``names`` found in ``text`` as whole words, ignoring case, accents and line breaks.

    "José García" matches "JOSE GARCIA" and "José\\nGarcía", not "Josée Garcíadottir".
    """
    folded = fold_text(text)
    found: list[str] = []
    for name in names:
        parts = [p for p in re.split(r"[\s\-‐]+", fold_text(name)) if p]
        if not parts:
            continue
        pattern = r"(?<!\w)" + r"[\s\-‐]+".join(re.escape(p) for p in parts) + r"(?!\w)"
        if re.search(pattern, folded) and name not in found:
            found.append(name)
    return found


# --------------------------------------------------------------------------- parent side


@dataclass(frozen=True)
class _ChildRun:
    lines: tuple[dict[str, Any], ...]
    returncode: int | None
    timed_out: bool
    stderr: str = field(repr=False, default="")
    #: CPU seconds the child had used when the wall clock ran out (None: unknown).
    cpu_seconds: float | None = None


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a running process, from /proc (Linux; else None)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, ValueError, IndexError):
        return None


def _run_child(request: Mapping[str, Any], limits: Limits) -> _ChildRun:
    """Run the child on ``request`` and collect its JSON lines, whatever happens to it."""
    # -I keeps the current directory off the path (a stray pypdf.py beside the server is
    # never imported); the child gets the parent's import path instead, so it finds the
    # same packages however they were installed.
    paths = [str(Path(__file__).resolve().parents[2]), *(p for p in sys.path if p)]
    code = (
        "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
        "from poster_review.submissions.pdf import child_main; child_main()"
    )
    command = [sys.executable, "-I", "-c", code, json.dumps(paths)]
    try:
        proc = subprocess.Popen(  # noqa: S603 - our interpreter, our code, no shell
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except OSError as exc:  # no process could be started (fork limit, memory)
        return _ChildRun((), None, False, f"cannot start the child: {exc}")
    with proc:
        payload = json.dumps(request).encode()
        timed_out = False
        cpu_used: float | None = None
        try:
            out, err = proc.communicate(payload, timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            cpu_used = _cpu_seconds(proc.pid)
            proc.kill()
            out, err = proc.communicate()
        except BaseException:
            proc.kill()
            raise
    lines: list[dict[str, Any]] = []
    for raw in out.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(raw)
            if isinstance(item, dict):
                lines.append(item)
    return _ChildRun(
        tuple(lines),
        proc.returncode,
        timed_out,
        err.decode(errors="replace")[-4000:],
        cpu_used,
    )


def _collect(run: _ChildRun) -> dict[str, Any]:
    """Merge the stages the child finished into one dict of facts."""
    facts: dict[str, Any] = {}
    for line in run.lines:
        facts.update(line)
        if line.get("stage") == "structure":
            facts["structure"] = True
    if "detail" not in facts:
        if run.timed_out:
            facts["detail"] = "wall-clock timeout"
        elif run.returncode is not None and run.returncode < 0:
            facts["detail"] = f"child killed by signal {-run.returncode}"
        elif run.returncode != 0:
            facts["detail"] = f"child exit status {run.returncode}: {run.stderr[-300:]}"
    return facts


def _refusal_issue(facts: Mapping[str, Any], run: _ChildRun, limits: Limits) -> Issue | None:
    """Why the child stopped before the end, as an issue; None when it finished."""
    kind = facts.get("refused")
    if isinstance(kind, str):
        return _refusal_for_kind(kind)
    if run.timed_out:
        if run.cpu_seconds is not None and run.cpu_seconds < limits.wall_seconds * BUSY_SHARE:
            # The child barely ran: the machine was busy, the file is not to blame.
            return _issue(
                BUSY,
                _(
                    "The server was too busy to finish checking your file. It will be "
                    "checked again in a few minutes; you do not need to upload it again."
                ),
            )
        return _too_slow(limits)
    code = run.returncode
    if code == 0 and facts.get("stage") == "done":
        return None
    if code is not None and code < 0:
        return _refusal_for_signal(-code, limits)
    return _refusal_for_kind(KIND_CRASH)


def _refusal_for_signal(signum: int, limits: Limits) -> Issue:
    if signum in (signal.SIGXCPU, signal.SIGKILL):
        # SIGKILL comes from the hard CPU limit (we kill on timeout ourselves).
        return _too_slow(limits)
    return _refusal_for_kind(KIND_CRASH)


def _too_slow(limits: Limits) -> Issue:
    return _issue(
        "too_slow",
        _(
            "The file took too long to read (over ${seconds} seconds). Simplify very detailed "
            "figures or save them as images, then export again.",
            {"seconds": f"{min(limits.wall_seconds, limits.cpu_seconds):.0f}"},
        ),
    )


def _refusal_for_kind(kind: str) -> Issue:
    if kind == KIND_PASSWORD:
        return _issue(
            "password_required",
            _("The file needs a password to open. Save it again without a password."),
        )
    if kind == KIND_ENCRYPTION_UNSUPPORTED:
        return _issue(
            "encryption_unsupported",
            _(
                "The file is encrypted in a way this server cannot check. Save it again "
                "without a password or restrictions."
            ),
        )
    if kind == KIND_LIMIT:
        return _issue(
            "too_complex",
            _(
                "The file contains compressed data that expands beyond what we can read "
                "safely. Export the PDF again, or print it to a new PDF."
            ),
        )
    if kind == KIND_MEMORY:
        return _issue(
            "too_much_memory",
            _(
                "The file needs too much memory to open. Save very large images at 300 dpi "
                "or less and export again."
            ),
        )
    if kind == KIND_NOT_PDF:
        return _issue(
            "not_pdf",
            _("This file is not a PDF. Export or save your poster as PDF and upload that file."),
        )
    if kind == KIND_RENDER:
        return _issue(
            "render_failed",
            _("The poster could not be drawn to make its preview. Export the PDF again."),
        )
    if kind == KIND_DAMAGED:
        return _issue(
            "damaged",
            _(
                "The file is damaged or incomplete and cannot be read. Export the PDF again "
                "and upload it once more."
            ),
        )
    return _issue(
        "reader_crashed",
        _(
            "The PDF reader stopped on this file (it may be damaged or need too much memory). "
            "Export the PDF again, or print it to a new PDF."
        ),
    )


#: Thumbnail formats by file suffix, as Pillow names them.
IMAGE_FORMATS = {".png": "PNG", ".webp": "WEBP", ".jpg": "JPEG", ".jpeg": "JPEG"}


def _image_format(path: Path) -> str:
    try:
        return IMAGE_FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"thumbnails are .png, .webp or .jpg files, not {path.name!r}") from None


# --------------------------------------------------------------------------- child side


class _Refused(Exception):
    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail)
        self.kind = kind


def child_main() -> None:
    """Entry point of the child: read a JSON request on stdin, print JSON lines.

    Sets its own limits first (``preexec_fn`` is unsafe in the threaded web server).
    """
    request = json.loads(sys.stdin.buffer.read())
    raw: dict[str, Any] = {k: _tuple_if_list(v) for k, v in request["limits"].items()}
    limits = Limits(**raw)
    # Results go to a private copy of stdout; fd 1 now points at stderr, so whatever a C
    # library prints cannot corrupt them.
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    _set_limits(limits)
    _quiet_logging()

    def emit(item: Mapping[str, Any]) -> None:
        results.write(json.dumps(item) + "\n")
        results.flush()

    try:
        if request["op"] == "strip":
            _child_strip(Path(request["path"]), Path(request["dst"]), limits)
            emit({"stage": "stripped", "stripped": True})
        else:
            _child_ingest(request, limits, emit)
    except _Refused as refusal:
        emit({"stage": "refused", "refused": refusal.kind, "detail": str(refusal)[:500]})
    except MemoryError:
        emit({"stage": "refused", "refused": KIND_MEMORY})
    emit({"stage": "done", "peak_kib": _peak_kib()})
    results.close()


def _tuple_if_list(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _set_limits(limits: Limits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGABRT must not leave core files
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _peak_kib() -> int:
    """Peak resident memory of this process since it started, in KiB.

    ``ru_maxrss`` is not it: Linux carries the parent's high-water mark over fork and
    exec, so a child of a big web process would report the parent's size.
    """
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _quiet_logging() -> None:
    import logging
    import warnings

    logging.disable(logging.WARNING)  # pypdf warns about every repaired object
    warnings.simplefilter("ignore")


def _child_ingest(
    request: Mapping[str, Any], limits: Limits, emit: Callable[[Mapping[str, Any]], None]
) -> None:
    path = Path(request["path"])
    structure = _read_structure(_pdf_bytes(path, limits), path, limits)
    emit({"stage": "structure", **structure})
    sizes = [tuple(size) for size in structure["page_sizes"]]
    if structure_problems(structure["pages"], sizes, limits):
        return
    import gc

    from poster_review.submissions import thumbnails

    gc.collect()  # pypdf's objects form cycles: free the reader (2x the file) before PDFium
    deadline = time.monotonic() + limits.text_seconds
    rendered = thumbnails.examine_with_pdfium(
        path,
        pages=structure["pages"],
        deadline=deadline,
        names=request.get("names", []),
        targets=[(Path(t["path"]), int(t["width"])) for t in request.get("thumbnails", [])],
    )
    if rendered.get("failed"):
        kind = KIND_RENDER if request.get("thumbnails") else KIND_DAMAGED
        raise _Refused(kind, str(rendered.get("detail", "")))
    emit({"stage": "pdfium", **rendered})


def _pdf_bytes(path: Path, limits: Limits) -> bytes:
    """The file from its ``%PDF-`` header on (xref offsets count from there)."""
    with path.open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    offset = data.find(HEADER, 0, HEADER_WINDOW)
    if offset < 0 or len(data) > limits.max_bytes:
        raise _Refused(KIND_NOT_PDF)
    return data[offset:] if offset else data  # no copy of a 30 MB poster in the usual case


def _configure_pypdf(limits: Limits) -> None:
    import pypdf

    cap = limits.max_stream_bytes
    pypdf.overwrite_configuration(
        maximum_declared_stream_length=limits.max_bytes,
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=4 * cap,
        jbig2dec_binary=None,  # never start another program on untrusted data
        disable_legacy_handling=True,
    )


def _open_reader(body: bytes, path: Path) -> tuple[Any, bool]:
    """Open with pypdf; return (reader, encrypted). Raises _Refused for a password."""
    from io import BytesIO

    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(BytesIO(body))
    except DependencyError as exc:
        # AES without the cryptography module: PDFium can still tell whether a password
        # is needed (opening checks only the trailer); either way the file is refused.
        from poster_review.submissions import thumbnails

        needs = thumbnails.needs_password(path)
        raise _Refused(KIND_PASSWORD if needs else KIND_ENCRYPTION_UNSUPPORTED, str(exc)) from exc
    if not reader.is_encrypted:
        return reader, False
    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise _Refused(KIND_PASSWORD)
    return reader, True


def _read_structure(body: bytes, path: Path, limits: Limits) -> dict[str, Any]:
    """Facts pypdf can give without rendering; raises _Refused when the file must stop here."""
    from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

    _configure_pypdf(limits)
    try:
        reader, encrypted = _open_reader(body, path)
        pages = len(reader.pages)
        facts: dict[str, Any] = {
            "pdf_version": _header_version(body),
            "encrypted": encrypted,
            "pages": pages,
        }
        sizes = [_page_size_mm(reader.pages[i]) for i in range(min(pages, 1000))]
        facts["page_sizes"] = sizes
        facts.update(_metadata(reader))
        facts.update(_catalog_facts(reader))
        if not structure_problems(pages, sizes, limits):
            facts.update(_page_facts(reader, pages))
            _merge_page_facts(facts)
    except _Refused:
        raise
    except LimitReachedError as exc:
        raise _Refused(KIND_LIMIT, str(exc)) from exc
    except DependencyError as exc:
        raise _Refused(KIND_ENCRYPTION_UNSUPPORTED, str(exc)) from exc
    except MemoryError:
        raise
    except (PyPdfError, RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Refused(KIND_DAMAGED, f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # a broken file may raise anything from deep in pypdf
        raise _Refused(KIND_DAMAGED, f"{type(exc).__name__}: {exc}") from exc
    return facts


def _header_version(body: bytes) -> str | None:
    match = re.match(rb"%PDF-(\d\.\d)", body[:16])
    return match.group(1).decode() if match else None


def _resolve(obj: Any) -> Any:
    """The object behind an indirect reference; None for null and for dangling refs."""
    from pypdf.generic import NullObject

    if obj is None:
        return None
    value = obj.get_object() if hasattr(obj, "get_object") else obj
    return None if isinstance(value, NullObject) else value


def _dict(obj: Any) -> Any:
    """``obj`` resolved, if it is a dictionary (streams are dictionaries too); else None."""
    from pypdf.generic import DictionaryObject

    value = _resolve(obj)
    return value if isinstance(value, DictionaryObject) else None


def _number(obj: Any, default: float) -> float:
    value = _resolve(obj)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _page_size_mm(page: Any) -> tuple[float, float]:
    """Visible size after /Rotate: the CropBox clipped to the MediaBox, times /UserUnit."""
    media = [float(x) for x in page.mediabox]
    crop = [float(x) for x in page.cropbox]
    left, right = (
        max(min(media[0], media[2]), min(crop[0], crop[2])),
        min(max(media[0], media[2]), max(crop[0], crop[2])),
    )
    bottom, top = (
        max(min(media[1], media[3]), min(crop[1], crop[3])),
        min(max(media[1], media[3]), max(crop[1], crop[3])),
    )
    if right <= left or top <= bottom:  # a CropBox outside the MediaBox: readers ignore it
        left, bottom, right, top = media[0], media[1], media[2], media[3]
    unit = _number(page.get("/UserUnit"), 1.0)
    unit = unit if unit > 0 else 1.0
    width = abs(right - left) * unit * MM_PER_POINT
    height = abs(top - bottom) * unit * MM_PER_POINT
    rotation = int(_number(page.get("/Rotate"), 0)) % 360
    if rotation in (90, 270):
        width, height = height, width
    return round(width, 1), round(height, 1)


# XMP namespaces
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_PDF_NS = "http://ns.adobe.com/pdf/1.3/"
_XMP_NS = "http://ns.adobe.com/xap/1.0/"
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def _metadata(reader: Any) -> dict[str, Any]:
    """Info dictionary first, XMP for what it lacks; a bomb in XMP stops the file."""
    from pypdf.errors import LimitReachedError

    facts: dict[str, Any] = {}
    with contextlib.suppress(Exception):  # an unreadable Info is treated as absent
        info = reader.metadata
        if info is not None:
            facts["title"] = _text_value(info.get("/Title"))
            facts["author"] = _text_value(info.get("/Author"))
            facts["subject"] = _text_value(info.get("/Subject"))
            facts["keywords"] = _text_value(info.get("/Keywords"))
            facts["creator"] = _text_value(info.get("/Creator"))
            facts["producer"] = _text_value(info.get("/Producer"))
            facts["created"] = _iso(_safe(lambda: info.creation_date))
            facts["modified"] = _iso(_safe(lambda: info.modification_date))
    try:
        xmp = reader.xmp_metadata
    except LimitReachedError:
        raise
    except Exception:  # malformed XMP is common and harmless; Info still counts
        xmp = None
    if xmp is None:
        return facts
    root = xmp.rdf_root
    values = {
        "title": _xmp_values(root, _DC, "title")[:1],
        "author": _xmp_values(root, _DC, "creator"),
        "subject": _xmp_values(root, _DC, "description")[:1],
        "keywords": _xmp_values(root, _PDF_NS, "Keywords") or _xmp_values(root, _DC, "subject"),
        "creator": _xmp_values(root, _XMP_NS, "CreatorTool")[:1],
        "producer": _xmp_values(root, _PDF_NS, "Producer")[:1],
        "created": _xmp_values(root, _XMP_NS, "CreateDate")[:1],
        "modified": _xmp_values(root, _XMP_NS, "ModifyDate")[:1],
    }
    for key, found in values.items():
        if not facts.get(key) and found:
            joined = "; ".join(found) if key == "author" else ", ".join(found)
            facts[key] = (
                _xmp_date(joined) if key in ("created", "modified") else joined[:MAX_STRING]
            )
    part = _xmp_values(root, _PDFAID, "part")[:1]
    conformance = _xmp_values(root, _PDFAID, "conformance")[:1]
    if part:
        facts["pdfa"] = (part[0] + (conformance[0] if conformance else "")).strip().upper()[:8]
    return facts


def _safe(getter: Callable[[], Any]) -> Any:
    try:
        return getter()
    except Exception:
        return None


def _text_value(value: Any) -> str | None:
    resolved = _resolve(value)
    if isinstance(resolved, str):
        return resolved[:MAX_STRING]
    if isinstance(resolved, bytes):
        return resolved.decode("latin-1")[:MAX_STRING]
    return None


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _xmp_date(value: str) -> str | None:
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _xmp_elements(root: Any, namespace: str, name: str) -> Iterator[tuple[Any, Any]]:
    """(description, attribute-or-element) for every occurrence, whatever rdf:about says."""
    for desc in root.getElementsByTagNameNS(_RDF, "Description"):
        attr = desc.getAttributeNodeNS(namespace, name)
        if attr is not None:
            yield desc, attr
        for element in desc.getElementsByTagNameNS(namespace, name):
            yield desc, element


def _xmp_values(root: Any, namespace: str, name: str) -> list[str]:
    found: list[str] = []
    for _desc, node in _xmp_elements(root, namespace, name):
        if node.nodeType == node.ATTRIBUTE_NODE:
            found.append(node.value)
            continue
        items = node.getElementsByTagNameNS(_RDF, "li")
        if items:
            # an rdf:Alt lists the default language first, by convention x-default
            ordered = sorted(
                items, key=lambda li: li.getAttribute("xml:lang") not in ("", "x-default")
            )
            found.extend(_node_text(li) for li in ordered)
        else:
            found.append(_node_text(node))
    return [v.strip() for v in found if v and v.strip()][:MAX_LISTED]


def _node_text(node: Any) -> str:
    return "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)


def _catalog_facts(reader: Any) -> dict[str, Any]:
    """Language, tagging, document-level scripts and attachments."""
    root = _dict(reader.trailer.get("/Root"))
    if root is None:
        raise _Refused(KIND_DAMAGED, "no catalog")
    lang = _text_value(root.get("/Lang"))
    mark_info = _dict(root.get("/MarkInfo"))
    marked = bool(mark_info is not None and _resolve(mark_info.get("/Marked")))
    names = _dict(root.get("/Names"))
    scripts = _name_tree_size(names.get("/JavaScript")) if names is not None else 0
    attachments = _name_tree_size(names.get("/EmbeddedFiles")) if names is not None else 0
    kinds: set[str] = set()
    _action_kinds(root.get("/OpenAction"), kinds, set(), 0)
    _additional_actions(root.get("/AA"), kinds)
    return {
        "lang": lang.strip() if lang and lang.strip() else None,
        "tagged": marked and _dict(root.get("/StructTreeRoot")) is not None,
        "javascript": scripts > 0 or "javascript" in kinds,
        "launch": "launch" in kinds,
        "embedded_files": attachments,
    }


def _name_tree_size(node: Any, budget: int = 10_000) -> int:
    """Entries of a name tree, walked without recursion and without revisiting a node."""
    count = 0
    stack = [node]
    seen: set[int] = set()
    while stack and budget > 0:
        current = _dict(stack.pop())
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        budget -= 1
        pairs = _resolve(current.get("/Names"))
        if isinstance(pairs, list):
            count += len(pairs) // 2
        kids = _resolve(current.get("/Kids"))
        if isinstance(kids, list):
            stack.extend(kids[:1000])
    return count


def _action_kinds(action: Any, kinds: set[str], seen: set[int], depth: int) -> None:
    """Add "javascript" / "launch" for an action and the chain of its /Next actions."""
    current = _dict(action)
    if current is None or depth > 20 or id(current) in seen:
        if isinstance(_resolve(action), list) and depth <= 20:
            for item in _resolve(action)[:100]:
                _action_kinds(item, kinds, seen, depth + 1)
        return
    seen.add(id(current))
    kind = _resolve(current.get("/S"))
    if kind == "/JavaScript" or (kind == "/Rendition" and "/JS" in current):
        kinds.add("javascript")
    elif kind == "/Launch":
        kinds.add("launch")
    _action_kinds(current.get("/Next"), kinds, seen, depth + 1)


def _additional_actions(aa: Any, kinds: set[str]) -> None:
    table = _dict(aa)
    if table is not None:
        for value in list(table.values())[:100]:
            _action_kinds(value, kinds, set(), 0)


def _page_facts(reader: Any, pages: int) -> dict[str, Any]:
    """Walk every page: decode content under the limits, fonts used, annotation actions."""
    kinds: set[str] = set()
    attachments = 0
    missing_fonts: dict[str, None] = {}  # an ordered set
    seen_fonts: set[int] = set()
    for number in range(pages):
        page = reader.pages[number]
        # the streams of one page are one content stream cut in pieces
        content = b"\n".join(_decode(s) for s in _content_streams(page.get("/Contents")))
        used = _fonts_selected(content)
        del content
        fonts: list[tuple[bytes, Any]] = []
        _walk_resources(page.get("/Resources"), fonts, used, set(), 0)
        for key, font in fonts:
            # reportlab and others list fonts they never use; only used ones matter
            if key in used and id(font) not in seen_fonts:
                seen_fonts.add(id(font))
                name = _font_problem(font)
                if name is not None:
                    missing_fonts[name] = None
        _additional_actions(page.get("/AA"), kinds)
        annots = _resolve(page.get("/Annots"))
        if not isinstance(annots, list):
            continue
        for annot_ref in annots[:10_000]:
            annot = _dict(annot_ref)
            if annot is None:
                continue
            if _resolve(annot.get("/Subtype")) == "/FileAttachment":
                attachments += 1
            _action_kinds(annot.get("/A"), kinds, set(), 0)
            _additional_actions(annot.get("/AA"), kinds)
            appearance = _dict(annot.get("/AP"))
            if appearance is not None:
                normal = _dict(appearance.get("/N"))
                if normal is not None and hasattr(normal, "get_data"):
                    _decode(normal)  # PDFium draws it; it must not be a bomb either
    return {
        "fonts_not_embedded": list(missing_fonts)[:MAX_LISTED],
        "javascript_in_pages": "javascript" in kinds,
        "launch_in_pages": "launch" in kinds,
        "annotation_attachments": attachments,
    }


_TF = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+[-+]?[\d.]+\s+Tf")
_SHOW = re.compile(rb"[)\]>]\s*(?:Tj|TJ|'|\")")


def _fonts_selected(content: bytes) -> set[bytes]:
    """Resource names of the fonts a content stream shows text with.

    A font counts when a string is shown after its ``Tf``: reportlab, for one, selects
    Helvetica at the top of every page and never draws with it.
    """
    selections = [(match.start(), match.group(1)) for match in _TF.finditer(content)]
    if not selections:
        return set()
    starts = [start for start, _name in selections]
    used: set[bytes] = set()
    for show in _SHOW.finditer(content):
        index = bisect.bisect_right(starts, show.start()) - 1
        if index >= 0:
            used.add(selections[index][1])
    return used


def _content_streams(contents: Any) -> list[Any]:
    value = _resolve(contents)
    items = value if isinstance(value, list) else [value]
    return [s for s in (_dict(i) for i in items[:10_000]) if s is not None]


def _decode(stream: Any) -> bytes:
    """Decode a stream under pypdf's limits without caching the result in the object."""
    from pypdf.filters import decode_stream_data
    from pypdf.generic import EncodedStreamObject

    if isinstance(stream, EncodedStreamObject):
        return decode_stream_data(stream)
    data = stream.get_data() if hasattr(stream, "get_data") else b""
    return data if isinstance(data, bytes) else b""


def _walk_resources(
    resources: Any,
    fonts: list[tuple[bytes, Any]],
    used: set[bytes],
    seen: set[int],
    depth: int,
) -> None:
    """Collect (resource name, font) pairs; decode forms and add the fonts they select."""
    table = _dict(resources)
    if table is None or depth > 12 or id(table) in seen:
        return
    seen.add(id(table))
    font_table = _dict(table.get("/Font"))
    if font_table is not None:
        for key in list(font_table.keys())[:1000]:
            font = _dict(font_table.get(key))
            if font is not None:
                fonts.append((str(key).lstrip("/").encode("latin-1", "replace"), font))
    xobjects = _dict(table.get("/XObject"))
    if xobjects is None:
        return
    for ref in list(xobjects.values())[:10_000]:
        xobject = _dict(ref)
        if xobject is None or id(xobject) in seen:
            continue
        if _resolve(xobject.get("/Subtype")) == "/Form":
            seen.add(id(xobject))
            used |= _fonts_selected(_decode(xobject))
            _walk_resources(xobject.get("/Resources"), fonts, used, seen, depth + 1)


def _font_problem(font: Any) -> str | None:
    """The font's name when its glyphs are not in the file; None when embedded."""
    subtype = _resolve(font.get("/Subtype"))
    if subtype == "/Type3":
        return None  # glyphs are drawn by content streams inside the file
    described = font
    if subtype == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts"))
        if isinstance(descendants, list) and descendants:
            described = _dict(descendants[0]) or font
    descriptor = _dict(described.get("/FontDescriptor"))
    if descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    ):
        return None
    base = _resolve(font.get("/BaseFont")) or _resolve(described.get("/BaseFont"))
    name = str(base).lstrip("/") if base is not None else "(unnamed)"
    if re.match(r"^[A-Z]{6}\+", name):  # a subset prefix, though a subset is embedded
        name = name[7:]
    return name[:100]


def _merge_page_facts(facts: dict[str, Any]) -> None:
    facts["javascript"] = bool(facts.get("javascript")) or bool(facts.pop("javascript_in_pages", 0))
    facts["launch"] = bool(facts.get("launch")) or bool(facts.pop("launch_in_pages", 0))
    facts["embedded_files"] = int(facts.get("embedded_files", 0)) + int(
        facts.pop("annotation_attachments", 0)
    )


def _child_strip(src: Path, dst: Path, limits: Limits) -> None:
    from pypdf import PdfWriter
    from pypdf.errors import LimitReachedError, PyPdfError

    _configure_pypdf(limits)
    try:
        reader, encrypted = _open_reader(_pdf_bytes(src, limits), src)
        if encrypted:
            raise _Refused(KIND_ENCRYPTION_UNSUPPORTED, "encrypted files are not rewritten")
        writer = PdfWriter(clone_from=reader)
        # PdfWriter.metadata returns a copy; the writer's own Info dictionary is _info.
        info = _dict(getattr(writer, "_info", None))
        if info is not None and "/Author" in info:
            del info["/Author"]
        xmp = reader.xmp_metadata
        if xmp is not None:
            writer.xmp_metadata = _xmp_without_authors(xmp.rdf_root)
        temporary = dst.with_name(f".{dst.name}.{os.getpid()}.part")
        try:
            with temporary.open("wb") as handle:
                writer.write(handle)
            temporary.replace(dst)
        finally:
            temporary.unlink(missing_ok=True)
    except _Refused:
        raise
    except LimitReachedError as exc:
        raise _Refused(KIND_LIMIT, str(exc)) from exc
    except MemoryError:
        raise
    except (PyPdfError, RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Refused(KIND_DAMAGED, f"{type(exc).__name__}: {exc}") from exc


def _xmp_without_authors(rdf_root: Any) -> bytes:
    for namespace, name in ((_DC, "creator"), (_PDF_NS, "Author")):
        for desc, node in list(_xmp_elements(rdf_root, namespace, name)):
            if node.nodeType == node.ATTRIBUTE_NODE:
                desc.removeAttributeNode(node)
            elif node.parentNode is not None:
                node.parentNode.removeChild(node)
    document = rdf_root.ownerDocument
    # Serialise node by node: toxml() on the document would add an XML declaration
    # before the <?xpacket?> header, which XMP readers dislike.
    return b"".join(node.toxml("utf-8") for node in document.childNodes)
