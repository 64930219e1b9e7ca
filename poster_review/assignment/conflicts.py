"""Conflicts of interest between reviewers and submissions (pure: no Pyramid, no database).

:func:`detect_conflicts` finds, for every reviewer and submission:

- the same person (an e-mail address of the reviewer among the authors', case-insensitive);
- the same institution: affiliation names equal after :func:`normalise_affiliation`, or
  sharing a ROR id or an alias, are *certain*; names whose fuzzy score reaches
  ``threshold`` are *suspected*, for a chair to confirm or dismiss. The score is
  rapidfuzz's WRatio (0-100), capped by how much of one name's weight (words weighted
  by rarity among the names compared) finds a close word in the other: otherwise
  "Institute of Technology, Almaty" and "Institute of Technology, Astana" would score 87;
- the same e-mail domain, compared by registrable domain (``lib.uni-almaty.kz`` and
  ``uni-almaty.kz`` match) and never for public providers such as gmail.com;
- co-authorship: an author of the submission wrote another submission of this
  conference with the reviewer, or is a known co-author from the reviewer's profile;
- conflicts declared by the reviewer, declared by the authors or added by the chair.

Fuzzy matching runs once on the unique normalised names (``rapidfuzz.process.cdist``), so
600 submissions and 200 reviewers take well under a second.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from poster_review.i18n import _

#: Default fuzzy score (0-100) from which two affiliation names are a suspected match.
DEFAULT_THRESHOLD = 85.0
#: Normalised names shorter than this are compared exactly only: "mit" would otherwise
#: partially match every name containing those letters. A CJK character counts twice,
#: as it carries about a word: "北京大学" (Peking University) is long enough.
MIN_FUZZY_LENGTH = 5
#: Fuzzy score (0-100) from which two words of two names count as the same word.
TOKEN_MATCH = 80
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


class ConflictKind(StrEnum):
    SAME_PERSON = "same_person"
    SAME_INSTITUTION = "same_institution"
    SAME_EMAIL_DOMAIN = "same_email_domain"
    COAUTHOR = "coauthor"
    DECLARED_BY_REVIEWER = "declared_by_reviewer"
    DECLARED_BY_AUTHOR = "declared_by_author"
    ADDED_BY_CHAIR = "added_by_chair"


class ConflictSource(StrEnum):
    """Who or what produced a finding."""

    DETECTED = "detected"
    REVIEWER = "reviewer"
    AUTHOR = "author"
    CHAIR = "chair"


@dataclass(frozen=True)
class Affiliation:
    """An institution as entered, with optional ROR-style aliases and identifier."""

    name: str
    aliases: tuple[str, ...] = ()
    ror_id: str | None = None


@dataclass(frozen=True)
class Author:
    email: str
    name: str = ""
    affiliations: tuple[Affiliation, ...] = ()


@dataclass(frozen=True)
class SubmissionAuthors:
    """A submission's authors and the reviewers its authors declared conflicts with."""

    submission_id: int
    authors: tuple[Author, ...]
    declared_reviewer_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ReviewerProfile:
    """A reviewer: every e-mail address they use, their affiliations, co-authors known
    from outside the conference, and the conflicts they declared (by submission or by
    person)."""

    reviewer_id: int
    emails: tuple[str, ...]
    affiliations: tuple[Affiliation, ...] = ()
    name: str = ""
    coauthor_emails: frozenset[str] = frozenset()
    declared_submission_ids: frozenset[int] = frozenset()
    declared_person_emails: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConflictFinding:
    """One reason a reviewer must not (``certain``) or may not (suspected) review a
    submission; ``evidence`` is a translatable sentence for the chair."""

    reviewer_id: int
    submission_id: int
    kind: ConflictKind
    certain: bool
    evidence: str
    source: ConflictSource = ConflictSource.DETECTED


# --------------------------------------------------------------------------- normalisation

# Written in plain form; they pass through the same folding as the names they expand.
_ABBREVIATIONS: dict[str, str] = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "dept": "department",
    "dep": "department",
    "natl": "national",
    "nat'l": "national",
    "intl": "international",
    "int'l": "international",
    "acad": "academy",
    "coll": "college",
    "tech": "technology",
    "techn": "technical",
    "lab": "laboratory",
    "labs": "laboratories",
    "ctr": "center",
    "centre": "center",
    "hosp": "hospital",
    "fac": "faculty",
    "&": "and",
    "ун-т": "университет",
    "ин-т": "институт",
    "им": "имени",
    "гос": "государственный",
    "нац": "национальный",
    "акад": "академия",
    "каф": "кафедра",
    "универ": "университет",
}
_DROPPED_WORDS = frozenset({"the"})
# Arabic letters written interchangeably in names: teh marbuta/heh, alef maqsura/yeh.
_ARABIC_FOLDS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.casefold().translate(_ARABIC_FOLDS)


