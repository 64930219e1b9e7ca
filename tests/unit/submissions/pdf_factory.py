"""Small PDFs made on the spot, so the PDF tests need no corpus.

reportlab draws the pages; pypdf adds what reportlab cannot write (tags, /Lang, XMP,
actions, attachments, encryption); :func:`raw_pdf` writes hostile files byte by byte.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

POINTS_PER_MM = 72 / 25.4
A0_MM = (841.0, 1189.0)
POSTER_TEXT = ("Learning to review posters", "Ada Lovelace, Analytical Engines Ltd")


def text_chars(lines: Sequence[str]) -> int:
    """What the inspection should count for ``lines``: every non-blank character."""
    return sum(1 for line in lines for c in line if not c.isspace())


def make_poster(
    path: Path,
    *,
    size_mm: tuple[float, float] = A0_MM,
    lines: Sequence[str] = POSTER_TEXT,
    title: str | None = None,
    author: str | None = None,
    subject: str | None = None,
    keywords: str | None = None,
    embed_font: bool = True,
    pages: int = 1,
) -> Path:
    """A poster with ``lines`` of text; Vera (embedded) or Helvetica (not embedded)."""
    width, height = (size_mm[0] * POINTS_PER_MM, size_mm[1] * POINTS_PER_MM)
    canvas = Canvas(str(path), pagesize=(width, height), invariant=True)
    if title is not None:
        canvas.setTitle(title)
    if author is not None:
        canvas.setAuthor(author)
    if subject is not None:
        canvas.setSubject(subject)
    if keywords is not None:
        canvas.setKeywords(keywords)
    font = "Helvetica"
    if embed_font:
        pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
        font = "Vera"
    for _page in range(pages):
        canvas.setFont(font, 48)
        for number, line in enumerate(lines):
            canvas.drawString(100, height - 200 - 80 * number, line)
        canvas.rect(100, 100, width / 2, height / 4, stroke=1, fill=0)
        canvas.showPage()
    canvas.save()
    return path


def edit(path: Path, change: Callable[[PdfWriter], None], out: Path | None = None) -> Path:
    """Rewrite ``path`` (or write ``out``) after ``change`` has edited a pypdf writer."""
    writer = PdfWriter(clone_from=PdfReader(path))
    change(writer)
    target = out or path
    with target.open("wb") as handle:
        writer.write(handle)
    return target


XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    pdf:Author="{author}" pdfaid:part="{part}" pdfaid:conformance="{conformance}">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def xmp(*, title: str, author: str, part: str = "2", conformance: str = "U") -> bytes:
    return XMP_TEMPLATE.format(
        title=title, author=author, part=part, conformance=conformance
    ).encode()


def tag(writer: PdfWriter, *, lang: str | None = "en-GB") -> None:
    """Mark the document as tagged (MarkInfo and an empty StructTreeRoot) and set /Lang."""
    root = writer.root_object
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    root[NameObject("/StructTreeRoot")] = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructTreeRoot")}
    )
    if lang is not None:
        root[NameObject("/Lang")] = TextStringObject(lang)


def tagged_a0_poster(path: Path) -> Path:
    """Everything right: A0 portrait, embedded font, title, tags, /Lang, PDF/A-2U claim."""
    make_poster(
        path,
        title="Learning to review posters",
        author="Ada Lovelace",
        subject="Poster session 2025",
        keywords="review, posters",
    )

    def change(writer: PdfWriter) -> None:
        tag(writer)
        writer.xmp_metadata = xmp(title="Learning to review posters", author="Ada Lovelace")

    return edit(path, change)


def rotate_first_page(writer: PdfWriter) -> None:
    writer.pages[0].rotate(90)


def empty_mediabox(writer: PdfWriter) -> None:
    page = writer.pages[0]
    page.mediabox = RectangleObject([0, 0, 0, 0])
    page.cropbox = RectangleObject([0, 0, 0, 0])


def javascript_open_action(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )


def launch_link(writer: PdfWriter) -> None:
    """A link annotation whose action starts a program."""
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 100, 100)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("calc.exe"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([annotation])


def attach_file(writer: PdfWriter) -> None:
    writer.add_attachment("data.csv", b"x,y\n1,2\n")


def encrypt_with(user: str, owner: str) -> Callable[[PdfWriter], None]:
    # RC4-128 needs no extra module, unlike AES.
    def change(writer: PdfWriter) -> None:
        writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")

    return change


def raw_pdf(objects: Sequence[bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A PDF whose objects 1..n are ``objects`` (object 1 the catalog), with a true xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def deflated(pattern: bytes, megabytes: int) -> bytes:
    """``megabytes`` MB of ``pattern`` repeated, deflated chunk by chunk (a bomb)."""
    chunk = (pattern * (1_048_576 // len(pattern) + 1))[:1_048_576]
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra) + (
        data + b"\nendstream"
    )


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"


def content_bomb(path: Path, *, megabytes: int, pattern: bytes = b"\0") -> Path:
    """One page whose content stream inflates to ``megabytes`` MB."""
    path.write_bytes(raw_pdf([_CATALOG, _PAGES, _PAGE, stream(deflated(pattern, megabytes))]))
    return path


def xmp_bomb(path: Path, *, megabytes: int) -> Path:
    """A metadata stream inflating to ``megabytes`` MB of spaces."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>"
    small = zlib.compress(b"BT ET")
    metadata = stream(deflated(b" ", megabytes), b"/Type /Metadata /Subtype /XML ")
    path.write_bytes(raw_pdf([catalog, _PAGES, _PAGE, stream(small), metadata]))
    return path


def pages_cycle(path: Path) -> Path:
    """A page tree whose /Kids contains the tree itself."""
    pages = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    path.write_bytes(raw_pdf([_CATALOG, pages, _PAGE, stream(zlib.compress(b"BT ET"))]))
    return path
