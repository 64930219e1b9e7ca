"""An award's two rounds, computed reproducibly from frozen inputs.

An award category (Best Poster, Best Student Poster…) draws its candidates from the
accepted posters its eligibility rule admits. The **shortlist round** ranks them by the
pre-congress reviews (calibrated by default) and keeps the best ``shortlist_size``
(posters tied with the last one within the declared tolerance stay in). The **final
round** ranks the shortlist by the on-site judges' scores when there are any (else by
the reviews again), orders close scores with the tie-break rules declared when the
category was set up, and gives the first ``places`` places.

Everything the computation reads is in :class:`AwardInputs`, which converts to and from
plain JSON: a frozen snapshot stores the inputs next to the result, and
:func:`recompute` proves that the inputs still give the stored result.

Pure: no pyramid, no sqlalchemy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from poster_review.i18n import _, render
from poster_review.ranking import scoring
from poster_review.ranking.scoring import Id, id_sort_key
from poster_review.ranking.tiebreak import (
    AllOf,
    AwardCandidate,
    CastingVote,
    Eligibility,
    FirstTimeAttendee,
    HigherCriterionMean,
    HigherScore,
    InTrack,
    JudgesPreference,
    PairDecision,
    Rule,
    StudentPresenter,
    TieCandidate,
    TieEvidence,
    break_ties,
)

#: Bumped whenever a change here could change a result computed from the same inputs.
ALGORITHM_VERSION = 1


class AwardError(ValueError):
    """Inputs an award cannot be computed from; the message is for the chair."""


@dataclass(frozen=True)
class ReviewInput:
    """One submitted review or judging sheet: its weighted total (0-100), confidence
    and the per-criterion scores (as given, on the criterion's own scale)."""

    poster: Id
    reviewer: Id
    score: float
    confidence: float | None = None
    criteria: Mapping[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class EligibilitySpec:
    """Who may win: every condition set must hold (an empty spec admits everyone)."""

    student_presenter: bool = False
    first_time_attendee: bool = False
    tracks: tuple[str, ...] = ()

    def rule(self) -> Eligibility:
        rules: list[Eligibility] = []
        if self.student_presenter:
            rules.append(StudentPresenter())
        if self.first_time_attendee:
            rules.append(FirstTimeAttendee())
        if self.tracks:
            rules.append(InTrack(frozenset(self.tracks)))
        return AllOf(tuple(rules))


#: The declared tie-break rules, as stored: ("criterion", key), ("judges",), ("casting",).
RuleSpec = tuple[str, ...]
RULE_KINDS = ("criterion", "judges", "casting")


def rules_from_spec(specs: Sequence[Sequence[str]], tolerance: float) -> tuple[Rule, ...]:
    """The rules applied in the final round: higher score first (scores closer than
    ``tolerance`` count as tied), then the declared tie-breaks in their order."""
    rules: list[Rule] = [HigherScore(tolerance=tolerance)]
    for spec in specs:
        kind = spec[0] if spec else ""
        if kind == "criterion" and len(spec) == 2 and spec[1]:
            rules.append(HigherCriterionMean(spec[1]))
        elif kind == "judges" and len(spec) == 1:
            rules.append(JudgesPreference())
        elif kind == "casting" and len(spec) == 1:
            rules.append(CastingVote())
        else:
            raise AwardError(_("Unknown tie-break rule: ${rule}", mapping={"rule": ":".join(spec)}))
    return tuple(rules)


@dataclass(frozen=True)
class AwardInputs:
    """Everything an award's result depends on."""

    category: str
    candidates: tuple[AwardCandidate, ...]
    eligibility: EligibilitySpec
    reviews: tuple[ReviewInput, ...]
    final_reviews: tuple[ReviewInput, ...] = ()
    shortlist_size: int = 10
    places: int = 3
    tolerance: float = 0.5
    tie_breaks: tuple[RuleSpec, ...] = ()
    casting_order: tuple[Id, ...] = ()
    method: str = scoring.Method.CALIBRATED.value
    seed: int = 0
    n_bootstrap: int = 200
    #: The shortlist fixed in the first round; ``None`` while it is still to be drawn.
    shortlist: tuple[Id, ...] | None = None


@dataclass(frozen=True)
class Standing:
    poster: Id
    score: float
    n_reviews: int
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Winner:
    place: int
    poster: Id
    score: float
    n_reviews: int


@dataclass(frozen=True)
class AwardResult:
    """``shortlist``: the first round's standings, best first; ``final``: the final
    round's order; ``winners`` the first places; ``decisions`` explain every pair the
    final order had to break a tie for (``rule`` indexes ``rules``, 0 = higher score);
    ``needs_casting_vote`` lists posters still tied across a place that matters."""

    eligible: tuple[Id, ...]
    shortlist: tuple[Standing, ...]
    final: tuple[Standing, ...]
    final_round: str
    winners: tuple[Winner, ...]
    decisions: tuple[PairDecision, ...]
    rules: tuple[str, ...]
    needs_casting_vote: tuple[Id, ...]
    warnings: tuple[str, ...] = ()


def _ranking(
    reviews: Sequence[ReviewInput], posters: Sequence[Id], inputs: AwardInputs
) -> dict[Id, Standing]:
    wanted = set(posters)
    data = [
        scoring.Review(poster=r.poster, reviewer=r.reviewer, score=r.score, confidence=r.confidence)
        for r in reviews
        if r.poster in wanted
    ]
    if not data:
        return {}
    parameters = scoring.RankingParameters(
        method=scoring.Method(inputs.method),
        seed=inputs.seed,
        n_bootstrap=inputs.n_bootstrap,
        top_n=max(1, min(inputs.places, len(wanted))),
        min_reviews=1,
    )
    ranking = scoring.rank(data, parameters, posters=posters)
    return {
        p.poster: Standing(p.poster, p.score, p.n_reviews, p.ci_low, p.ci_high)
        for p in ranking.posters
    }


def _sorted(standings: Iterable[Standing]) -> tuple[Standing, ...]:
    return tuple(sorted(standings, key=lambda s: (-s.score, id_sort_key(s.poster))))


def draw_shortlist(inputs: AwardInputs) -> tuple[tuple[Id, ...], tuple[Standing, ...]]:
    """The eligible posters and the first round's shortlist, best first."""
    rule = inputs.eligibility.rule()
    eligible = tuple(c.poster for c in inputs.candidates if rule(c))
    standings = _sorted(_ranking(inputs.reviews, eligible, inputs).values())
    if len(standings) <= inputs.shortlist_size:
        return eligible, standings
    last = standings[inputs.shortlist_size - 1].score
    kept = tuple(s for s in standings if s.score >= last - inputs.tolerance)
    return eligible, kept


def compute(inputs: AwardInputs) -> AwardResult:
    """Both rounds: see the module docstring. Deterministic for the same inputs."""
    if inputs.places < 1 or inputs.shortlist_size < inputs.places:
        raise AwardError(_("An award needs at least one place and a shortlist at least as long."))
    if inputs.tolerance < 0:
        raise AwardError(_("The tie tolerance cannot be negative."))
    rules = rules_from_spec(inputs.tie_breaks, inputs.tolerance)
    eligible, drawn = draw_shortlist(inputs)
    warnings: list[str] = []
    if inputs.shortlist is None:
        shortlist_ids = tuple(s.poster for s in drawn)
        shortlist = drawn
    else:
        shortlist_ids = inputs.shortlist
        first = _ranking(inputs.reviews, shortlist_ids, inputs)
        shortlist = _sorted(first.values())
    finals = [r for r in inputs.final_reviews if r.poster in set(shortlist_ids)]
    final_round = "judging" if finals else "review"
    source = finals or [r for r in inputs.reviews if r.poster in set(shortlist_ids)]
    standings = _ranking(source, shortlist_ids, inputs)
    if finals:
        unjudged = [p for p in shortlist_ids if p not in standings]
        if unjudged:
            warnings.append(
                _(
                    "Shortlisted posters without a judging score: ${posters}",
                    mapping={"posters": ", ".join(str(p) for p in unjudged)},
                )
            )
    by_criterion: dict[Id, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    ballots_by_judge: dict[Id, list[ReviewInput]] = defaultdict(list)
    for r in source:
        for key, value in r.criteria.items():
            by_criterion[r.poster][key].append(float(value))
        ballots_by_judge[r.reviewer].append(r)
    candidates = [
        TieCandidate(
            poster=s.poster,
            score=s.score,
            criterion_means={
                k: sum(v) / len(v) for k, v in sorted(by_criterion[s.poster].items()) if v
            },
        )
        for s in _sorted(standings.values())
    ]
    ballots = tuple(
        tuple(
            r.poster
            for r in sorted(
                ballots_by_judge[judge], key=lambda r: (-r.score, id_sort_key(r.poster))
            )
        )
        for judge in sorted(ballots_by_judge, key=id_sort_key)
    )
    evidence = TieEvidence(ballots=ballots, casting_order=tuple(inputs.casting_order))
    tie = break_ties(candidates, rules, evidence) if candidates else None
    order = tie.order if tie else ()
    final = tuple(standings[p] for p in order)
    winners = tuple(
        Winner(place=i + 1, poster=s.poster, score=s.score, n_reviews=s.n_reviews)
        for i, s in enumerate(final[: inputs.places])
    )
    top = {w.poster for w in winners}
    undecided: set[Id] = set()
    decisions: list[PairDecision] = []
    for decision in tie.decisions if tie else ():
        if decision.rule != 0:  # pairs the score alone did not separate
            decisions.append(decision)
        if decision.rule is None and (decision.higher in top or decision.lower in top):
            undecided.update((decision.higher, decision.lower))
    return AwardResult(
        eligible=eligible,
        shortlist=shortlist,
        final=final,
        final_round=final_round,
        winners=winners,
        decisions=tuple(decisions),
        rules=tuple(_rule_name(r) for r in rules),
        needs_casting_vote=tuple(sorted(undecided, key=id_sort_key)),
        warnings=tuple(warnings),
    )


def _rule_name(rule: Rule) -> str:
    if isinstance(rule, HigherScore):
        return f"score:{rule.tolerance:g}"
    if isinstance(rule, HigherCriterionMean):
        return f"criterion:{rule.criterion}"
    if isinstance(rule, JudgesPreference):
        return "judges"
    return "casting"


# --- JSON, for snapshots --------------------------------------------------------------


def _review_json(r: ReviewInput) -> dict[str, Any]:
    return {
        "poster": r.poster,
        "reviewer": r.reviewer,
        "score": r.score,
        "confidence": r.confidence,
        "criteria": dict(sorted(r.criteria.items())),
    }


def _review_from(d: Mapping[str, Any]) -> ReviewInput:
    return ReviewInput(
        poster=d["poster"],
        reviewer=d["reviewer"],
        score=float(d["score"]),
        confidence=None if d.get("confidence") is None else float(d["confidence"]),
        criteria={str(k): float(v) for k, v in (d.get("criteria") or {}).items()},
    )


def inputs_to_json(inputs: AwardInputs) -> dict[str, Any]:
    return {
        "algorithm_version": ALGORITHM_VERSION,
        "category": inputs.category,
        "candidates": [
            {
                "poster": c.poster,
                "track": c.track,
                "student": c.presenter_is_student,
                "first_time": c.presenter_first_time,
            }
            for c in inputs.candidates
        ],
        "eligibility": {
            "student_presenter": inputs.eligibility.student_presenter,
            "first_time_attendee": inputs.eligibility.first_time_attendee,
            "tracks": list(inputs.eligibility.tracks),
        },
        "reviews": [_review_json(r) for r in inputs.reviews],
        "final_reviews": [_review_json(r) for r in inputs.final_reviews],
        "shortlist_size": inputs.shortlist_size,
        "places": inputs.places,
        "tolerance": inputs.tolerance,
        "tie_breaks": [list(s) for s in inputs.tie_breaks],
        "casting_order": list(inputs.casting_order),
        "method": inputs.method,
        "seed": inputs.seed,
        "n_bootstrap": inputs.n_bootstrap,
        "shortlist": None if inputs.shortlist is None else list(inputs.shortlist),
    }


def inputs_from_json(data: Mapping[str, Any]) -> AwardInputs:
    eligibility = data["eligibility"]
    shortlist = data.get("shortlist")
    return AwardInputs(
        category=str(data["category"]),
        candidates=tuple(
            AwardCandidate(
                poster=c["poster"],
                track=c.get("track"),
                presenter_is_student=bool(c.get("student")),
                presenter_first_time=bool(c.get("first_time")),
            )
            for c in data["candidates"]
        ),
        eligibility=EligibilitySpec(
            student_presenter=bool(eligibility.get("student_presenter")),
            first_time_attendee=bool(eligibility.get("first_time_attendee")),
            tracks=tuple(eligibility.get("tracks") or ()),
        ),
        reviews=tuple(_review_from(r) for r in data["reviews"]),
        final_reviews=tuple(_review_from(r) for r in data.get("final_reviews") or ()),
        shortlist_size=int(data["shortlist_size"]),
        places=int(data["places"]),
        tolerance=float(data["tolerance"]),
        tie_breaks=tuple(tuple(s) for s in data.get("tie_breaks") or ()),
        casting_order=tuple(data.get("casting_order") or ()),
        method=str(data["method"]),
        seed=int(data["seed"]),
        n_bootstrap=int(data["n_bootstrap"]),
        shortlist=None if shortlist is None else tuple(shortlist),
    )


def _standing_json(s: Standing) -> dict[str, Any]:
    return {
        "poster": s.poster,
        "score": round(s.score, 9),
        "n_reviews": s.n_reviews,
        "ci_low": None if s.ci_low is None else round(s.ci_low, 9),
        "ci_high": None if s.ci_high is None else round(s.ci_high, 9),
    }


def result_to_json(result: AwardResult) -> dict[str, Any]:
    """The result as plain JSON (scores rounded to 9 decimals, far below any display)."""
    return {
        "eligible": list(result.eligible),
        "shortlist": [_standing_json(s) for s in result.shortlist],
        "final": [_standing_json(s) for s in result.final],
        "final_round": result.final_round,
        "winners": [
            {
                "place": w.place,
                "poster": w.poster,
                "score": round(w.score, 9),
                "n_reviews": w.n_reviews,
            }
            for w in result.winners
        ],
        "decisions": [
            {"higher": d.higher, "lower": d.lower, "rule": d.rule, "reason": render(d.reason)}
            for d in result.decisions
        ],
        "rules": list(result.rules),
        "needs_casting_vote": list(result.needs_casting_vote),
        "warnings": [render(w) for w in result.warnings],
    }


def recompute(inputs_json: Mapping[str, Any]) -> dict[str, Any]:
    """The result the stored inputs give today, as JSON, to compare with a snapshot."""
    return result_to_json(compute(inputs_from_json(inputs_json)))
