"""Tie-break rules applied in their declared order, Schulze, eligibility predicates."""

from __future__ import annotations

import pytest

from poster_review.i18n import render
from poster_review.ranking.tiebreak import (
    AllOf,
    AnyOf,
    AwardCandidate,
    CastingVote,
    FirstTimeAttendee,
    HigherCriterionMean,
    HigherScore,
    InTrack,
    JudgesPreference,
    Not,
    StudentPresenter,
    TieCandidate,
    TieEvidence,
    break_ties,
    eligible,
    schulze_strengths,
)

RULES = (
    HigherScore(tolerance=0.5),
    HigherCriterionMean("originality"),
    JudgesPreference(),
    CastingVote(),
)


def _rules_used(result):
    return {(d.higher, d.lower): d.rule for d in result.decisions}


def test_a_clear_score_gap_decides_before_any_later_rule():
    group = [
        TieCandidate("low", 8.0, {"originality": 5}),
        TieCandidate("high", 9.0, {"originality": 1}),
    ]
    result = break_ties(group, RULES)
    assert result.order == ("high", "low")
    (decision,) = result.decisions
    assert decision.rule == 0
    assert render(decision.reason) == (
        "high has the higher score (9 against 8, more than 0.5 apart)."
    )


def test_scores_within_tolerance_fall_through_to_the_criterion_mean():
    group = [
        TieCandidate(1, 9.0, {"originality": 3.0}),
        TieCandidate(2, 8.8, {"originality": 4.5}),
        TieCandidate(3, 7.0, {"originality": 5.0}),
    ]
    result = break_ties(group, RULES)
    assert result.order == (2, 1, 3)
    assert _rules_used(result) == {(2, 1): 1, (2, 3): 0, (1, 3): 0}
    assert render(result.decision(1, 2).reason) == (
        "2 has the higher mean for originality (4.5 against 3)."
    )


def test_close_scores_chain_into_one_tie():
    """10.0, 9.6 and 9.2 are each within 0.5 of a neighbour: one tie, although the
    ends are 0.8 apart; the rule never separates two scores closer than 0.5."""
    group = [TieCandidate(p, s) for p, s in (("a", 10.0), ("b", 9.6), ("c", 9.2))]
    result = break_ties(group, (HigherScore(0.5),))
    assert result.order == ("a", "b", "c")  # poster id order, nothing decided
    assert result.unresolved == (("a", "b"), ("a", "c"), ("b", "c"))
    assert all(d.rule is None for d in result.decisions)


def test_a_missing_criterion_mean_ranks_last():
    group = [TieCandidate("x", 5.0, {}), TieCandidate("y", 5.0, {"originality": 1.0})]
    result = break_ties(group, RULES)
    assert result.order == ("y", "x")
    assert render(result.decisions[0].reason) == "x has no mean for originality."


# The Schulze example from Wikipedia: 45 voters, five candidates, result E > A > C > B > D.
WIKIPEDIA_BALLOTS = (
    *[("A", "C", "B", "E", "D")] * 5,
    *[("A", "D", "E", "C", "B")] * 5,
    *[("B", "E", "D", "A", "C")] * 8,
    *[("C", "A", "B", "E", "D")] * 3,
    *[("C", "A", "E", "B", "D")] * 7,
    *[("C", "B", "A", "D", "E")] * 2,
    *[("D", "C", "E", "B", "A")] * 7,
    *[("E", "B", "A", "D", "C")] * 8,
)


def test_schulze_strongest_paths_match_the_published_example():
    p = schulze_strengths("ABCDE", WIKIPEDIA_BALLOTS)
    assert [p["A", x] for x in "BCDE"] == [28, 28, 30, 24]
    assert [p["E", x] for x in "ABCD"] == [25, 28, 28, 31]
    assert p["D", "A"] == 25


def test_judges_preference_orders_a_tie_by_schulze():
    group = [TieCandidate(c, 7.0, {"originality": 3.0}) for c in "ABCDE"]
    result = break_ties(group, RULES, TieEvidence(ballots=WIKIPEDIA_BALLOTS))
    assert result.order == ("E", "A", "C", "B", "D")
    assert set(_rules_used(result).values()) == {2}
    assert render(result.decision("E", "A").reason) == (
        "The judges' rankings put E before A (Schulze strongest paths 25 against 24)."
    )


