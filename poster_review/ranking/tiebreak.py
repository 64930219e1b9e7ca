"""Tie-breaks and award eligibility: rules declared before any score is seen.

A tie-break is an ordered tuple of rules, fixed when the call for posters is set up,
e.g. ``(HigherScore(tolerance=0.5), HigherCriterionMean("originality"),
JudgesPreference(), CastingVote())``. :func:`break_ties` applies them in turn: each rule
splits the still-tied candidates into ordered tiers, the next rule only looks inside
a tier, and every pair of candidates is explained by the rule that separated them.
The data a rule needs but cannot know in advance (judges' rankings, the chair's
casting vote) comes in :class:`TieEvidence`.

Award eligibility rules are small frozen predicates over :class:`AwardCandidate`,
combined with :class:`AllOf`, :class:`AnyOf` and :class:`Not`.

Pure: no pyramid, no sqlalchemy, no numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

from poster_review.i18n import _, render
from poster_review.ranking.scoring import Id, id_sort_key

# --- Tie-break rules ---------------------------------------------------------------


@dataclass(frozen=True)
class HigherScore:
    """Higher ranking score first. Scores closer than ``tolerance`` stay tied; a chain
    of close scores stays tied as a whole (single linkage), so two candidates this
    rule separates always differ by more than the tolerance."""

    tolerance: float = 0.0


@dataclass(frozen=True)
class HigherCriterionMean:
    """Higher mean on one rubric criterion first; a candidate without that mean comes
    after those with one."""

    criterion: str
    tolerance: float = 0.0


@dataclass(frozen=True)
class JudgesPreference:
    """The judges' rankings, combined pairwise by the Schulze method."""


@dataclass(frozen=True)
class CastingVote:
    """The chair's explicit order; candidates it leaves out stay tied after it."""


Rule: TypeAlias = HigherScore | HigherCriterionMean | JudgesPreference | CastingVote