def _abbreviation_pattern() -> re.Pattern[str]:
    keys = sorted((_fold(k) for k in _ABBREVIATIONS), key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in keys)
    # An abbreviation is a whole word, optionally followed by its full stop.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:\.|(?!\w))")


_ABBREVIATION_RE = _abbreviation_pattern()
_EXPANSIONS = {_fold(k): _fold(v) for k, v in _ABBREVIATIONS.items()}


def normalise_affiliation(name: str) -> str:
    """Fold case, accents and Arabic letter variants, expand common abbreviations
    ("Univ." -> "university", "им." -> "имени"), turn punctuation into spaces and
    collapse whitespace. Works for any script; CJK names keep their characters."""
    folded = _fold(name)
    expanded = _ABBREVIATION_RE.sub(
        lambda m: f" {_EXPANSIONS[m.group(0).removesuffix('.')]} ", folded
    )
    spaced = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in expanded)
    return " ".join(w for w in spaced.split() if w not in _DROPPED_WORDS)


_SECOND_LEVEL_LABELS = frozenset(
    {"ac", "co", "com", "edu", "gov", "net", "org", "or", "ne", "go", "gob", "gouv", "mil",
     "nic", "sch", "nhs", "res", "med", "int", "nom", "gen", "biz", "info"}
)  # fmt: skip


def registrable_domain(domain: str) -> str:
    """The domain an organisation registers: the last two labels, or three under a
    country's generic second level ("ox.ac.uk", "kaznu.edu.kz")."""
    labels = domain.strip().strip(".").casefold().split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL_LABELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _email(address: str) -> str:
    return address.strip().casefold()


def _domain(address: str) -> str:
    return _email(address).rpartition("@")[2]


