"""Reviewer pool import from CSV (pure: no web, no database).

Columns (header row, any order; only ``name`` and ``email`` are required):
``name, email, affiliations, country, topics, languages, max_load, orcid``.
Several affiliations, topics or languages are separated by ``;``. Every row is checked
and each problem is reported with its line number before anything is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from poster_review.i18n import _
from poster_review.submissions.authors import country_names, normalise_orcid

COLUMNS = ("name", "email", "affiliations", "country", "topics", "languages", "max_load", "orcid")
MAX_ROWS = 5000


@dataclass(frozen=True)
class PoolRow:
    line: int
    name: str
    email: str
    affiliations: tuple[str, ...] = ()
    country: str = ""
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    max_load: int = 6
    orcid: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def parse_pool_csv(text: str) -> tuple[list[PoolRow], list[RowProblem]]:
    """Rows that are fine, and the problems of the others (line numbers count the
    header as line 1). A repeated e-mail address is a problem on its second line."""
    problems: list[RowProblem] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        return [], [_unreadable(1)]
    missing = [c for c in ("name", "email") if c not in header]
    if missing:
        return [], [
            RowProblem(
                1,
                _(
                    "The first line must name the columns; ${missing} is missing.",
                    mapping={"missing": ", ".join(missing)},
                ),
            )
        ]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(
            RowProblem(
                1,
                _("Unknown columns are ignored: ${names}.", mapping={"names": ", ".join(unknown)}),
            )
        )
    rows: list[PoolRow] = []
    seen: set[str] = set()
    try:
        for index, raw in enumerate(reader, start=2):
            if index > MAX_ROWS + 1:
                problems.append(
                    RowProblem(index, _("At most ${n} rows at a time.", mapping={"n": MAX_ROWS}))
                )
                break
            row = {
                (k or "").strip().lower(): (v or "").strip()
                for k, v in raw.items()
                if isinstance(v, str)
            }
            if not any(row.values()):
                continue
            parsed = _parse_row(index, row, seen)
            if isinstance(parsed, RowProblem):
                problems.append(parsed)
            else:
                rows.append(parsed)
    except csv.Error:  # a field over the csv module's limit (128 KiB)
        problems.append(_unreadable(reader.line_num + 1))
    return rows, problems


def _unreadable(line: int) -> RowProblem:
    return RowProblem(
        line, _("This line cannot be read: a value is far too long. Check the file's quotes.")
    )


def _parse_row(index: int, row: dict[str, str], seen: set[str]) -> PoolRow | RowProblem:
    if any("\x00" in value for value in row.values()):
        return RowProblem(index, _("This line contains characters that are not allowed."))
    name = row.get("name", "")
    if not name:
        return RowProblem(index, _("The name is missing."))
    try:
        email = validate_email(row.get("email", ""), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return RowProblem(
            index, _("${value} is not an e-mail address.", mapping={"value": row.get("email", "")})
        )
    if email in seen:
        return RowProblem(index, _("${email} appears twice.", mapping={"email": email}))
    seen.add(email)
    country = row.get("country", "").upper()
    if country and country not in country_names():
        return RowProblem(
            index, _("${value} is not a two-letter country code.", mapping={"value": country})
        )
    max_load = 6
    if row.get("max_load"):
        try:
            max_load = int(row["max_load"])
        except ValueError:
            max_load = -1
        if not 0 <= max_load <= 200:
            return RowProblem(index, _("max_load must be a whole number from 0 to 200."))
    orcid = ""
    if row.get("orcid"):
        checked = normalise_orcid(row["orcid"])
        if checked is None:
            return RowProblem(
                index, _("${value} is not a valid ORCID iD.", mapping={"value": row["orcid"]})
            )
        orcid = checked
    languages = _split(row.get("languages", "")) or ("en",)
    if len(" ".join(languages)) > 100:  # stored in 100 characters
        return RowProblem(index, _("List at most a few languages, as codes such as en; fr."))
    return PoolRow(
        line=index,
        name=name[:200],
        email=email,
        affiliations=_split(row.get("affiliations", "")),
        country=country,
        topics=_split(row.get("topics", "")),
        languages=languages,
        max_load=max_load,
        orcid=orcid,
    )
