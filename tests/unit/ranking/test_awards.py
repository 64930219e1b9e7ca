"""The award computation: eligibility, shortlist, final round, declared tie-breaks."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from poster_review.ranking.awards import (
    AwardError,
    AwardInputs,
    EligibilitySpec,
    ReviewInput,
    compute,
    draw_shortlist,
    inputs_from_json,
    inputs_to_json,
    recompute,
    result_to_json,
)
from poster_review.ranking.tiebreak import AwardCandidate


def candidates(
    n: int, students: frozenset[int] = frozenset(), track: str = "A"
) -> tuple[AwardCandidate, ...]:
    return tuple(
        AwardCandidate(poster=i, track=track, presenter_is_student=i in students)
        for i in range(1, n + 1)
    )


def reviews_for(scores: Mapping[int, float], reviewers: int = 3) -> tuple[ReviewInput, ...]:
    """Every reviewer gives each poster its score (no leniency, no noise)."""
    return tuple(
        ReviewInput(poster=p, reviewer=f"r{j}", score=s, criteria={"clarity": s / 20})
        for p, s in scores.items()
        for j in range(reviewers)
    )


def inputs(**kw: object) -> AwardInputs:
    base: dict[str, object] = {
        "category": "Best Poster",
        "candidates": candidates(6),
        "eligibility": EligibilitySpec(),
        "reviews": reviews_for({1: 90, 2: 80, 3: 70, 4: 60, 5: 50, 6: 40}),
        "shortlist_size": 4,
        "places": 2,
        "tolerance": 0.5,
        "n_bootstrap": 50,
    }
    base.update(kw)
    return AwardInputs(**base)  # type: ignore[arg-type]


def test_shortlist_keeps_the_best_eligible_posters_in_order() -> None:
    eligible, shortlist = draw_shortlist(inputs())
    assert eligible == (1, 2, 3, 4, 5, 6)
    assert [s.poster for s in shortlist] == [1, 2, 3, 4]
    assert shortlist[0].score == pytest.approx(90, abs=0.5)


def test_eligibility_restricts_candidates_to_student_presenters() -> None:
    spec = EligibilitySpec(student_presenter=True)
    result = compute(inputs(candidates=candidates(6, students=frozenset({3, 5})), eligibility=spec))
    assert result.eligible == (3, 5)
    assert [w.poster for w in result.winners] == [3, 5]


def test_track_eligibility_excludes_other_tracks() -> None:
    mixed = (*candidates(3, track="A"), AwardCandidate(poster=4, track="B"))
    result = compute(inputs(candidates=mixed, eligibility=EligibilitySpec(tracks=("B",))))
    assert result.eligible == (4,)
    assert [w.poster for w in result.winners] == [4]


def test_shortlist_keeps_posters_tied_with_the_last_place() -> None:
    scores = {1: 90, 2: 80, 3: 70, 4: 60, 5: 60, 6: 40}
    _eligible, shortlist = draw_shortlist(inputs(reviews=reviews_for(scores)))
    assert {s.poster for s in shortlist} == {1, 2, 3, 4, 5}


def test_final_round_uses_judging_scores_when_there_are_some() -> None:
    judging = tuple(
        ReviewInput(poster=p, reviewer=f"j{j}", score=s)
        for p, s in {1: 50, 2: 95, 3: 60, 4: 70}.items()
        for j in range(2)
    )
    result = compute(inputs(final_reviews=judging))
    assert result.final_round == "judging"
    assert [w.poster for w in result.winners] == [2, 4]
    assert [s.poster for s in result.final] == [2, 4, 3, 1]


def test_without_judging_scores_the_final_round_uses_the_reviews() -> None:
    result = compute(inputs())
    assert result.final_round == "review"
    assert [w.poster for w in result.winners] == [1, 2]
    assert [w.place for w in result.winners] == [1, 2]


def tied_inputs(**kw: object) -> AwardInputs:
    """Posters 1 and 2 tie on score; 2 is clearer, judges prefer 1."""
    rows = [
        ReviewInput(poster=1, reviewer="r0", score=80, criteria={"clarity": 3}),
        ReviewInput(poster=1, reviewer="r1", score=80, criteria={"clarity": 3}),
        ReviewInput(poster=2, reviewer="r0", score=80, criteria={"clarity": 5}),
        ReviewInput(poster=2, reviewer="r1", score=80, criteria={"clarity": 5}),
        ReviewInput(poster=3, reviewer="r0", score=50, criteria={"clarity": 2}),
        ReviewInput(poster=3, reviewer="r1", score=50, criteria={"clarity": 2}),
    ]
    base: dict[str, object] = {
        "candidates": candidates(3),
        "reviews": tuple(rows),
        "shortlist_size": 3,
        "places": 1,
    }
    base.update(kw)
    return inputs(**base)


def test_declared_criterion_rule_breaks_a_tie_and_says_why() -> None:
    result = compute(tied_inputs(tie_breaks=(("criterion", "clarity"),)))
    assert [w.poster for w in result.winners] == [2]
    decision = next(d for d in result.decisions if {d.higher, d.lower} == {1, 2})
    assert decision.rule == 1
    assert result.rules == ("score:0.5", "criterion:clarity")
    assert result.needs_casting_vote == ()


def test_rule_order_matters_casting_vote_before_criterion() -> None:
    result = compute(
        tied_inputs(tie_breaks=(("casting",), ("criterion", "clarity")), casting_order=(1, 2))
    )
    assert [w.poster for w in result.winners] == [1]


def test_an_unbroken_tie_across_a_winning_place_asks_for_a_casting_vote() -> None:
    result = compute(tied_inputs(tie_breaks=(("casting",),)))
    assert result.needs_casting_vote == (1, 2)
    cast = compute(tied_inputs(tie_breaks=(("casting",),), casting_order=(2, 1)))
    assert cast.needs_casting_vote == ()
    assert [w.poster for w in cast.winners] == [2]


def test_judges_preference_rule_uses_each_judges_ranking() -> None:
    judging = (
        ReviewInput(poster=1, reviewer="j1", score=81),
        ReviewInput(poster=2, reviewer="j1", score=79),
        ReviewInput(poster=1, reviewer="j2", score=80.2),
        ReviewInput(poster=2, reviewer="j2", score=79.9),
        ReviewInput(poster=3, reviewer="j1", score=20),
        ReviewInput(poster=3, reviewer="j2", score=20),
    )
    result = compute(tied_inputs(final_reviews=judging, tolerance=5, tie_breaks=(("judges",),)))
    assert [w.poster for w in result.winners] == [1]
    assert result.needs_casting_vote == ()


def test_unknown_rules_and_bad_places_are_refused() -> None:
    with pytest.raises(AwardError):
        compute(inputs(tie_breaks=(("coin-toss",),)))
    with pytest.raises(AwardError):
        compute(inputs(places=5, shortlist_size=4))


def test_fixed_shortlist_is_respected() -> None:
    result = compute(inputs(shortlist=(5, 6)))
    assert [s.poster for s in result.shortlist] == [5, 6]
    assert [w.poster for w in result.winners] == [5, 6]


def test_inputs_round_trip_through_json_and_recompute_gives_the_same_result() -> None:
    original = tied_inputs(tie_breaks=(("criterion", "clarity"), ("judges",), ("casting",)))
    stored = json.loads(json.dumps(inputs_to_json(original)))
    assert inputs_from_json(stored) == original
    frozen = json.loads(json.dumps(result_to_json(compute(original))))
    assert recompute(stored) == frozen


def test_recompute_detects_changed_inputs() -> None:
    stored = inputs_to_json(inputs())
    frozen = result_to_json(compute(inputs()))
    stored["reviews"][0]["score"] = 10.0
    assert recompute(stored) != frozen
