"""Rankings and award lists as CSV, XLSX and JSON, safe to open in a spreadsheet.

A :class:`Table` has machine keys (JSON) and translatable headers (CSV, XLSX). Text
that a spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a
carriage return, or their full-width forms) is neutralised: CSV cells get a leading
apostrophe, XLSX cells are written as text with Excel's "quote prefix" style, so
the value stays exactly as typed. Numbers stay numbers.

:func:`ranking_document` is the JSON shape of ``poster-review rank`` (a superset of
its contract). Pure: no pyramid, no sqlalchemy; openpyxl is imported when used.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from poster_review.i18n import _, render
from poster_review.ranking.scoring import Id, Ranking

Cell: TypeAlias = str | int | float | bool | None

#: Starts that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP's list,
#: plus the full-width signs some spreadsheets also accept).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: Characters XML 1.0, hence XLSX, cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Table:
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class AwardEntry:
    award: str
    place: int
    poster: Id
    title: str = ""
    presenters: str = ""


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise(value: Cell) -> Cell:
    """Prefix formula-like text with an apostrophe; other values are returned as is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def ranking_table(ranking: Ranking, titles: Mapping[Id, str] | None = None) -> Table:
    """One row per poster in rank order; ``titles`` adds a title column."""
    titles = titles or {}
    columns: list[tuple[str, str]] = [
        ("rank", _("Rank")),
        ("poster", _("Poster")),
    ]
    if titles:
        columns.append(("title", _("Title")))
    columns += [
        ("score", _("Score")),
        ("calibrated", _("Calibrated score")),
        ("raw_mean", _("Mean")),
        ("median", _("Median")),
        ("n_reviews", _("Reviews")),
        ("sd", _("Standard deviation")),
        ("ci_low", _("Interval low")),
        ("ci_high", _("Interval high")),
        ("p_top_n", _("Probability of top N")),
        ("at_cutoff", _("Undecided at cut-off")),
    ]
    rows = []
    for p in ranking.posters:
        row: list[Cell] = [p.rank, p.poster]
        if titles:
            row.append(titles.get(p.poster, ""))
        row += [
            p.score,
            p.calibrated,
            p.raw_mean,
            p.median,
            p.n_reviews,
            p.sd,
            p.ci_low,
            p.ci_high,
            p.p_top_n,
            p.at_cutoff,
        ]
        rows.append(tuple(row))
    return Table(
        keys=tuple(k for k, _h in columns),
        headers=tuple(h for _k, h in columns),
        rows=tuple(rows),
    )


def award_table(entries: Iterable[AwardEntry]) -> Table:
    return Table(
        keys=("award", "place", "poster", "title", "presenters"),
        headers=(_("Award"), _("Place"), _("Poster"), _("Title"), _("Presenters")),
        rows=tuple((e.award, e.place, e.poster, e.title, e.presenters) for e in entries),
    )


def to_csv(table: Table) -> str:
    """Headers and rows as CSV text (``\\r\\n`` line ends), formula-like text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return out.getvalue()


def to_xlsx(table: Table, sheet_title: str = "Ranking") -> bytes:
    """One worksheet with a bold header row; every text cell is stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    # Sheet titles cannot hold []:*?/\ and are at most 31 characters.
    sheet.title = re.sub(r"[\[\]:*?/\\]", "_", sheet_title)[:31] or "Sheet"
    for r, values in enumerate([table.headers, *table.rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                text = _ILLEGAL_XML.sub("\ufffd", value)
                # Assigning a str starting with "=" would make openpyxl store a formula.
                cell.value = text
                cell.data_type = "s"
                if is_formula_like(text):
                    cell.quotePrefix = True
            else:
                cell.value = value
            if r == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_json(table: Table) -> str:
    """A JSON array of objects keyed by ``table.keys``; text is kept exactly."""
    return json.dumps(
        [dict(zip(table.keys, row, strict=True)) for row in table.rows],
        ensure_ascii=False,
        allow_nan=False,
        indent=1,
    )


def ranking_document(ranking: Ranking) -> dict[str, object]:
    """The ranking as JSON-ready data: ``method``, ``posters`` in rank order (with
    ``poster``, ``rank``, ``score``, ``raw_mean``, ``n_reviews``, ``ci_low``, ``ci_high``
    and more), ``reviewers`` with their leniency, ``warnings`` and ``parameters``."""
    parameters = ranking.parameters
    return {
        "method": str(parameters.method),
        "posters": [
            {
                "poster": p.poster,
                "rank": p.rank,
                "score": p.score,
                "raw_mean": p.raw_mean,
                "n_reviews": p.n_reviews,
                "ci_low": p.ci_low,
                "ci_high": p.ci_high,
                "median": p.median,
                "trimmed_mean": p.trimmed_mean,
                "calibrated": p.calibrated,
                "sd": p.sd,
                "range": p.score_range,
                "p_top_n": p.p_top_n,
                "at_cutoff": p.at_cutoff,
            }
            for p in ranking.posters
        ],
        "reviewers": [
            {
                "reviewer": r.reviewer,
                "n_reviews": r.n_reviews,
                "leniency": r.leniency,
                "residual_sd": r.residual_sd,
                "disagreement": r.disagreement,
                "consensus_correlation": r.consensus_correlation,
                "mean_robust_weight": r.mean_robust_weight,
                "outlier": r.outlier,
            }
            for r in ranking.reviewers
        ],
        "warnings": [
            {
                "code": str(w.code),
                "message": render(w.message),
                "posters": list(w.posters),
                "reviewers": list(w.reviewers),
            }
            for w in ranking.warnings
        ],
        "parameters": {
            "method": str(parameters.method),
            "lambda": parameters.ridge_lambda,
            "huber_k": parameters.huber_k,
            "n_bootstrap": parameters.n_bootstrap,
            "seed": parameters.seed,
            "top_n": parameters.top_n,
            "use_confidence": parameters.use_confidence,
            "min_reviews": parameters.min_reviews,
            "ci_level": parameters.ci_level,
            "trim": parameters.trim,
            "outlier_alpha": parameters.outlier_alpha,
        },
        "components": ranking.components,
        "robust_scale": ranking.robust_scale,
    }