@cache
def load_public_domains() -> frozenset[str]:
    """The public e-mail providers listed in ``public_email_domains.txt``."""
    text = (resources.files(__package__) / "public_email_domains.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip().casefold() for line in text.splitlines())
    return frozenset(line for line in lines if line)


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class _Name:
    """One written form (name or alias) of an author's or reviewer's affiliation."""

    original: str
    normalised: str
    ror_id: str | None


def _names_of(affiliations: Iterable[Affiliation]) -> list[_Name]:
    out = []
    for affiliation in affiliations:
        for written in (affiliation.name, *affiliation.aliases):
            normalised = normalise_affiliation(written)
            if normalised:
                out.append(_Name(written, normalised, affiliation.ror_id))
    return out


class _Findings:
    """Keeps the strongest finding per (reviewer, submission, kind)."""

    def __init__(self) -> None:
        self.best: dict[
            tuple[int, int, ConflictKind], tuple[tuple[bool, float], ConflictFinding]
        ] = {}

    def add(self, finding: ConflictFinding, strength: float = 100.0) -> None:
        key = (finding.reviewer_id, finding.submission_id, finding.kind)
        rank = (finding.certain, strength)
        if key not in self.best or rank > self.best[key][0]:
            self.best[key] = (rank, finding)

    def sorted(self) -> list[ConflictFinding]:
        order = list(ConflictKind)
        findings = [finding for _rank, finding in self.best.values()]
        return sorted(findings, key=lambda f: (f.reviewer_id, f.submission_id, order.index(f.kind)))


def detect_conflicts(
    reviewers: Sequence[ReviewerProfile],
    submissions: Sequence[SubmissionAuthors],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    public_domains: Collection[str] | None = None,
    chair_pairs: Iterable[tuple[int, int]] = (),
) -> list[ConflictFinding]:
    """Every conflict between ``reviewers`` and ``submissions``, one finding per
    (reviewer, submission, kind), sorted by reviewer, submission and kind.

    ``threshold`` is the fuzzy score (0-100) from which two affiliation names are a
    suspected match; ``public_domains`` defaults to :func:`load_public_domains`;
    ``chair_pairs`` are (reviewer_id, submission_id) conflicts added by the chair.
    """
    public = (
        load_public_domains()
        if public_domains is None
        else frozenset(d.casefold() for d in public_domains)
    )
    found = _Findings()
    by_email: dict[str, set[int]] = defaultdict(set)
    for submission in submissions:
        for author in submission.authors:
            by_email[_email(author.email)].add(submission.submission_id)

    index = {s.submission_id: s for s in submissions}
    for reviewer in reviewers:
        _person_conflicts(reviewer, index, by_email, found)
        _declared_conflicts(reviewer, by_email, found)
    _domain_conflicts(reviewers, submissions, public, found)
    _institution_conflicts(reviewers, submissions, threshold, found)
    reviewer_ids = {r.reviewer_id for r in reviewers}
    for submission in submissions:
        for reviewer_id in sorted(submission.declared_reviewer_ids & reviewer_ids):
            found.add(
                ConflictFinding(
                    reviewer_id,
                    submission.submission_id,
                    ConflictKind.DECLARED_BY_AUTHOR,
                    certain=True,
                    evidence=_("Declared by the authors."),
                    source=ConflictSource.AUTHOR,
                )
            )
    for reviewer_id, submission_id in chair_pairs:
        found.add(
            ConflictFinding(
                reviewer_id,
                submission_id,
                ConflictKind.ADDED_BY_CHAIR,
                certain=True,
                evidence=_("Added by the chair."),
                source=ConflictSource.CHAIR,
            )
        )
    return found.sorted()


def certain_pairs(findings: Iterable[ConflictFinding]) -> set[tuple[int, int]]:
    """The (reviewer_id, submission_id) pairs with at least one certain finding: the
    pairs an assignment must avoid until a chair confirms the suspected ones."""
    return {(f.reviewer_id, f.submission_id) for f in findings if f.certain}


def _person_conflicts(
    reviewer: ReviewerProfile,
    index: Mapping[int, SubmissionAuthors],
    by_email: dict[str, set[int]],
    found: _Findings,
) -> None:
    """Authorship, co-authorship on another submission, and known co-authors."""
    own_emails = {_email(e) for e in reviewer.emails}
    own: dict[int, str] = {}
    for email in sorted(own_emails):
        for sid in by_email.get(email, ()):
            own.setdefault(sid, email)
    for sid, email in own.items():
        found.add(
            ConflictFinding(
                reviewer.reviewer_id,
                sid,
                ConflictKind.SAME_PERSON,
                certain=True,
                evidence=_("The reviewer (${email}) is an author.", {"email": email}),
            )
        )
    for other_sid in sorted(own):
        for author in index[other_sid].authors:
            coauthor = _email(author.email)
            if coauthor in own_emails:
                continue
            for sid in sorted(by_email[coauthor] - own.keys()):
                found.add(
                    ConflictFinding(
                        reviewer.reviewer_id,
                        sid,
                        ConflictKind.COAUTHOR,
                        certain=True,
                        evidence=_(
                            "Author ${email} co-wrote submission ${other} with the reviewer.",
                            {"email": coauthor, "other": other_sid},
                        ),
                    )
                )
    for coauthor in sorted({_email(e) for e in reviewer.coauthor_emails} - own_emails):
        for sid in sorted(by_email.get(coauthor, set()) - own.keys()):
            found.add(
                ConflictFinding(
                    reviewer.reviewer_id,
                    sid,
                    ConflictKind.COAUTHOR,
                    certain=True,
                    evidence=_(
                        "Author ${email} is a known co-author of the reviewer.", {"email": coauthor}
                    ),
                )
            )


def _declared_conflicts(
    reviewer: ReviewerProfile, by_email: dict[str, set[int]], found: _Findings
) -> None:
    for sid in sorted(reviewer.declared_submission_ids):
        found.add(
            ConflictFinding(
                reviewer.reviewer_id,
                sid,
                ConflictKind.DECLARED_BY_REVIEWER,
                certain=True,
                evidence=_("Declared by the reviewer."),
                source=ConflictSource.REVIEWER,
            )
        )
    for person in sorted({_email(e) for e in reviewer.declared_person_emails}):
        for sid in sorted(by_email.get(person, ())):
            found.add(
                ConflictFinding(
                    reviewer.reviewer_id,
                    sid,
                    ConflictKind.DECLARED_BY_REVIEWER,
                    certain=True,
                    evidence=_(
                        "The reviewer declared a conflict with author ${email}.",
                        {"email": person},
                    ),
                    source=ConflictSource.REVIEWER,
                )
            )


def _domain_conflicts(
    reviewers: Sequence[ReviewerProfile],
    submissions: Sequence[SubmissionAuthors],
    public: frozenset[str],
    found: _Findings,
) -> None:
    by_domain: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for submission in submissions:
        for author in submission.authors:
            domain = _domain(author.email)
            registrable = registrable_domain(domain)
            if domain and domain not in public and registrable not in public:
                by_domain[registrable].append((submission.submission_id, _email(author.email)))
    for reviewer in reviewers:
        for address in sorted({_email(e) for e in reviewer.emails}):
            domain = _domain(address)
            registrable = registrable_domain(domain)
            if not domain or domain in public or registrable in public:
                continue
            for sid, author_email in by_domain.get(registrable, ()):
                if author_email == address:
                    continue  # the same person, reported as such
                found.add(
                    ConflictFinding(
                        reviewer.reviewer_id,
                        sid,
                        ConflictKind.SAME_EMAIL_DOMAIN,
                        certain=True,
                        evidence=_(
                            "The reviewer (${reviewer}) and author ${author} share the e-mail "
                            "domain ${domain}.",
                            {"reviewer": address, "author": author_email, "domain": registrable},
                        ),
                    )
                )


def _token_weights(names: Sequence[str]) -> dict[str, float]:
    """Inverse document frequency of each token among the names compared: "university"
    or "state" weigh little in a conference full of state universities."""
    df: dict[str, int] = defaultdict(int)
    for name in set(names):
        for token in set(name.split()):
            df[token] += 1
    n = len(set(names))
    return {token: math.log((1 + n) / (1 + count)) + 1 for token, count in df.items()}


def _tokens_match(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    if _CJK_RE.search(a) or _CJK_RE.search(b):
        # Written without spaces, a CJK "token" is a whole name: "北京大学" lies in
        # "北京大学图书馆" (its library).
        return fuzz.partial_ratio(a, b) >= TOKEN_MATCH
    return fuzz.ratio(a, b) >= TOKEN_MATCH


def _token_agreement(a: str, b: str, weights: Mapping[str, float]) -> float:
    """Share (by weight) of one name's tokens with a close partner in the other name,
    from the side where it is larger: a name contained in a longer one agrees fully,
    while "institute of technology almaty" and "institute of technology astana" agree
    only on their common, light words (WRatio alone scores that pair 87)."""
    best = 0.0
    for mine, theirs in ((a.split(), b.split()), (b.split(), a.split())):
        total = sum(weights.get(t, 1.0) for t in mine)
        matched = sum(weights.get(t, 1.0) for t in mine if any(_tokens_match(t, u) for u in theirs))
        if total:
            best = max(best, matched / total)
    return best


def _long_enough(normalised: str) -> bool:
    return len(normalised) + len(_CJK_RE.findall(normalised)) >= MIN_FUZZY_LENGTH


def _institution_conflicts(
    reviewers: Sequence[ReviewerProfile],
    submissions: Sequence[SubmissionAuthors],
    threshold: float,
    found: _Findings,
) -> None:
    """Exact (normalised name, alias or ROR id) matches are certain; fuzzy matches on
    the unique normalised names are suspected."""
    from rapidfuzz import fuzz, process

    by_name: dict[str, list[tuple[int, _Name]]] = defaultdict(list)
    by_ror: dict[str, list[tuple[int, _Name]]] = defaultdict(list)
    for submission in submissions:
        for author in submission.authors:
            for name in _names_of(author.affiliations):
                by_name[name.normalised].append((submission.submission_id, name))
                if name.ror_id:
                    by_ror[name.ror_id].append((submission.submission_id, name))

    reviewer_names = {r.reviewer_id: _names_of(r.affiliations) for r in reviewers}
    for reviewer in reviewers:
        for mine in reviewer_names[reviewer.reviewer_id]:
            for sid, theirs in by_ror.get(mine.ror_id or "", ()):
                found.add(
                    ConflictFinding(
                        reviewer.reviewer_id,
                        sid,
                        ConflictKind.SAME_INSTITUTION,
                        certain=True,
                        evidence=_(
                            "'${mine}' and '${theirs}' have the same ROR id ${ror}.",
                            {"mine": mine.original, "theirs": theirs.original, "ror": mine.ror_id},
                        ),
                    )
                )
            for sid, theirs in by_name.get(mine.normalised, ()):
                found.add(
                    ConflictFinding(
                        reviewer.reviewer_id,
                        sid,
                        ConflictKind.SAME_INSTITUTION,
                        certain=True,
                        evidence=_(
                            "'${mine}' = '${theirs}'",
                            {"mine": mine.original, "theirs": theirs.original},
                        ),
                    )
                )

    queries = sorted({n.normalised for names in reviewer_names.values() for n in names
                      if _long_enough(n.normalised)})  # fmt: skip
    choices = sorted(n for n in by_name if _long_enough(n))
    if not queries or not choices:
        return
    scores = process.cdist(queries, choices, scorer=fuzz.WRatio, score_cutoff=threshold)
    weights = _token_weights([*queries, *choices])
    close: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for qi, ci in zip(*scores.nonzero(), strict=True):
        query, choice = queries[qi], choices[ci]
        if query != choice:
            score = min(float(scores[qi, ci]), 100 * _token_agreement(query, choice, weights))
            if score >= threshold:
                close[query].append((choice, score))
    for reviewer in reviewers:
        for mine in reviewer_names[reviewer.reviewer_id]:
            for choice, score in close.get(mine.normalised, ()):
                for sid, theirs in by_name[choice]:
                    found.add(
                        ConflictFinding(
                            reviewer.reviewer_id,
                            sid,
                            ConflictKind.SAME_INSTITUTION,
                            certain=False,
                            evidence=_(
                                "'${mine}' ≈ '${theirs}', score ${score}",
                                {
                                    "mine": mine.original,
                                    "theirs": theirs.original,
                                    "score": round(score),
                                },
                            ),
                        ),
                        strength=score,
                    )
