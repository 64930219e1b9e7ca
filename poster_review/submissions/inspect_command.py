"""``poster-review inspect FILE.pdf [--json] [--thumbnail OUT.png --width 400]``.

Checks a poster the way the upload form does, in a limited child process, and prints
the report: one JSON object with ``--json`` (the contract scripts rely on), else a
readable summary. Exit status 0 when the file is acceptable, 2 when it is refused or
missing; a file is always judged within 20 seconds.

Also runnable as ``python -m poster_review.submissions.inspect_command FILE --json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_WIDTH = 400


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="check a poster PDF and print its report",
        description="Check a poster PDF as the upload form does and print the report.",
    )
    parser.add_argument("file", metavar="FILE.pdf", help="the PDF to check")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--thumbnail", metavar="OUT.png", help="also draw the first page (.png, .webp or .jpg)"
    )
    parser.add_argument(
        "--width",
        type=int,
        default=None,
        metavar="PX",
        help=f"thumbnail width in pixels (default {DEFAULT_WIDTH})",
    )
    parser.add_argument(
        "--max-pages", type=int, default=50, metavar="N", help="refuse more pages (default 50)"
    )
    parser.add_argument(
        "--max-mb", type=float, default=200, metavar="N", help="refuse bigger files (default 200)"
    )
    parser.add_argument(
        "--format",
        metavar="WxH",
        help="the expected page size in mm, e.g. 841x1189; another size is a warning",
    )
    parser.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="NAME",
        help="warn when this name appears on the poster (double-blind); repeatable",
    )
    parser.set_defaults(func=run)


class _BadArguments(Exception):
    pass


def _limits(args: argparse.Namespace) -> Any:
    from poster_review.submissions.pdf import MB, Limits

    if args.max_pages < 1:
        raise _BadArguments("--max-pages must be 1 or more.")
    if args.max_mb <= 0:
        raise _BadArguments("--max-mb must be a positive number.")
    expected = None
    if args.format:
        try:
            width, height = (float(part) for part in args.format.lower().split("x"))
        except ValueError:
            raise _BadArguments(f"--format {args.format!r} is not WIDTHxHEIGHT in mm.") from None
        if width <= 0 or height <= 0:
            raise _BadArguments("--format needs a positive width and height.")
        expected = (width, height)
    return Limits(
        max_bytes=int(args.max_mb * MB), max_pages=args.max_pages, expected_page_mm=expected
    )


def run(args: argparse.Namespace) -> int:
    from poster_review.submissions.pdf import ThumbnailRequest, examine, report_as_dict

    try:
        limits = _limits(args)
        requests = []
        if args.thumbnail:
            width = DEFAULT_WIDTH if args.width is None else args.width
            if width < 1 or width > 10_000:
                raise _BadArguments("--width must be between 1 and 10000 pixels.")
            out = Path(args.thumbnail)
            if out.suffix.lower() not in (".png", ".webp", ".jpg", ".jpeg"):
                raise _BadArguments("--thumbnail must end in .png, .webp or .jpg.")
            if not out.parent.is_dir():
                raise _BadArguments(f"The folder of {out} does not exist.")
            requests.append(ThumbnailRequest(out, width))
        elif args.width is not None:
            raise _BadArguments("--width needs --thumbnail OUT.png.")
    except _BadArguments as exc:
        print(f"poster-review inspect: {exc}", file=sys.stderr)
        return 2
    result = examine(Path(args.file), limits, thumbnails=requests, author_names=args.author)
    report = result.report
    thumbnail = result.thumbnails[0] if result.thumbnails else None
    if args.json:
        data = report_as_dict(report, thumbnail)
        data["file"] = str(args.file)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(_human(args.file, report, thumbnail))
    if not report.ok:
        from poster_review.i18n import render

        print(f"poster-review inspect: {render(report.errors[0].message)}", file=sys.stderr)
        return 2
    return 0


def _human(name: str, report: Any, thumbnail: Any) -> str:
    from poster_review.i18n import render

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    verdict = "acceptable" if report.ok else "refused"
    lines = [f"{name}: {verdict}"]
    if report.pages is not None:
        size = (
            f"{report.page_width_mm:.0f} × {report.page_height_mm:.0f} mm"
            if report.page_width_mm is not None and report.page_height_mm is not None
            else "unknown"
        )
        others = len(report.page_sizes_mm) - 1
        more = f" (and {others} other size{'s' if others > 1 else ''})" if others > 0 else ""
        lines.append(f"  pages: {report.pages}, page size: {size}{more}")
        for label, value in (
            ("title", report.title),
            ("author", report.author),
            ("subject", report.subject),
            ("keywords", report.keywords),
            ("creator", report.creator),
            ("producer", report.producer),
        ):
            if value:
                lines.append(f"  {label}: {value}")
        lines.append(
            f"  language: {report.lang or 'none'}, tagged: {yes(report.tagged)}, "
            f"PDF/A: {report.pdfa or 'no'}"
        )
        lines.append(
            f"  encrypted: {yes(report.encrypted)}, JavaScript: {yes(report.javascript)}, "
            f"launch actions: {yes(report.launch_actions)}, "
            f"attached files: {report.embedded_files}"
        )
        fonts = ", ".join(report.fonts_not_embedded) or "none"
        lines.append(f"  fonts not embedded: {fonts}")
        chars = "unknown" if report.text_chars is None else str(report.text_chars)
        lines.append(f"  text characters: {chars}")
    for title, issues in (("errors", report.errors), ("warnings", report.warnings)):
        if not issues:
            continue
        lines.append(f"{title}:")
        for issue in issues:
            lines.append(f"  - {render(issue.message)} [{issue.code}]")
            for hint in issue.hints:
                lines.append(f"      {render(hint.tool)}: {render(hint.text)}")
    if thumbnail is not None:
        lines.append(f"thumbnail: {thumbnail.path} ({thumbnail.width} × {thumbnail.height} px)")
    lines.append(f"checked in {report.elapsed_seconds:.2f} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="poster-review")
    subparsers = parser.add_subparsers(dest="command")
    add_parser(subparsers)
    args = parser.parse_args(["inspect", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
