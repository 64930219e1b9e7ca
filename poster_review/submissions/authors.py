"""Author lists from the submission form (pure: no web, no database).

The form sends ``authors-<i>-<field>`` for rows 0..n-1 in display order. Empty rows are
dropped; each kept row is checked, and errors are keyed by the exact input name so the
page can show them beside the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from babel import Locale
from email_validator import EmailNotValidError, validate_email

from poster_review.i18n import _

MAX_AUTHORS = 30
FIELDS = ("name", "name_latin", "email", "affiliations", "country", "orcid")
FLAGS = ("presenting", "corresponding", "student", "first_time")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


@dataclass(frozen=True)
class AuthorInput:
    name: str
    email: str
    name_latin: str = ""
    affiliations: tuple[str, ...] = ()
    country: str = ""
    orcid: str = ""
    presenting: bool = False
    corresponding: bool = False
    student: bool = False
    # First time at this congress: some awards are only for newcomers.
    first_time: bool = False


def orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 MOD 11-2 over the first 15 digits; the 16th is the check character."""
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[15].upper() == ("X" if check == 10 else str(check))


def normalise_orcid(value: str) -> str | None:
    """``0000-0002-1825-0097`` from any common spelling, or None when not a valid iD."""
    match = _ORCID.match(value.strip())
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    if not orcid_checksum_ok(digits):
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """ISO 3166 alpha-2 code -> name in ``locale`` (Babel's CLDR data)."""
    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "QO", "ZZ"}
    }


def row_count(data: Mapping[str, str]) -> int:
    indexes = [int(m.group(1)) for key in data if (m := re.match(r"^authors-(\d+)-", key))]
    return min(max(indexes, default=-1) + 1, MAX_AUTHORS)


def parse_authors(data: Mapping[str, str]) -> tuple[list[AuthorInput], dict[str, str]]:
    """Return the filled author rows in order and errors keyed by input name."""
    authors: list[AuthorInput] = []
    errors: dict[str, str] = {}
    seen_emails: set[str] = set()

    def order(i: int) -> tuple[float, int]:
        # Authors are reordered without JavaScript by editing each row's position number.
        raw = data.get(f"authors-{i}-order", "")
        try:
            return (float(raw), i) if isinstance(raw, str) and raw.strip() else (float(i + 1), i)
        except ValueError:
            return (float(i + 1), i)

    for i in sorted(range(row_count(data)), key=order):

        def get(field: str, i: int = i) -> str:
            value = data.get(f"authors-{i}-{field}", "")
            # NUL means nothing in a name and PostgreSQL cannot store it.
            return value.replace("\x00", "").strip() if isinstance(value, str) else ""

        if not any(get(f) for f in FIELDS):
            continue
        prefix = f"authors-{i}-"
        name, email = get("name"), get("email")
        if not name:
            errors[prefix + "name"] = _("Please enter the author's name.")
        elif len(name) > 200:
            errors[prefix + "name"] = _("Use at most ${n} characters.", mapping={"n": 200})
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            errors[prefix + "email"] = _("Please enter a valid e-mail address for this author.")
        if email in seen_emails:
            errors[prefix + "email"] = _("Two authors have the same e-mail address.")
        seen_emails.add(email)
        country = get("country").upper()
        if country and country not in country_names():
            errors[prefix + "country"] = _("Please choose a country from the list.")
        orcid = ""
        if get("orcid"):
            normalised = normalise_orcid(get("orcid"))
            if normalised is None:
                errors[prefix + "orcid"] = _(
                    "This is not a valid ORCID iD; it looks like 0000-0002-1825-0097."
                )
            else:
                orcid = normalised
        affiliations = tuple(a.strip() for a in get("affiliations").splitlines() if a.strip())
        if any(len(a) > 300 for a in affiliations):
            errors[prefix + "affiliations"] = _("Each affiliation may have at most 300 characters.")
        authors.append(
            AuthorInput(
                name=name,
                email=email,
                name_latin=get("name_latin")[:200],
                affiliations=affiliations,
                country=country,
                orcid=orcid,
                presenting=get("presenting") == "1",
                corresponding=get("corresponding") == "1",
                student=get("student") == "1",
                first_time=get("first_time") == "1",
            )
        )
    return authors, errors


def completeness_problems(authors: list[AuthorInput]) -> list[str]:
    """What stops a submission with these authors (empty list when fine)."""
    problems = []
    if not authors:
        problems.append(_("Add at least one author."))
    presenting = sum(a.presenting for a in authors)
    if authors and presenting != 1:
        problems.append(
            _("Mark exactly one author as the presenting author (who stands at the poster).")
        )
    if authors and not any(a.corresponding for a in authors):
        problems.append(_("Mark at least one corresponding author (who receives the e-mails)."))
    if any(not a.affiliations for a in authors):
        problems.append(_("Give at least one affiliation for every author."))
    return problems
