"""The min-cost-flow assignment: constraints, optimality against HiGHS, infeasibility."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poster_review.assignment import algorithm
from poster_review.assignment.algorithm import (
    AssignmentProblem,
    Infeasible,
    InvalidProblem,
    ShortfallKind,
    SparseAffinity,
    solve,
)
from poster_review.errors import DomainError
from poster_review.i18n import render

from .lp_reference import lp_optimum

# --------------------------------------------------------------------------- examples


def test_small_problem_takes_the_best_pairs_within_loads():
    affinity = np.array([[0.9, 0.8, 0.1], [0.9, 0.7, 0.2], [0.9, 0.1, 0.6]])
    problem = AssignmentProblem(
        poster_ids=["a", "b", "c"],
        reviewer_ids=[10, 20, 30],
        affinity=affinity,
        reviews_per_poster=1,
        max_load=1,
    )
    result = solve(problem)
    # Reviewer 10 is everyone's favourite but can take one poster: a gets 20 (0.8),
    # c gets 30 (0.6), b gets 10 (0.9): 2.3 beats any other matching.
    assert result.pairs() == [("a", 20), ("b", 10), ("c", 30)]
    assert result.objective == pytest.approx(2.3)
    assert result.loads().tolist() == [1, 1, 1]


def test_min_load_spreads_reviews_against_affinity():
    affinity = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    greedy = solve(AssignmentProblem(range(3), range(2), affinity, 1, 0, 3))
    assert greedy.loads().tolist() == [3, 0]
    spread = solve(AssignmentProblem(range(3), range(2), affinity, 1, 1, 3))
    assert spread.loads().tolist() == [2, 1]
    assert spread.objective == pytest.approx(2.0)


def test_overrides_change_one_poster_and_one_reviewer():
    affinity = np.tile([0.1, 0.5, 0.5, 0.9], (3, 1))
    problem = AssignmentProblem(
        poster_ids=["p0", "p1", "p2"],
        reviewer_ids=["r0", "r1", "r2", "r3"],
        affinity=affinity,
        reviews_per_poster=1,
        max_load=2,
        reviews_overrides={1: 3},
        min_load_overrides={0: 2},  # r0, the least suited, must still take two
        max_load_overrides={3: 0},  # r3, the best suited, is unavailable
    )
    result = solve(problem)
    assert Counter(result.posters.tolist()) == {0: 1, 1: 3, 2: 1}
    assert result.loads()[0] == 2 and result.loads()[3] == 0
    assert result.objective == pytest.approx(0.1 + 0.5 + 0.5 + 0.1 + 0.5)


def test_fixed_and_conflicting_pairs():
    affinity = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.3], [0.4, 0.4, 1.0]])
    problem = AssignmentProblem(
        poster_ids=["p1", 2, "p3"],
        reviewer_ids=["alice", "bob", 7],
        affinity=affinity,
        reviews_per_poster=2,
        max_load=2,
        conflicts=[(0, 1)],
        fixed=[(1, 2)],
    )
    result = solve(problem)
    assert result.pairs() == [
        ("p1", "alice"),
        ("p1", 7),
        (2, "bob"),
        (2, 7),
        ("p3", "alice"),
        ("p3", "bob"),
    ]
    assert result.fixed.tolist() == [False, False, False, True, False, False]
    assert result.objective == pytest.approx(0.9 + 0.5 + 0.8 + 0.3 + 0.4 + 0.4)


def test_institution_cap_limits_reviewers_of_one_institution_per_poster():
    affinity = np.array([[0.9, 0.8, 0.1, 0.2]])
    institutions = [0, 0, 1, -1]
    free = solve(AssignmentProblem(["p"], list("abcd"), affinity, 2, 0, 1))
    assert free.pairs() == [("p", "a"), ("p", "b")]
    capped = solve(
        AssignmentProblem(
            ["p"], list("abcd"), affinity, 2, 0, 1, institutions=institutions, max_per_institution=1
        )
    )
    assert capped.pairs() == [("p", "a"), ("p", "d")]
    assert capped.objective == pytest.approx(1.1)


def test_fairness_raises_the_weakest_pair_before_the_total():
    # Total-first gives p0 {r0} and p1 {r1}: 1.0 + 0.1. Fairness gives 0.5 + 0.5.
    affinity = np.array([[1.0, 0.5], [0.5, 0.1]])
    total_first = solve(AssignmentProblem(range(2), range(2), affinity, 1, 0, 1))
    assert total_first.objective == pytest.approx(1.1)
    assert total_first.min_affinity == pytest.approx(0.1)
    fair = solve(AssignmentProblem(range(2), range(2), affinity, 1, 0, 1, fairness=True))
    assert fair.pairs() == [(0, 1), (1, 0)]
    assert fair.threshold == pytest.approx(0.5)
    assert fair.min_affinity == pytest.approx(0.5)


def test_sparse_scores_allow_unlisted_pairs_at_zero():
    # Only three pairs are listed; every poster still needs two reviewers.
    sparse = SparseAffinity(np.array([0, 1, 2]), np.array([0, 1, 2]), np.array([0.9, 0.8, 0.7]))
    problem = AssignmentProblem(range(3), range(4), sparse, 2, 1, 2, conflicts=[(0, 3)])
    result = solve(problem)
    dense = np.zeros((3, 4))
    dense[[0, 1, 2], [0, 1, 2]] = [0.9, 0.8, 0.7]
    reference = solve(AssignmentProblem(range(3), range(4), dense, 2, 1, 2, conflicts=[(0, 3)]))
    assert result.objective == pytest.approx(2.4) == reference.objective
    assert {(0, 0), (1, 1), (2, 2)} <= _index_pairs(result)
    assert (0, 3) not in _index_pairs(result)
    assert result.loads().min() >= 1


def test_unlisted_pairs_respect_conflicts_and_distinct_reviewers():
    # Nothing usable is listed, so every review is an unlisted pair; the hub that
    # carries them knows neither conflicts nor that one reviewer cannot review a poster
    # twice, and the realisation must repair both.
    sparse = SparseAffinity(np.array([0]), np.array([0]), np.array([0.5]))
    conflicts = [(0, 0), (0, 1), (0, 2), (1, 4)]
    problem = AssignmentProblem(range(2), range(6), sparse, 2, 0, 2, conflicts=conflicts)
    result = solve(problem)
    pairs = _index_pairs(result)
    assert len(pairs) == 4 and not pairs & set(conflicts)
    assert Counter(p for p, _r in pairs) == {0: 2, 1: 2}
    assert result.objective == 0


def test_sparse_scores_can_restrict_to_listed_pairs():
    sparse = SparseAffinity(np.array([0, 0, 1]), np.array([0, 1, 1]), np.zeros(3), False)
    with pytest.raises(Infeasible) as caught:
        solve(AssignmentProblem(range(2), range(3), sparse, 2, 0, 2))
    assert render(caught.value.message) == (
        "Poster 1 has too few eligible reviewers: 1 of the 2 it needs."
    )


def _index_pairs(result: algorithm.Assignment) -> set[tuple[int, int]]:
    return set(zip(result.posters.tolist(), result.reviewers.tolist(), strict=True))


def _tight_sparse_problem(n_posters: int, n_reviewers: int, seed: int) -> AssignmentProblem:
    """Few listed pairs on few reviewers, every load exactly fixed: most reviews must go
    through unlisted pairs, which the solver routes through its hub and realises."""
    rng = np.random.default_rng(seed)
    posters = np.repeat(np.arange(n_posters), 2)
    reviewers = rng.integers(0, n_reviewers // 5, posters.size)
    keys = np.unique(posters * n_reviewers + reviewers)
    values = np.round(rng.random(keys.size), 3)
    load = 3 * n_posters // n_reviewers
    conflicts = np.column_stack(
        [rng.integers(0, n_posters, n_posters), rng.integers(0, n_reviewers, n_posters)]
    )
    return AssignmentProblem(
        poster_ids=range(n_posters),
        reviewer_ids=range(n_reviewers),
        affinity=SparseAffinity(keys // n_reviewers, keys % n_reviewers, values),
        reviews_per_poster=3,
        min_load=load,
        max_load=load,
        conflicts=conflicts,
    )


def _as_dense(problem: AssignmentProblem) -> AssignmentProblem:
    sparse = problem.affinity
    assert isinstance(sparse, SparseAffinity)
    dense = np.zeros((len(problem.poster_ids), len(problem.reviewer_ids)))
    dense[sparse.posters, sparse.reviewers] = sparse.values
    return AssignmentProblem(
        problem.poster_ids,
        problem.reviewer_ids,
        dense,
        problem.reviews_per_poster,
        problem.min_load,
        problem.max_load,
        conflicts=problem.conflicts,
    )


def _check_constraints(problem: AssignmentProblem, result: algorithm.Assignment) -> None:
    pairs = list(zip(result.posters.tolist(), result.reviewers.tolist(), strict=True))
    assert len(set(pairs)) == len(pairs)
    assert set(Counter(p for p, _r in pairs).values()) <= {problem.reviews_per_poster}
    loads = result.loads()
    assert loads.min() >= problem.min_load and loads.max() <= problem.max_load
    assert not set(pairs) & {tuple(c) for c in np.asarray(problem.conflicts).tolist()}


def test_hub_realisation_matches_the_dense_solve():
    problem = _tight_sparse_problem(300, 60, seed=4)
    result = solve(problem)
    _check_constraints(problem, result)
    assert (result.values == 0).sum() > 500  # most pairs are unlisted: the hub was used
    assert result.objective == pytest.approx(solve(_as_dense(problem)).objective, abs=1e-9)


def test_sampled_hub_realisation_matches_the_dense_solve(monkeypatch):
    # The sampled realisation is for blocks too large to list whole; shrink the limit so
    # a problem small enough for a dense cross-check takes that path.
    monkeypatch.setattr(algorithm, "_DENSE_REALISATION_LIMIT", 1_000)
    problem = _tight_sparse_problem(400, 80, seed=5)
    result = solve(problem)
    _check_constraints(problem, result)
    monkeypatch.undo()
    assert result.objective == pytest.approx(solve(_as_dense(problem)).objective, abs=1e-9)


def test_empty_problem_is_an_empty_assignment():
    result = solve(AssignmentProblem([], ["r"], np.zeros((0, 1)), 3, 0, 2))
    assert result.pairs() == [] and result.objective == 0


# --------------------------------------------------------------------------- infeasible


def _message(problem: AssignmentProblem) -> str:
    with pytest.raises(Infeasible) as caught:
        solve(problem)
    assert isinstance(caught.value, DomainError)
    return render(caught.value.message)


def test_infeasible_poster_with_too_few_eligible_reviewers():
    problem = AssignmentProblem(
        ["p1", "p2"], ["a", "b", "c"], np.full((2, 3), 0.5), 2, 0, 2, conflicts=[(0, 0), (0, 1)]
    )
    with pytest.raises(Infeasible) as caught:
        solve(problem)
    assert render(caught.value.message) == (
        "Poster p1 has too few eligible reviewers: 1 of the 2 it needs."
    )
    shortfall = caught.value.shortfalls[0]
    assert shortfall.kind is ShortfallKind.TOO_FEW_ELIGIBLE
    assert shortfall.counts == (("p1", 1, 2),)


def test_infeasible_several_posters_are_named_with_their_counts():
    conflicts = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    problem = AssignmentProblem(
        ["p1", "p2", "p3"], ["a", "b", "c"], np.full((3, 3), 0.5), 2, 0, 3, conflicts=conflicts
    )
    assert _message(problem) == (
        "Posters have fewer eligible reviewers than they need (eligible of needed): "
        "p1 (1 of 2), p2 (0 of 2)."
    )


def test_infeasible_long_lists_of_posters_are_cut_short():
    conflicts = [(i, 0) for i in range(12)]
    problem = AssignmentProblem(
        [f"p{i}" for i in range(12)], ["r"], np.full((12, 1), 0.5), 1, 0, 12, conflicts=conflicts
    )
    with pytest.raises(Infeasible) as caught:
        solve(problem)
    assert render(caught.value.message) == (
        "Posters have fewer eligible reviewers than they need (eligible of needed): "
        + ", ".join(f"p{i} (0 of 1)" for i in range(10))
        + ", … (+2)."
    )
    assert len(caught.value.shortfalls[0].counts) == 12


def test_infeasible_total_capacity_says_how_many_are_missing():
    problem = AssignmentProblem(range(3), range(2), np.full((3, 2), 0.5), 2, 0, 2)
    assert _message(problem) == (
        "The posters need 6 reviews but the reviewers' maximum loads allow only 4: 2 short."
    )


def test_infeasible_minimum_loads_above_demand():
    problem = AssignmentProblem(range(2), range(3), np.full((2, 3), 0.5), 1, 1, 2)
    assert _message(problem) == (
        "The reviewers' minimum loads add up to 3 reviews but the posters need only 2."
    )


def test_infeasible_fixed_pairs_name_the_rule_they_break():
    affinity = np.full((2, 2), 0.5)
    assert (
        _message(
            AssignmentProblem(
                ["p", "q"], ["r", "s"], affinity, 1, 0, 2, conflicts=[(1, 0)], fixed=[(1, 0)]
            )
        )
        == "The fixed assignment of reviewer r to poster q is a conflict of interest."
    )
    assert (
        _message(
            AssignmentProblem(["p", "q"], ["r", "s"], affinity, 1, 0, 2, fixed=[(0, 0), (0, 1)])
        )
        == "Poster p has more fixed reviewers (2) than it needs (1)."
    )
    assert (
        _message(
            AssignmentProblem(["p", "q"], ["r", "s"], affinity, 1, 0, 1, fixed=[(0, 0), (1, 0)])
        )
        == "Reviewer r has more fixed assignments (2) than the maximum load (1)."
    )


def test_infeasible_reviewer_open_to_too_few_posters():
    problem = AssignmentProblem(
        ["p", "q"], ["r", "s", "t"], np.full((2, 3), 0.5), 2, 0, 2,
        min_load_overrides={0: 2}, conflicts=[(1, 0)],
    )  # fmt: skip
    assert _message(problem) == (
        "Reviewer r has a minimum load of 2 but is eligible for too few posters (1)."
    )


def test_infeasible_group_of_posters_found_by_min_cut():
    # Each poster alone has two eligible reviewers and the total capacity suffices, but
    # the two posters share those two reviewers, who can take one poster each.
    problem = AssignmentProblem(
        ["p", "q", "x"], ["r", "s", "t"], np.full((3, 3), 0.5), 2, 0, 5,
        reviews_overrides={2: 0}, max_load_overrides={0: 1, 1: 1},
        conflicts=[(0, 2), (1, 2)],
    )  # fmt: skip
    with pytest.raises(Infeasible) as caught:
        solve(problem)
    assert render(caught.value.message) == (
        "Posters p, q need 4 reviews together but their eligible reviewers can give at most 2."
    )
    assert caught.value.shortfalls[0].posters == ("p", "q")


def test_infeasible_group_of_reviewers_found_by_min_cut():
    # r0-r2 must each review something, may review only p0, and p0 takes two.
    problem = AssignmentProblem(
        ["p0", "p1"], ["r0", "r1", "r2", "r3", "r4"], np.full((2, 5), 0.5), 2, 0, 5,
        min_load_overrides={0: 1, 1: 1, 2: 1}, conflicts=[(1, 0), (1, 1), (1, 2)],
    )  # fmt: skip
    with pytest.raises(Infeasible) as caught:
        solve(problem)
    assert render(caught.value.message) == (
        "Reviewers r0, r1, r2 have minimum loads adding up to 3 but the posters open to them "
        "can take at most 2 of their reviews."
    )
    assert caught.value.shortfalls[0].kind is ShortfallKind.REVIEWER_GROUP


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"affinity": np.full((2, 2), 1.5)}, "Affinities must be numbers between 0 and 1."),
        ({"affinity": np.full((2, 3), 0.5)}, "The affinity matrix must have 2 rows of 2 values."),
        ({"min_load": 3}, "Reviewer r has a minimum load above the maximum load."),
        (
            {"conflicts": [(0, 5)]},
            "The field conflicts names a poster or reviewer that does not exist.",
        ),
        ({"poster_ids": ["p", "p"]}, "Poster and reviewer ids must be unique."),
        (
            {"affinity": SparseAffinity(np.array([0, 0]), np.array([1, 1]), np.array([0.1, 0.2]))},
            "A (poster, reviewer) pair is scored more than once.",
        ),
    ],
)
def test_malformed_problems_are_refused(change, message):
    fields = {
        "poster_ids": ["p", "q"],
        "reviewer_ids": ["r", "s"],
        "affinity": np.full((2, 2), 0.5),
        "reviews_per_poster": 1,
        "max_load": 2,
    }
    with pytest.raises(InvalidProblem) as caught:
        solve(AssignmentProblem(**{**fields, **change}))
    assert render(caught.value.message) == message


# --------------------------------------------------------------------------- properties

affinity_values = st.one_of(
    st.sampled_from([0.0, 1.0, 0.5]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=False),
)


@st.composite
def problems(draw: st.DrawFn) -> tuple[AssignmentProblem, np.ndarray, set[tuple[int, int]]]:
    """A small random problem, the dense matrix the LP should see, and the pairs the LP
    must forbid beyond the conflicts (unlisted pairs in listed-only sparse mode)."""
    n_p = draw(st.integers(1, 6))
    n_r = draw(st.integers(1, 6))
    k = draw(st.integers(0, 3))
    min_load = draw(st.integers(0, 2))
    max_load = min_load + draw(st.integers(0, 3))
    cells = [(i, j) for i in range(n_p) for j in range(n_r)]
    matrix = np.array(
        draw(st.lists(affinity_values, min_size=n_p * n_r, max_size=n_p * n_r)), dtype=float
    ).reshape(n_p, n_r)
    conflicts = draw(st.lists(st.sampled_from(cells), max_size=n_p * n_r // 3, unique=True))
    fixed = draw(st.lists(st.sampled_from(cells), max_size=2, unique=True))
    mode = draw(st.sampled_from(["dense", "sparse", "sparse", "listed-only"]))
    extra_forbidden: set[tuple[int, int]] = set()
    affinity: np.ndarray | SparseAffinity = matrix
    if mode != "dense":
        listed = draw(st.lists(st.sampled_from(cells), unique=True))
        posters = np.array([i for i, _j in listed], dtype=np.int64)
        reviewers = np.array([j for _i, j in listed], dtype=np.int64)
        values = matrix[posters, reviewers] if listed else np.zeros(0)
        affinity = SparseAffinity(posters, reviewers, values, mode == "sparse")
        seen = matrix
        matrix = np.zeros_like(seen)
        matrix[posters, reviewers] = values
        if mode == "listed-only":
            extra_forbidden = set(cells) - set(listed) - set(fixed)
    institutions, cap = None, None
    if draw(st.booleans()):
        institutions = draw(st.lists(st.integers(-1, 2), min_size=n_r, max_size=n_r))
        cap = draw(st.integers(1, 2))
    problem = AssignmentProblem(
        poster_ids=[f"p{i}" for i in range(n_p)],
        reviewer_ids=list(range(100, 100 + n_r)),
        affinity=affinity,
        reviews_per_poster=k,
        min_load=min_load,
        max_load=max_load,
        conflicts=conflicts,
        fixed=fixed,
        institutions=institutions,
        max_per_institution=cap,
    )
    return problem, matrix, extra_forbidden


def _reference(problem: AssignmentProblem, matrix: np.ndarray, extra: set[tuple[int, int]],
               threshold: float | None = None) -> float | None:  # fmt: skip
    n_p, n_r = matrix.shape
    return lp_optimum(
        matrix,
        [problem.reviews_per_poster] * n_p,
        [problem.min_load] * n_r,
        [problem.max_load] * n_r,
        forbidden=set(map(tuple, np.asarray(problem.conflicts).tolist())) | extra,
        fixed=set(map(tuple, np.asarray(problem.fixed).tolist())),
        institutions=None if problem.institutions is None else list(problem.institutions),
        cap=problem.max_per_institution,
        threshold=threshold,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solution_is_feasible_and_optimal_or_infeasibility_agrees_with_lp(case):
    problem, matrix, extra = case
    reference = _reference(problem, matrix, extra)
    if reference is None:
        with pytest.raises(Infeasible) as caught:
            solve(problem)
        assert render(caught.value.message).endswith(".")  # a sentence, never empty
        return
    result = solve(problem)
    pairs = list(zip(result.posters.tolist(), result.reviewers.tolist(), strict=True))
    assert len(set(pairs)) == len(pairs)
    per_poster = Counter(p for p, _r in pairs)
    assert all(per_poster[i] == problem.reviews_per_poster for i in range(matrix.shape[0]))
    loads = result.loads()
    assert (loads >= problem.min_load).all() and (loads <= problem.max_load).all()
    forbidden = set(map(tuple, np.asarray(problem.conflicts).tolist())) | extra
    assert not set(pairs) & forbidden
    assert set(map(tuple, np.asarray(problem.fixed).tolist())) <= set(pairs)
    assert result.fixed.sum() == len(problem.fixed)
    if problem.max_per_institution is not None:
        inst = problem.institutions
        per_group = Counter((p, inst[r]) for p, r in pairs if inst[r] >= 0)
        assert max(per_group.values(), default=0) <= problem.max_per_institution
    objective = sum(matrix[p, r] for p, r in pairs)
    assert result.objective == pytest.approx(objective, abs=1e-12)
    assert math.isclose(result.objective, reference, rel_tol=1e-6, abs_tol=result.gap_bound + 1e-9)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_fairness_finds_the_highest_feasible_level_then_the_best_total(case):
    problem, matrix, extra = case
    fair = dataclasses.replace(problem, fairness=True)
    if _reference(problem, matrix, extra) is None:
        with pytest.raises(Infeasible):
            solve(fair)
        return
    result = solve(fair)
    if not (~result.fixed).any():
        assert result.threshold == 0.0
        return
    levels = sorted({float(v) for v in matrix.ravel()} | {0.0}, reverse=True)
    best = next(
        (level, value)
        for level in levels
        if (value := _reference(problem, matrix, extra, threshold=level)) is not None
    )
    assert result.threshold == best[0]
    assert result.min_affinity == best[0]
    assert math.isclose(result.objective, best[1], rel_tol=1e-6, abs_tol=result.gap_bound + 1e-9)
