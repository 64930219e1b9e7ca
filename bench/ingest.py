"""Time and peak memory of ingesting A0 posters, next to pdftoppm drawing the same thumbnails.

Makes three A0 portrait posters with reportlab (vector shapes, text and photo-like JPEG
images to reach about 0.1, 5 and 30 MB), then for each one measures

* ours: ``ingest()``: the limited child reads the structure with pypdf, counts the text
  with PDFium, draws page 1 at 1600 px and shrinks it to 400 px (two PNG files);
* pdftoppm: two runs, ``-scale-to-x 1600`` and ``-scale-to-x 400``, PNG, page 1 only.

Peak memory: our child reads its own VmHWM; pdftoppm's comes from ``os.wait4``. Linux
carries a parent's high-water mark into its children, so the posters are made in a
separate process and this one stays small. Prints the median of ``--repeat`` runs and
the ratio ours/pdftoppm.

    .venv/bin/python bench/ingest.py [--repeat 5] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from poster_review.submissions.pdf import Limits, ingest

POINTS_PER_MM = 72 / 25.4
A0 = (841 * POINTS_PER_MM, 1189 * POINTS_PER_MM)
SIZES = {"small": 0, "5MB": 5_000_000, "30MB": 30_000_000}


def photo(seed: int, size: tuple[int, int]) -> bytes:
    """A JPEG that compresses like a photograph: smooth colour fields plus grain."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(16 * 12)])
    base = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(8))
    grain = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    picture = Image.blend(base, grain, 0.35)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=92)
    return out.getvalue()


def make_poster(path: Path, *, photo_bytes: int) -> Path:
    """An A0 poster: a title, 40 paragraphs, 2 000 vector marks, photos to ``photo_bytes``."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    canvas = Canvas(str(path), pagesize=A0, invariant=True)
    canvas.setTitle(f"Benchmark poster {path.stem}")
    width, height = A0
    rng = random.Random(7)
    canvas.setFont("Vera", 90)
    canvas.drawString(120, height - 200, "Measuring poster ingestion, honestly")
    canvas.setFont("Vera", 24)
    for row in range(40):
        x = 120 + (row % 2) * width / 2
        y = height - 400 - (row // 2) * 60
        canvas.drawString(x, y, f"Paragraph {row}: the quick brown fox measures a poster again.")
    for _ in range(2000):
        canvas.setFillColorRGB(rng.random(), rng.random(), rng.random(), alpha=0.5)
        canvas.circle(
            rng.uniform(0, width), rng.uniform(0, height / 2), rng.uniform(4, 40), stroke=0, fill=1
        )
    written, seed = 0, 0
    while True:
        data = photo(seed, (2400, 1800))  # about 1.9 MB each
        if written + len(data) > photo_bytes:
            break
        column, row = seed % 2, (seed // 2) % 8
        canvas.drawImage(
            ImageReader(io.BytesIO(data)),
            100 + column * width / 2,
            300 + row * 300,
            width / 2 - 200,
            280,
        )
        written += len(data)
        seed += 1
    canvas.showPage()
    canvas.save()
    return path


def time_ours(pdf: Path, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = ingest(pdf, Limits(), out)
    elapsed = time.perf_counter() - started
    assert result.report.ok, result.report.errors
    assert [t.width for t in result.thumbnails] == [1600, 400]
    return elapsed, result.peak_memory_bytes or 0


def time_pdftoppm(pdftoppm: str, pdf: Path, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    peak = 0
    for width in (1600, 400):
        command = [
            pdftoppm,
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-scale-to-x",
            str(width),
            "-scale-to-y",
            "-1",
            str(pdf),
            str(out / f"p{width}"),
        ]
        proc = subprocess.Popen(command)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.returncode == 0, command
        peak = max(peak, usage.ru_maxrss * 1024)
    return time.perf_counter() - started, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the posters here and keep them")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)  # the poster maker
    args = parser.parse_args()
    if args.make:
        for name, photo_bytes in SIZES.items():
            make_poster(args.make / f"a0-{name}.pdf", photo_bytes=photo_bytes)
        return 0
    pdftoppm = shutil.which("pdftoppm")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not all((folder / f"a0-{name}.pdf").exists() for name in SIZES):
        subprocess.run([sys.executable, __file__, "--make", str(folder)], check=True)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.repeat}")
    print(
        f"{'poster':>8} {'size':>9} | {'ours s':>7} {'peak MB':>8} | "
        f"{'pdftoppm s':>10} {'peak MB':>8} | {'ours/pdftoppm':>13}"
    )
    for name in SIZES:
        pdf = folder / f"a0-{name}.pdf"
        ours = [time_ours(pdf, folder / f"ours-{name}") for _ in range(args.repeat)]
        ours_s = statistics.median(t for t, _ in ours)
        ours_mb = max(m for _, m in ours) / 1e6
        line = f"{name:>8} {pdf.stat().st_size / 1e6:>7.1f}MB | {ours_s:>7.2f} {ours_mb:>8.0f} | "
        if pdftoppm is None:
            print(line + "pdftoppm not installed (apt-get install poppler-utils)")
            continue
        theirs = []
        for _ in range(args.repeat):
            out = folder / f"pdftoppm-{name}"
            out.mkdir(exist_ok=True)
            theirs.append(time_pdftoppm(pdftoppm, pdf, out))
        theirs_s = statistics.median(t for t, _ in theirs)
        theirs_mb = max(m for _, m in theirs) / 1e6
        print(line + f"{theirs_s:>10.2f} {theirs_mb:>8.0f} | {ours_s / theirs_s:>13.2f}")
    if args.keep is None:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
