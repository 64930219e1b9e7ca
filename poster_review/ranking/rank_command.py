"""``poster-review rank --input REVIEWS.csv --output RANKING.json [--method METHOD]``.

Or ``poster-review [-c INI] rank --conference SLUG --output RANKING.json``: the same
ranking from the conference's submitted reviews in the database (posters by number).

``METHOD`` is ``calibrated`` (the default), ``mean`` or ``median``.

Reads one review per line (header ``poster,reviewer,score[,confidence]``, columns in
any order, other columns ignored), ranks the posters (see
:mod:`poster_review.ranking.scoring`) and writes
``{"method": ..., "posters": [{"poster", "rank", "score", "raw_mean", "n_reviews",
"ci_low", "ci_high", ...}, ...], "reviewers": [...], "warnings": [...]}`` sorted by rank.
Ids are kept as written, except that a canonical integer (``7``, ``-3``; not ``007``
or ``+7``) becomes a JSON number. Warnings also go to stderr. Malformed input: one
sentence naming the line on stderr, exit status 2.

Also runnable as ``python -m poster_review.ranking.rank_command --input ... --output ...``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poster_review.ranking.scoring import Id, Review

METHODS = ("calibrated", "mean", "median")
REQUIRED = ("poster", "reviewer", "score")
OPTIONAL = ("confidence",)

_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
# Plain decimal notation: float() would also take "1_000", "nan" and "infinity".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rank",
        help="rank posters from a CSV of review scores",
        description="Rank posters from review scores, correcting for reviewer leniency.",
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input",
        metavar="REVIEWS.csv",
        help="CSV with the header poster,reviewer,score[,confidence] (confidence 1-5)",
    )
    source.add_argument(
        "--conference",
        metavar="SLUG",
        help="rank the submitted reviews of this conference in the database (-c INI) instead",
    )
    parser.add_argument("--output", required=True, metavar="RANKING.json", help="where to write")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="calibrated",
        help="calibrated (default: removes reviewer leniency), mean or median",
    )
    parser.add_argument(
        "--top-n", type=int, default=10, metavar="N", help="the award cut-off (default 10)"
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="resamples for the intervals (default 1000; 0: none)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--min-reviews",
        type=int,
        default=3,
        metavar="N",
        help="warn about posters with fewer reviews (default 3)",
    )
    parser.add_argument(
        "--lambda",
        dest="ridge_lambda",
        type=float,
        default=2.0,
        metavar="L",
        help="leniency shrinkage, in pseudo-reviews (default 2)",
    )


def parse_id(text: str) -> int | str:
    """A canonical integer literal becomes an int; any other id stays text."""
    return int(text) if _CANONICAL_INT.fullmatch(text) else text


class BadInput(Exception):
    """Input the command refuses; the message is one English sentence."""


def read_reviews(data: bytes, name: str) -> list[Review]:
    """Parse the CSV bytes of the file ``name``; raises BadInput naming the bad line."""
    from poster_review.i18n import _, render
    from poster_review.ranking.scoring import Review

    def fail(line: int, problem: str) -> BadInput:
        return BadInput(
            render(
                _(
                    "Line ${line} of ${name}: ${problem}",
                    mapping={"line": line, "name": name, "problem": render(problem)},
                )
            )
        )

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(data.count(b"\n", 0, exc.start) + 1, _("the text is not UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    reviews: list[Review] = []
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise fail(1, _("the file is empty; expected the header poster,reviewer,score."))
        header_line = reader.line_num
        names = [cell.strip().lower() for cell in header]
        for column in (*REQUIRED, *OPTIONAL):
            if column in REQUIRED and column not in names:
                raise fail(
                    header_line,
                    _('the header lacks the column "${column}".', mapping={"column": column}),
                )
            if names.count(column) > 1:
                raise fail(
                    header_line,
                    _('the column "${column}" appears twice.', mapping={"column": column}),
                )
        index = {c: names.index(c) for c in (*REQUIRED, *OPTIONAL) if c in names}
        seen: dict[tuple[Id, Id], int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            # Spreadsheets pad rows with empty cells; a value beyond the header is an error.
            if len(row) < len(names) or any(cell.strip() for cell in row[len(names) :]):
                raise fail(
                    line,
                    _(
                        "expected ${expected} fields, found ${found}.",
                        mapping={"expected": len(names), "found": len(row)},
                    ),
                )
            cells = {column: row[i].strip() for column, i in index.items()}
            for column in ("poster", "reviewer"):
                if not cells[column]:
                    raise fail(line, _("the ${column} id is empty.", mapping={"column": column}))
            poster, reviewer = parse_id(cells["poster"]), parse_id(cells["reviewer"])
            score = _number(cells["score"])
            if score is None:
                raise fail(
                    line,
                    _('the score "${value}" is not a number.', mapping={"value": cells["score"]}),
                )
            confidence: float | None = None
            if cells.get("confidence"):
                confidence = _number(cells["confidence"])
                if confidence is None or not 1 <= confidence <= 5:
                    raise fail(
                        line,
                        _(
                            'the confidence "${value}" is not a number from 1 to 5.',
                            mapping={"value": cells["confidence"]},
                        ),
                    )
            if (poster, reviewer) in seen:
                raise fail(
                    line,
                    _(
                        "reviewer ${reviewer} already scored poster ${poster} on line ${first}.",
                        mapping={
                            "reviewer": reviewer,
                            "poster": poster,
                            "first": seen[poster, reviewer],
                        },
                    ),
                )
            seen[poster, reviewer] = line
            reviews.append(Review(poster, reviewer, score, confidence))
    except csv.Error as exc:
        raise fail(
            reader.line_num, _("the CSV is malformed (${error}).", mapping={"error": str(exc)})
        ) from None
    if not reviews:
        raise fail(reader.line_num + 1, _("there are no reviews after the header."))
    return reviews


def _number(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def run(args: argparse.Namespace) -> int:
    # Errors are reported here rather than by the cli's handler: under
    # ``python -m poster_review.cli`` that module runs as __main__, and its UsageError
    # is not the class this module would import.
    try:
        return _run(args)
    except BadInput as exc:
        print(f"poster-review: {exc}", file=sys.stderr)
        return 2


def _database_reviews(args: argparse.Namespace) -> list[Review]:
    """The conference's submitted review-round totals; posters are named by their
    number, as chairs know them, reviewers by their account id."""
    from sqlalchemy import select

    from poster_review.cli import UsageError
    from poster_review.commands.env import db_session, load_settings
    from poster_review.conferences.services import get_by_slug
    from poster_review.i18n import _, render
    from poster_review.ranking import services
    from poster_review.ranking.scoring import Review
    from poster_review.submissions.models import Submission

    try:
        settings = load_settings(args)
    except UsageError as exc:
        raise BadInput(str(exc)) from None
    with db_session(settings) as dbsession:
        conference = get_by_slug(dbsession, args.conference)
        if conference is None:
            raise BadInput(
                render(_("There is no conference ${slug}.", mapping={"slug": args.conference}))
            )
        numbers = dict(
            dbsession.execute(
                select(Submission.id, Submission.number).where(
                    Submission.conference_id == conference.id
                )
            ).all()
        )
        rows = services.submitted_reviews(dbsession, conference.id)
        return [
            Review(
                poster=int(numbers[r.submission_id]),
                reviewer=r.reviewer_id,
                score=r.total,
                confidence=r.confidence,
            )
            for r in rows
        ]


def _run(args: argparse.Namespace) -> int:
    from poster_review.i18n import _, render
    from poster_review.ranking import export, scoring

    if args.conference:
        reviews = _database_reviews(args)
        args.input = args.conference
    else:
        source = Path(args.input)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise BadInput(
                render(
                    _(
                        "Cannot read ${name}: ${reason}.",
                        mapping={"name": args.input, "reason": exc.strerror or exc},
                    )
                )
            ) from None
        reviews = read_reviews(data, args.input)
    try:
        parameters = scoring.RankingParameters(
            method=scoring.Method(args.method),
            ridge_lambda=args.ridge_lambda,
            n_bootstrap=args.bootstrap,
            seed=args.seed,
            top_n=args.top_n,
            min_reviews=args.min_reviews,
        )
        ranking = scoring.rank(reviews, parameters)
    except scoring.ScoringError as exc:
        raise BadInput(render(exc.message)) from None
    document = json.dumps(
        export.ranking_document(ranking), ensure_ascii=False, allow_nan=False, indent=1
    )
    try:
        Path(args.output).write_text(document + "\n", encoding="utf-8")
    except OSError as exc:
        raise BadInput(
            render(
                _(
                    "Cannot write ${name}: ${reason}.",
                    mapping={"name": args.output, "reason": exc.strerror or exc},
                )
            )
        ) from None
    for warning in ranking.warnings:
        print(f"poster-review: warning: {render(warning.message)}", file=sys.stderr)
    print(
        render(
            _(
                "Ranked ${posters} posters from ${reviews} reviews (${method}); wrote ${output}.",
                mapping={
                    "posters": len(ranking.posters),
                    "reviews": len(reviews),
                    "method": args.method,
                    "output": args.output,
                },
            )
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="poster-review rank", description="Rank posters from review scores."
    )
    parser.add_argument("-c", "--config", default="development.ini", metavar="INI")
    _add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