def test_unranked_candidates_count_below_the_ranked_ones():
    group = [TieCandidate(p, 1.0) for p in (1, 2, 3)]
    ballots = ((3,), (3, 1))
    result = break_ties(group, (JudgesPreference(),), TieEvidence(ballots=ballots))
    assert result.order == (3, 1, 2)


def test_casting_vote_decides_what_is_left_and_the_rest_stays_unresolved():
    group = [TieCandidate(p, 5.0, {"originality": 2.0}) for p in (4, 2, 9, 7)]
    # The two judges cancel out on 2 and 4 and both rank 9 and 7 below them.
    evidence = TieEvidence(ballots=((2, 4), (4, 2)), casting_order=(9, 4))
    result = break_ties(group, RULES, evidence)
    assert result.order == (4, 2, 9, 7)
    assert result.decision(2, 9).rule == 2
    assert result.decision(4, 2).rule == 3
    assert result.decision(9, 7).rule == 3
    assert render(result.decision(2, 4).reason) == "The chair's casting vote puts 4 before 2."
    assert result.unresolved == ()


def test_candidates_no_rule_separates_are_listed_by_id_and_reported():
    group = [TieCandidate(p, 5.0) for p in (4, 2, 9, 7)]
    result = break_ties(group, RULES, TieEvidence(casting_order=(9, 4)))
    assert result.order == (9, 4, 2, 7)
    assert result.unresolved == ((2, 7),)
    assert render(result.decision(7, 2).reason) == (
        "No rule separates 2 and 7; they are listed in poster id order."
    )


def test_every_pair_is_explained_once():
    group = [TieCandidate(p, float(p % 3)) for p in range(6)]
    result = break_ties(group, (HigherScore(), CastingVote()), TieEvidence(casting_order=(5, 4)))
    pairs = [(d.higher, d.lower) for d in result.decisions]
    assert len(pairs) == len(set(pairs)) == 15
    positions = {p: i for i, p in enumerate(result.order)}
    assert all(positions[a] < positions[b] for a, b in pairs)


def test_duplicate_posters_are_refused():
    with pytest.raises(ValueError, match="only once"):
        break_ties([TieCandidate(1, 2.0), TieCandidate(1, 3.0)], RULES)


def test_decision_for_an_unknown_pair_raises():
    result = break_ties([TieCandidate(1, 2.0), TieCandidate(2, 1.0)], RULES)
    with pytest.raises(KeyError):
        result.decision(1, 3)


# --- Eligibility ----------------------------------------------------------------------

CANDIDATES = (
    AwardCandidate(1, track="bio", presenter_is_student=True, presenter_first_time=True),
    AwardCandidate(2, track="bio", presenter_is_student=False, presenter_first_time=True),
    AwardCandidate(3, track="chem", presenter_is_student=True),
    AwardCandidate(4, track=None),
)


def _posters(rule):
    return [c.poster for c in eligible(CANDIDATES, rule)]


def test_single_predicates():
    assert _posters(StudentPresenter()) == [1, 3]
    assert _posters(FirstTimeAttendee()) == [1, 2]
    assert _posters(InTrack(frozenset({"chem", "phys"}))) == [3]


def test_combined_predicates():
    student_in_bio = AllOf((StudentPresenter(), InTrack(frozenset({"bio"}))))
    assert _posters(student_in_bio) == [1]
    assert _posters(AnyOf((FirstTimeAttendee(), InTrack(frozenset({"chem"}))))) == [1, 2, 3]
    assert _posters(Not(StudentPresenter())) == [2, 4]
    assert render(student_in_bio.describe()) == (
        "all of: the presenter is a student; the poster is in the track bio"
    )


def test_rules_and_candidates_are_frozen_values():
    assert InTrack(frozenset({"a"})) == InTrack(frozenset({"a"}))
    assert hash(AllOf((StudentPresenter(),))) == hash(AllOf((StudentPresenter(),)))
    assert hash(TieCandidate(1, 2.0, {"x": 1.0})) == hash(TieCandidate(1, 2.0, {"x": 2.0}))
    with pytest.raises(AttributeError):
        CANDIDATES[0].track = "chem"  # type: ignore[misc]
