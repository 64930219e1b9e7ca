"""Fuzzing the PDF check: a mutated poster always gets a report, within the time limit.

Seeds are posters built here (tests/pdfs.py and pdf_factory: plain, tagged with XMP,
scripted, encrypted, hand-written) and, when the shared corpus is present, its small
files. Hypothesis mutates them: flipped bytes, truncation, duplicated chunks, inserted
hostile objects (bombs, cycles, deep nesting, absurd sizes), numbers swapped for
extreme ones, and two seeds spliced. :func:`pdf.ingest` (the entry point the upload task
uses) must return a report every time: no exception in this process, no Python
traceback escaping the child, an answer within the wall-clock limit, every message a
sentence, thumbnails only for an accepted file. The short run is part of the normal
suite; ``make test-slow`` runs many more examples with the production limits.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from poster_review.i18n import render
from poster_review.submissions import pdf
from tests.pdfs import poster_pdf
from tests.unit.submissions import pdf_factory

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
#: Corpus files small enough to mutate quickly.
CORPUS_SEED_BYTES = 20_000
CORPUS_SEEDS = 8

#: Tight limits keep the short run short; a mutant that hangs costs at most this long.
QUICK = pdf.Limits(wall_seconds=6.0, cpu_seconds=5, text_seconds=2.0, max_stream_bytes=20_000_000)
#: What the upload task uses (the defaults), for the long run.
FULL = pdf.Limits()
#: Time to start and reap the child beyond its own limit.
MARGIN_SECONDS = 3.0

#: Every code a report may carry as an error; anything else is a bug.
ERROR_CODES = frozenset(
    {
        "not_pdf",
        "file_too_large",
        "password_required",
        "encryption_unsupported",
        "too_complex",
        "too_much_memory",
        "too_slow",
        "damaged",
        "render_failed",
        "reader_crashed",
        "wrong_page_count",
        "page_without_size",
        "page_too_small",
        "page_too_large",
    }
)


def zeros_deflated(megabytes: int) -> bytes:
    """A zlib stream of ``megabytes`` MiB of zeros, about 1 KB per MiB, built in
    milliseconds: each MiB is compressed once with a full flush (byte-aligned and
    without history), so the same block can be repeated."""
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    # An empty final block (fixed Huffman, end of block), then the Adler-32 of all data.
    return first + block * (megabytes - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


def _object(number: int, body: bytes) -> bytes:
    return b"\n%d 0 obj\n%s\nendobj\n" % (number, body)


def _stream(number: int, data: bytes, extra: bytes = b"") -> bytes:
    return _object(number, b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data))


#: Objects inserted at object boundaries; numbers 1-4 also replace the seed's own
#: catalog, page tree, page and content (the later definition wins when the xref is
#: rebuilt).
HOSTILE_OBJECTS = (
    _object(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>"),
    _object(2, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2147483647 >>"),
    _object(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1e30 -1e30] /Contents 3 0 R >>"),
    _object(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /UserUnit 1e38 >>"),
    _stream(4, zeros_deflated(300), b"/Filter /FlateDecode "),
    _stream(4, b"garbage that is not deflate", b"/Filter [/FlateDecode /LZWDecode] "),
    _object(4, b"<< /Length 99999999999 /Filter /FlateDecode >>\nstream\nxyz\nendstream"),
    _object(90, b"[" * 20_000 + b"]" * 20_000),
    _object(91, b"<< /A " * 5_000 + b">>" * 5_000),
    _object(92, b"(" + b"\\(" * 10_000 + b")"),
    _object(
        93,
        b"<< /Type /Font /Subtype /Type0 /DescendantFonts [93 0 R] /BaseFont /"
        + b"A" * 5000
        + b" >>",
    ),
    _stream(
        94,
        b"abc",
        b"/Type /XObject /Subtype /Image /Width 1000000 /Height 1000000 "
        b"/BitsPerComponent 8 /ColorSpace /DeviceRGB ",
    ),
    _object(
        95, b"<< /Type /Annot /Subtype /Link /A << /S /Launch /F (calc.exe) /Next 95 0 R >> >>"
    ),
    b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Root 1 0 R /Prev 0 >>\nstartxref\n0\n",
    b"\n%%EOF\n%PDF-2.0\n",
)
EXTREME_NUMBERS = (
    b"0",
    b"-1",
    b"99999999999",
    b"2147483648",
    b"1e308",
    b"-3.4e38",
    b"-0.0",
    b"nan",
)
_NUMBER = re.compile(rb"(?<=[\s\[/(<])-?\d+(?:\.\d+)?(?=[\s\]/>)])")
_ENDOBJ = re.compile(rb"endobj\s*")


def _seed_files(folder: Path) -> list[bytes]:
    seeds = [poster_pdf("Seed poster"), poster_pdf("Two pages", pages=2, author="Ada Lovelace")]
    tagged = pdf_factory.tagged_a0_poster(folder / "tagged.pdf")
    seeds.append(tagged.read_bytes())
    scripted = pdf_factory.make_poster(folder / "scripted.pdf", embed_font=False)

    def activate(writer: Any) -> None:
        pdf_factory.javascript_open_action(writer)
        pdf_factory.launch_link(writer)
        pdf_factory.attach_file(writer)

    seeds.append(pdf_factory.edit(scripted, activate).read_bytes())
    locked = pdf_factory.make_poster(folder / "locked.pdf")
    seeds.append(pdf_factory.edit(locked, pdf_factory.encrypt_with("", "owner")).read_bytes())
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2384 3370] /Contents 4 0 R >>"
    content = pdf_factory.stream(zlib.compress(b"BT /F1 48 Tf 100 100 Td (Hello) Tj ET"))
    seeds.append(pdf_factory.raw_pdf([catalog, pages, page, content]))
    if CORPUS.is_dir():
        small = sorted(p for p in CORPUS.glob("*/*.pdf") if p.stat().st_size <= CORPUS_SEED_BYTES)
        found = [p.read_bytes() for p in small]
        seeds.extend([data for data in found if b"%PDF-" in data[:1024]][:CORPUS_SEEDS])
    return seeds


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    return _seed_files(tmp_path_factory.mktemp("fuzz-seeds"))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example: each writes its mutant and thumbnails over the last."""
    return tmp_path_factory.mktemp("fuzz")