@dataclass(frozen=True)
class TieCandidate:
    """A poster in a tied group: its ranking score and its per-criterion means."""

    poster: Id
    score: float
    criterion_means: Mapping[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class TieEvidence:
    """``ballots``: each judge's ranking, best first; candidates a judge did not rank
    count as below all they ranked. ``casting_order``: the chair's order, best first."""

    ballots: tuple[tuple[Id, ...], ...] = ()
    casting_order: tuple[Id, ...] = ()


@dataclass(frozen=True)
class PairDecision:
    """``higher`` comes before ``lower`` because of ``rules[rule]`` (``None``: no rule
    separated them and poster id order was used); ``reason`` says so in a sentence."""

    higher: Id
    lower: Id
    rule: int | None
    reason: str


@dataclass(frozen=True)
class TieBreak:
    """The group's final order and a decision for every pair, in order of ``order``."""

    order: tuple[Id, ...]
    decisions: tuple[PairDecision, ...]

    def decision(self, a: Id, b: Id) -> PairDecision:
        """The decision between ``a`` and ``b``, whichever comes first."""
        for decision in self.decisions:
            if {decision.higher, decision.lower} == {a, b}:
                return decision
        raise KeyError((a, b))

    @property
    def unresolved(self) -> tuple[tuple[Id, Id], ...]:
        return tuple((d.higher, d.lower) for d in self.decisions if d.rule is None)


def _number(value: float) -> str:
    return f"{value:.4g}"


def _tiers_by_value(
    group: Sequence[TieCandidate],
    value: Mapping[Id, float | None],
    tolerance: float,
) -> list[list[TieCandidate]]:
    present = sorted(
        (c for c in group if value[c.poster] is not None),
        key=lambda c: -(value[c.poster] or 0.0),
    )
    tiers: list[list[TieCandidate]] = []
    previous: float | None = None
    for candidate in present:
        current = value[candidate.poster]
        assert current is not None  # noqa: S101 - filtered above; narrows for mypy
        if previous is None or previous - current > tolerance:
            tiers.append([])
        tiers[-1].append(candidate)
        previous = current
    missing = [c for c in group if value[c.poster] is None]
    if missing:
        tiers.append(missing)
    return tiers


def schulze_strengths(
    candidates: Sequence[Id], ballots: Iterable[Sequence[Id]]
) -> dict[tuple[Id, Id], int]:
    """Strongest-path strengths ``p[a, b]`` of the Schulze method (winning votes).

    ``d[a, b]`` counts the ballots ranking ``a`` above ``b``; candidates missing from a
    ballot rank below all it names; ``p`` is the widest path in ``d`` (Floyd-Warshall
    on bottlenecks). ``a`` beats ``b`` when ``p[a, b] > p[b, a]``.
    """
    d = {(a, b): 0 for a in candidates for b in candidates if a != b}
    for ballot in ballots:
        position = {poster: i for i, poster in enumerate(ballot)}
        unranked = len(position)
        for a in candidates:
            for b in candidates:
                if a != b and position.get(a, unranked) < position.get(b, unranked):
                    d[a, b] += 1
    p = {pair: (votes if votes > d[pair[1], pair[0]] else 0) for pair, votes in d.items()}
    for via in candidates:
        for a in candidates:
            if a == via:
                continue
            for b in candidates:
                if b in (a, via):
                    continue
                p[a, b] = max(p[a, b], min(p[a, via], p[via, b]))
    return p


def _schulze_tiers(
    group: Sequence[TieCandidate], strengths: Mapping[tuple[Id, Id], int]
) -> list[list[TieCandidate]]:
    """Rounds of Schulze winners: each tier holds those no remaining candidate beats
    (the Schulze relation is transitive, so every round has a winner)."""
    remaining = list(group)
    tiers = []
    while remaining:
        winners = [
            c
            for c in remaining
            if not any(
                strengths[o.poster, c.poster] > strengths[c.poster, o.poster]
                for o in remaining
                if o is not c
            )
        ]
        tiers.append(winners)
        remaining = [c for c in remaining if c not in winners]
    return tiers


def _split(
    rule: Rule, group: Sequence[TieCandidate], evidence: TieEvidence
) -> tuple[list[list[TieCandidate]], dict[tuple[Id, Id], str]]:
    """Tiers of ``group`` under ``rule`` and the reason for every pair it separates."""
    reasons: dict[tuple[Id, Id], str] = {}
    if isinstance(rule, HigherScore):
        scores: dict[Id, float | None] = {c.poster: c.score for c in group}
        tiers = _tiers_by_value(group, scores, rule.tolerance)

        def reason(a: TieCandidate, b: TieCandidate) -> str:
            return _(
                "${a} has the higher score (${x} against ${y}, more than ${tolerance} apart).",
                mapping={
                    "a": a.poster,
                    "x": _number(a.score),
                    "y": _number(b.score),
                    "tolerance": _number(rule.tolerance),
                },
            )

    elif isinstance(rule, HigherCriterionMean):
        means = {c.poster: c.criterion_means.get(rule.criterion) for c in group}
        tiers = _tiers_by_value(group, means, rule.tolerance)

        def reason(a: TieCandidate, b: TieCandidate) -> str:
            low = means[b.poster]
            if low is None:
                return _(
                    "${b} has no mean for ${criterion}.",
                    mapping={"b": b.poster, "criterion": rule.criterion},
                )
            return _(
                "${a} has the higher mean for ${criterion} (${x} against ${y}).",
                mapping={
                    "a": a.poster,
                    "criterion": rule.criterion,
                    "x": _number(means[a.poster] or 0.0),
                    "y": _number(low),
                },
            )

    elif isinstance(rule, JudgesPreference):
        strengths = schulze_strengths([c.poster for c in group], evidence.ballots)
        tiers = _schulze_tiers(group, strengths)

        def reason(a: TieCandidate, b: TieCandidate) -> str:
            return _(
                "The judges' rankings put ${a} before ${b} (Schulze strongest paths "
                "${x} against ${y}).",
                mapping={
                    "a": a.poster,
                    "b": b.poster,
                    "x": strengths[a.poster, b.poster],
                    "y": strengths[b.poster, a.poster],
                },
            )

    else:
        position = {poster: i for i, poster in enumerate(evidence.casting_order)}
        ranked = sorted(
            (c for c in group if c.poster in position), key=lambda c: position[c.poster]
        )
        tiers = [[c] for c in ranked]
        left_out = [c for c in group if c.poster not in position]
        if left_out:
            tiers.append(left_out)

        def reason(a: TieCandidate, b: TieCandidate) -> str:
            return _(
                "The chair's casting vote puts ${a} before ${b}.",
                mapping={"a": a.poster, "b": b.poster},
            )

    for i, upper in enumerate(tiers):
        for lower in tiers[i + 1 :]:
            for a in upper:
                for b in lower:
                    reasons[a.poster, b.poster] = reason(a, b)
    return tiers, reasons


def break_ties(
    candidates: Sequence[TieCandidate],
    rules: Sequence[Rule],
    evidence: TieEvidence = TieEvidence(),
) -> TieBreak:
    """Order a tied group by the declared ``rules`` and explain every pair.

    Meant for the small groups tied at an award's cut-off: the explanation covers all
    pairs, so it grows with the square of the group. Candidates no rule separates
    are listed in poster id order and marked unresolved. Raises ``ValueError`` when
    two candidates share a poster id.
    """
    if len({c.poster for c in candidates}) != len(candidates):
        raise ValueError(_("Each poster may appear only once in a tied group."))
    paths: dict[Id, tuple[int, ...]] = {}
    decided: dict[tuple[Id, Id], tuple[int, str]] = {}

    def refine(group: list[TieCandidate], level: int, path: tuple[int, ...]) -> None:
        if level == len(rules) or len(group) == 1:
            for c in group:
                paths[c.poster] = path
            return
        tiers, reasons = _split(rules[level], group, evidence)
        for pair, text in reasons.items():
            decided[pair] = (level, text)
        for i, tier in enumerate(tiers):
            refine(tier, level + 1, (*path, i))

    refine(list(candidates), 0, ())
    # Paths from different depths compare element-wise first: a shorter path only
    # meets a longer one after they have already differed, so plain tuple order works.
    order = sorted(paths, key=lambda p: (paths[p], id_sort_key(p)))
    decisions = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if (a, b) in decided:
                level, text = decided[a, b]
                decisions.append(PairDecision(a, b, level, text))
            else:
                decisions.append(
                    PairDecision(
                        a,
                        b,
                        None,
                        _(
                            "No rule separates ${a} and ${b}; they are listed in poster id order.",
                            mapping={"a": a, "b": b},
                        ),
                    )
                )
    return TieBreak(order=tuple(order), decisions=tuple(decisions))


# --- Award eligibility ---------------------------------------------------------------


@dataclass(frozen=True)
class AwardCandidate:
    """What eligibility rules may look at, frozen when the award list is drawn up."""

    poster: Id
    track: str | None = None
    presenter_is_student: bool = False
    presenter_first_time: bool = False


class Eligibility(Protocol):
    def __call__(self, candidate: AwardCandidate) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class StudentPresenter:
    def __call__(self, candidate: AwardCandidate) -> bool:
        return candidate.presenter_is_student

    def describe(self) -> str:
        return _("the presenter is a student")


@dataclass(frozen=True)
class FirstTimeAttendee:
    def __call__(self, candidate: AwardCandidate) -> bool:
        return candidate.presenter_first_time

    def describe(self) -> str:
        return _("the presenter attends for the first time")


@dataclass(frozen=True)
class InTrack:
    tracks: frozenset[str]

    def __call__(self, candidate: AwardCandidate) -> bool:
        return candidate.track in self.tracks

    def describe(self) -> str:
        return _(
            "the poster is in the track ${tracks}",
            mapping={"tracks": " / ".join(sorted(self.tracks))},
        )


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Eligibility, ...]

    def __call__(self, candidate: AwardCandidate) -> bool:
        return all(rule(candidate) for rule in self.rules)

    def describe(self) -> str:
        return _(
            "all of: ${rules}",
            mapping={"rules": "; ".join(render(r.describe()) for r in self.rules)},
        )


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Eligibility, ...]

    def __call__(self, candidate: AwardCandidate) -> bool:
        return any(rule(candidate) for rule in self.rules)

    def describe(self) -> str:
        return _(
            "any of: ${rules}",
            mapping={"rules": "; ".join(render(r.describe()) for r in self.rules)},
        )


@dataclass(frozen=True)
class Not:
    rule: Eligibility

    def __call__(self, candidate: AwardCandidate) -> bool:
        return not self.rule(candidate)

    def describe(self) -> str:
        return _("not: ${rule}", mapping={"rule": render(self.rule.describe())})


def eligible(candidates: Iterable[AwardCandidate], rule: Eligibility) -> tuple[AwardCandidate, ...]:
    """The candidates ``rule`` admits, in their given order."""
    return tuple(c for c in candidates if rule(c))