@st.composite
def mutated(draw: Any, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(
            st.sampled_from(["flip", "truncate", "duplicate", "insert", "number", "splice"])
        )
        size = len(data)
        if kind == "flip" and size:
            for _flip in range(draw(st.integers(min_value=1, max_value=16))):
                at = draw(st.integers(min_value=0, max_value=size - 1))
                data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif kind == "truncate":  # mostly after the header, which is checked first
            del data[draw(st.integers(min_value=min(size, 16), max_value=size)) :]
        elif kind == "duplicate" and size:
            start = draw(st.integers(min_value=0, max_value=size - 1))
            end = draw(st.integers(min_value=start, max_value=min(size, start + 4096)))
            at = draw(st.integers(min_value=min(size, 16), max_value=size))
            data[at:at] = data[start:end] * draw(st.integers(min_value=1, max_value=50))
        elif kind == "insert":
            places = [m.end() for m in _ENDOBJ.finditer(data)] or [size]
            at = draw(st.sampled_from(places))
            data[at:at] = draw(st.sampled_from(HOSTILE_OBJECTS))
        elif kind == "number":
            numbers = list(_NUMBER.finditer(data))
            if numbers:
                match = draw(st.sampled_from(numbers))
                data[match.start() : match.end()] = draw(st.sampled_from(EXTREME_NUMBERS))
        elif kind == "splice":
            other = draw(st.sampled_from(seeds))
            cut = draw(st.integers(min_value=min(size, 16), max_value=size))
            data[cut:] = other[draw(st.integers(min_value=0, max_value=len(other))) :]
    return bytes(data)


def check_ingest(data: bytes, folder: Path, limits: pdf.Limits) -> pdf.IngestResult:
    """Ingest ``data`` and check everything that must hold whatever the file is."""
    source = folder / "mutant.pdf"
    source.write_bytes(data)
    thumbs = folder / "thumbs"
    for old in thumbs.glob("*"):
        old.unlink()
    result = pdf.ingest(source, limits, thumbs)
    report = result.report
    assert isinstance(report, pdf.Report)
    assert report.elapsed_seconds <= limits.wall_seconds + MARGIN_SECONDS, report.elapsed_seconds
    for issue in (*report.errors, *report.warnings):
        assert render(issue.message).strip(), issue.code
    assert {issue.code for issue in report.errors} <= ERROR_CODES, report.errors
    detail = report.detail or ""
    # Exit status 1 is an exception in our own child code; a signal (PDFium aborting)
    # or a limit is a refusal, which is fine.
    assert not detail.startswith("child exit status 1"), detail
    if report.ok:
        assert result.large is not None and result.large.path.is_file()
        assert result.small is not None and result.small.width == pdf.SMALL_WIDTH
    else:
        assert result.thumbnails == ()
        assert list(thumbs.glob("*")) == []  # no picture of a refused file is left
    json.dumps(pdf.report_as_dict(report))  # the `poster-review inspect --json` contract
    return result


def test_seeds_are_inspected(seeds, tmp_path):
    """The unmutated seeds work, so the mutants start from files the check reads."""
    plain = check_ingest(seeds[0], tmp_path, QUICK)
    assert plain.report.ok and plain.report.pages == 1
    locked = check_ingest(seeds[4], tmp_path, QUICK)
    assert locked.report.encrypted
    bomb = pdf_factory.raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            pdf_factory.stream(zeros_deflated(300)),
        ]
    )
    refused = check_ingest(bomb, tmp_path, QUICK)
    assert [i.code for i in refused.report.errors] == ["too_complex"]


def test_zeros_deflated_inflates_to_the_size_asked():
    data = zeros_deflated(3)
    assert len(data) < 4000
    assert zlib.decompress(data) == bytes(3 << 20)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_pdfs_get_a_report(data, seeds, work):
    result = check_ingest(data.draw(mutated(seeds)), work, QUICK)
    event(result.report.errors[0].code if result.report.errors else "accepted")


@pytest.mark.slow
@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_pdfs_get_a_report_long_run(data, seeds, work):
    result = check_ingest(data.draw(mutated(seeds)), work, FULL)
    event(result.report.errors[0].code if result.report.errors else "accepted")
