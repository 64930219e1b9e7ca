"""Optimal reviewer assignment as an integral min-cost flow (pure: no Pyramid, no database).

The problem: give every poster exactly ``k`` distinct reviewers (a per-poster override is
allowed), keep every reviewer's load between a minimum and a maximum (per-reviewer
overrides allowed), never assign a conflicted pair, keep the fixed pairs, optionally cap
the reviewers one institution gives a poster, and maximise the total affinity.

The network solved by OR-Tools' ``SimpleMinCostFlow``::

    source --[max_load - min_load]--> reviewer --[1, -affinity]--> poster
    reviewer nodes supply their own min_load; posters demand k; the source supplies the rest

Giving each reviewer a supply equal to its minimum load is the standard lower-bound
transformation: conservation forces a reviewer to send out its own supply plus whatever
the source sends it, so its load lands in [min_load, max_load] exactly, with no penalty
costs to tune. With an institution cap, the arcs of reviewers from institution ``g`` into
poster ``p`` pass through a node ``(p, g)`` whose outgoing arc has the cap as capacity;
as every reviewer has at most one institution, the constraint matrix stays a network
matrix and the flow stays integral and exact.

Costs are ``-round(affinity * SCALE)``; the objective is summed from the original floats.
Rounding moves each arc cost by at most half a unit, so the float objective is within
``pairs / SCALE`` of the true optimum (reported as ``Assignment.gap_bound``).

Sparse affinities (``SparseAffinity``): unlisted pairs have affinity 0 and, unless
``missing_allowed`` is false, may still be assigned. Listing all ``P x R`` zero arcs is
impossible at 20,000 x 10,000, so unlisted pairs go through one shared *hub* node
(reviewer -> hub -> poster, cost 0). The hub network is a relaxation: every real assignment
maps onto it with the same objective. After solving, the hub's flow is *realised* as real
pairs by a max-flow that forbids pairs already used, conflicts, fixed pairs, listed pairs
of non-zero cost and institution overflows, over every allowed pair of the posters and
reviewers involved or, when that block is too large, over random samples of reviewers
per poster; a realisation of the relaxation's optimum is optimal for the real problem.
When it cannot be realised, the posters left short get explicit zero arcs to every
allowed reviewer (their hub arcs go) and the flow is solved again; the set of such
posters only grows, so the loop ends, in the worst case with the exact dense network.

Fairness mode: the lowest affinity of any assigned pair (fixed pairs aside) is first
maximised by bisection over the candidate values, each step a max-flow feasibility test;
then the total affinity is maximised among assignments using only pairs at or above
that level. This raises the worst-served poster's weakest reviewer; raising the worst
poster's *sum* of affinities is not a flow constraint and is not offered.

An impossible problem raises :class:`Infeasible`, whose message names the posters or the
capacity shortfall; a malformed one raises :class:`InvalidProblem`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import max_flow, min_cost_flow

from poster_review.errors import DomainError, InvalidInput
from poster_review.i18n import _

IntArray: TypeAlias = NDArray[np.int64]
FloatArray: TypeAlias = NDArray[np.float64]
BoolArray: TypeAlias = NDArray[np.bool_]
#: (poster index, reviewer index) pairs: a sequence of 2-tuples or an ``(n, 2)`` int array.
PairsLike: TypeAlias = Sequence[tuple[int, int]] | NDArray[np.integer]

#: Integer cost units per unit of affinity; with int64 costs this leaves ample headroom.
SCALE = 10**9
#: Largest posters x reviewers block realised with every allowed pair as a candidate.
_DENSE_REALISATION_LIMIT = 4_000_000
#: Extra reviewers sampled per poster, attempt after attempt, when a realisation block is
#: too large to list whole.
_REALISATION_SAMPLES = (48, 192, 768)
#: Ids listed in a message before "… (+N)".
_NAMES_SHOWN = 10


class InvalidProblem(InvalidInput):
    """The problem is malformed (shapes, ranges, unknown indices); the message says which."""


class ShortfallKind(StrEnum):
    FIXED_CONFLICT = "fixed_conflict"
    FIXED_OVER_REVIEWS = "fixed_over_reviews"
    FIXED_OVER_LOAD = "fixed_over_load"
    FIXED_OVER_INSTITUTION_CAP = "fixed_over_institution_cap"
    TOO_FEW_ELIGIBLE = "too_few_eligible"
    CAPACITY = "capacity"
    MIN_LOAD_EXCESS = "min_load_excess"
    REVIEWER_TOO_FEW_POSTERS = "reviewer_too_few_posters"
    POSTER_GROUP = "poster_group"
    REVIEWER_GROUP = "reviewer_group"
    UNEXPLAINED = "unexplained"


@dataclass(frozen=True)
class Shortfall:
    """One reason a problem is impossible: ``needed`` reviews against ``available`` ones.

    For ``TOO_FEW_ELIGIBLE`` the per-poster figures are in ``counts`` as
    ``(poster_id, eligible, needed)`` triples.
    """

    kind: ShortfallKind
    message: str
    posters: tuple[Hashable, ...] = ()
    reviewers: tuple[Hashable, ...] = ()
    needed: int = 0
    available: int = 0
    counts: tuple[tuple[Hashable, int, int], ...] = ()


class Infeasible(DomainError):
    """No assignment meets every constraint. ``message`` explains the first reason in one
    sentence; ``shortfalls`` lists every reason found, with structured figures."""

    status = 409

    def __init__(self, shortfalls: Sequence[Shortfall]) -> None:
        super().__init__(shortfalls[0].message)
        self.shortfalls = tuple(shortfalls)


@dataclass(frozen=True, eq=False)
class SparseAffinity:
    """Affinities of listed pairs, as parallel arrays of poster index, reviewer index, value.

    Unlisted pairs have affinity 0; they are candidates too unless ``missing_allowed`` is
    false, in which case only listed pairs may be assigned (besides fixed pairs).
    """

    posters: IntArray
    reviewers: IntArray
    values: FloatArray
    missing_allowed: bool = True


@dataclass(frozen=True, eq=False)
class AssignmentProblem:
    """Posters and reviewers are numbered by position; ``poster_ids`` and ``reviewer_ids``
    only name them in results and messages.

    ``affinity`` is a dense ``posters x reviewers`` array of floats in [0, 1] or a
    :class:`SparseAffinity`. ``institutions`` gives each reviewer an institution number
    (negative: none) for ``max_per_institution``.
    """

    poster_ids: Sequence[Hashable]
    reviewer_ids: Sequence[Hashable]
    affinity: FloatArray | SparseAffinity
    reviews_per_poster: int = 3
    min_load: int = 0
    max_load: int = 6
    reviews_overrides: Mapping[int, int] = field(default_factory=dict)
    min_load_overrides: Mapping[int, int] = field(default_factory=dict)
    max_load_overrides: Mapping[int, int] = field(default_factory=dict)
    conflicts: PairsLike = ()
    fixed: PairsLike = ()
    institutions: Sequence[int] | IntArray | None = None
    max_per_institution: int | None = None
    fairness: bool = False


@dataclass(frozen=True, eq=False)
class Assignment:
    """An optimal assignment: parallel arrays of assigned pairs, sorted by poster then
    reviewer, including the fixed pairs (``fixed`` marks them).

    ``objective`` is the sum of the pairs' original affinities; it is within ``gap_bound``
    of the true optimum (integer costs). ``threshold`` is the fairness level used (0 when
    fairness is off).
    """

    posters: IntArray
    reviewers: IntArray
    values: FloatArray
    fixed: BoolArray
    objective: float
    gap_bound: float
    threshold: float
    poster_ids: Sequence[Hashable]
    reviewer_ids: Sequence[Hashable]

    def pairs(self) -> list[tuple[Hashable, Hashable]]:
        """The assigned ``(poster_id, reviewer_id)`` pairs."""
        return [
            (self.poster_ids[p], self.reviewer_ids[r])
            for p, r in zip(self.posters.tolist(), self.reviewers.tolist(), strict=True)
        ]

    def loads(self) -> IntArray:
        """Number of posters assigned to each reviewer."""
        return np.bincount(self.reviewers, minlength=len(self.reviewer_ids)).astype(np.int64)

    @property
    def min_affinity(self) -> float:
        """The lowest affinity among the assigned pairs that are not fixed (0 if none)."""
        free = self.values[~self.fixed]
        return float(free.min()) if free.size else 0.0


# --------------------------------------------------------------------------- preparation


@dataclass(frozen=True, eq=False)
class _Prepared:
    """The validated problem, with fixed pairs taken out of demands and loads."""

    problem: AssignmentProblem
    n_posters: int
    n_reviewers: int
    need: IntArray  # reviews still needed per poster (k minus fixed)
    low: IntArray  # remaining minimum load per reviewer
    high: IntArray  # remaining maximum load per reviewer
    k: IntArray
    min_load: IntArray
    max_load: IntArray
    conflict_keys: IntArray  # sorted unique poster * R + reviewer
    fixed_posters: IntArray
    fixed_reviewers: IntArray
    fixed_keys: IntArray  # sorted unique
    institutions: IntArray | None  # per reviewer, -1 for none; None when no cap
    cap: int
    n_institutions: int
    dense: FloatArray | None
    listed_keys: IntArray  # sorted unique, sparse mode only
    listed_values: FloatArray
    missing_allowed: bool

    def key(self, posters: IntArray, reviewers: IntArray) -> IntArray:
        return posters * np.int64(self.n_reviewers) + reviewers

    def values_of(self, posters: IntArray, reviewers: IntArray) -> FloatArray:
        """Affinity of arbitrary pairs (0 for unlisted pairs in sparse mode)."""
        if self.dense is not None:
            return self.dense[posters, reviewers].astype(np.float64)
        keys = self.key(posters, reviewers)
        out = np.zeros(keys.shape, dtype=np.float64)
        if self.listed_keys.size:
            pos = np.searchsorted(self.listed_keys, keys)
            pos = np.minimum(pos, self.listed_keys.size - 1)
            hit = self.listed_keys[pos] == keys
            out[hit] = self.listed_values[pos[hit]]
        return out

    def group_keys(self, posters: IntArray, reviewers: IntArray) -> IntArray:
        """(poster, institution) keys, -1 where the reviewer has no institution."""
        assert self.institutions is not None  # noqa: S101 - only called with a cap
        inst = self.institutions[reviewers]
        return np.where(inst >= 0, posters * np.int64(self.n_institutions) + inst, -1)

    def label_posters(self, indices: IntArray | Sequence[int]) -> tuple[Hashable, ...]:
        return tuple(self.problem.poster_ids[int(i)] for i in indices)

    def label_reviewers(self, indices: IntArray | Sequence[int]) -> tuple[Hashable, ...]:
        return tuple(self.problem.reviewer_ids[int(j)] for j in indices)


def _as_pairs(pairs: PairsLike, n_posters: int, n_reviewers: int, field: str) -> IntArray:
    arr = np.asarray(pairs, dtype=np.int64) if len(pairs) else np.zeros((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InvalidProblem(
            _("The field ${field} must hold (poster, reviewer) pairs.", {"field": field})
        )
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= n_posters) | (arr[:, 1] < 0) | (arr[:, 1] >= n_reviewers)
    if bad.any():
        raise InvalidProblem(
            _(
                "The field ${field} names a poster or reviewer that does not exist.",
                {"field": field},
            )
        )
    return arr


def _per_item(default: int, overrides: Mapping[int, int], n: int, field: str) -> IntArray:
    values = np.full(n, default, dtype=np.int64)
    for index, value in overrides.items():
        if not 0 <= index < n:
            raise InvalidProblem(
                _("An override of ${field} names an unknown index.", {"field": field})
            )
        values[index] = value
    if (values < 0).any():
        raise InvalidProblem(_("The field ${field} cannot be negative.", {"field": field}))
    return values


def _check_values(values: FloatArray) -> None:
    if values.size and not (np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1):
        raise InvalidProblem(_("Affinities must be numbers between 0 and 1."))


def _prepare_sparse(sp: SparseAffinity, n_p: int, n_r: int) -> tuple[IntArray, FloatArray]:
    """Listed pairs as sorted keys (poster * R + reviewer) and their values."""
    posters = np.asarray(sp.posters, dtype=np.int64)
    reviewers = np.asarray(sp.reviewers, dtype=np.int64)
    values = np.asarray(sp.values, dtype=np.float64)
    if not posters.shape == reviewers.shape == values.shape or posters.ndim != 1:
        raise InvalidProblem(_("Sparse affinities need equally long lists."))
    if posters.size and (
        posters.min() < 0 or posters.max() >= n_p or reviewers.min() < 0 or reviewers.max() >= n_r
    ):
        raise InvalidProblem(_("A score names a poster or reviewer that does not exist."))
    _check_values(values)
    keys = posters * np.int64(n_r) + reviewers
    order = np.argsort(keys, kind="stable")
    if keys.size > 1 and (np.diff(keys[order]) == 0).any():
        raise InvalidProblem(_("A (poster, reviewer) pair is scored more than once."))
    return keys[order], values[order]


def _prepare_institutions(problem: AssignmentProblem, n_r: int) -> tuple[IntArray | None, int, int]:
    """Each reviewer's institution (-1: none), the cap and the number of institutions."""
    if problem.max_per_institution is None:
        return None, 0, 0
    if problem.max_per_institution < 1:
        raise InvalidProblem(_("The cap per institution must be at least 1."))
    if problem.institutions is None:
        raise InvalidProblem(_("A cap per institution needs the reviewers' institutions."))
    institutions = np.asarray(problem.institutions, dtype=np.int64)
    if institutions.shape != (n_r,):
        raise InvalidProblem(_("Every reviewer needs an institution entry."))
    institutions = np.where(institutions < 0, -1, institutions)
    n_inst = int(institutions.max()) + 1 if n_r else 0
    return institutions, problem.max_per_institution, n_inst


def _prepare(problem: AssignmentProblem) -> _Prepared:
    n_p, n_r = len(problem.poster_ids), len(problem.reviewer_ids)
    if len(set(problem.poster_ids)) != n_p or len(set(problem.reviewer_ids)) != n_r:
        raise InvalidProblem(_("Poster and reviewer ids must be unique."))
    k = _per_item(problem.reviews_per_poster, problem.reviews_overrides, n_p, "reviews_per_poster")
    lo = _per_item(problem.min_load, problem.min_load_overrides, n_r, "min_load")
    hi = _per_item(problem.max_load, problem.max_load_overrides, n_r, "max_load")
    if (lo > hi).any():
        j = int(np.flatnonzero(lo > hi)[0])
        raise InvalidProblem(
            _(
                "Reviewer ${reviewer} has a minimum load above the maximum load.",
                {"reviewer": problem.reviewer_ids[j]},
            )
        )
    conflicts = _as_pairs(problem.conflicts, n_p, n_r, "conflicts")
    fixed = _as_pairs(problem.fixed, n_p, n_r, "fixed")
    mult = np.int64(n_r)
    conflict_keys = np.unique(conflicts[:, 0] * mult + conflicts[:, 1])
    fixed_keys = np.unique(fixed[:, 0] * mult + fixed[:, 1])
    fixed_p, fixed_r = fixed_keys // mult, fixed_keys % mult

    dense: FloatArray | None = None
    listed_keys = np.zeros(0, dtype=np.int64)
    listed_values = np.zeros(0, dtype=np.float64)
    missing_allowed = True
    if isinstance(problem.affinity, SparseAffinity):
        listed_keys, listed_values = _prepare_sparse(problem.affinity, n_p, n_r)
        missing_allowed = problem.affinity.missing_allowed
    else:
        dense = np.asarray(problem.affinity, dtype=np.float64)
        if dense.shape != (n_p, n_r):
            raise InvalidProblem(
                _(
                    "The affinity matrix must have ${p} rows of ${r} values.",
                    {"p": n_p, "r": n_r},
                )
            )
        _check_values(dense)
    institutions, cap, n_inst = _prepare_institutions(problem, n_r)

    fixed_per_poster = np.bincount(fixed_p, minlength=n_p).astype(np.int64)
    fixed_per_reviewer = np.bincount(fixed_r, minlength=n_r).astype(np.int64)
    return _Prepared(
        problem=problem,
        n_posters=n_p,
        n_reviewers=n_r,
        need=k - fixed_per_poster,
        low=np.maximum(lo - fixed_per_reviewer, 0),
        high=hi - fixed_per_reviewer,
        k=k,
        min_load=lo,
        max_load=hi,
        conflict_keys=conflict_keys,
        fixed_posters=fixed_p,
        fixed_reviewers=fixed_r,
        fixed_keys=fixed_keys,
        institutions=institutions,
        cap=cap,
        n_institutions=n_inst,
        dense=dense,
        listed_keys=listed_keys,
        listed_values=listed_values,
        missing_allowed=missing_allowed,
    )


def _in_sorted(keys: IntArray, sorted_keys: IntArray) -> BoolArray:
    if not sorted_keys.size or not keys.size:
        return np.zeros(keys.shape, dtype=np.bool_)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.asarray(sorted_keys[pos] == keys)


def _count_in(sorted_keys: IntArray, queries: IntArray) -> IntArray:
    """How many times each query occurs in ``sorted_keys``."""
    return (
        np.searchsorted(sorted_keys, queries, side="right")
        - np.searchsorted(sorted_keys, queries, side="left")
    ).astype(np.int64)


# --------------------------------------------------------------------------- messages


def _names(labels: Sequence[Hashable]) -> str:
    """Ids joined by commas, the first ten then "(+N)": no words, so it reads the same
    in every language (a nested translation string would not be translated)."""
    shown = ", ".join(str(label) for label in labels[:_NAMES_SHOWN])
    if len(labels) > _NAMES_SHOWN:
        return f"{shown}, … (+{len(labels) - _NAMES_SHOWN})"
    return shown


def _fixed_shortfalls(prep: _Prepared) -> list[Shortfall]:
    """Fixed pairs that break a rule on their own."""
    out: list[Shortfall] = []
    bad_fixed = _in_sorted(prep.fixed_keys, prep.conflict_keys)
    for key in prep.fixed_keys[bad_fixed].tolist():
        poster = prep.problem.poster_ids[key // prep.n_reviewers]
        reviewer = prep.problem.reviewer_ids[key % prep.n_reviewers]
        out.append(
            Shortfall(
                ShortfallKind.FIXED_CONFLICT,
                _(
                    "The fixed assignment of reviewer ${reviewer} to poster ${poster} is a "
                    "conflict of interest.",
                    {"reviewer": reviewer, "poster": poster},
                ),
                posters=(poster,),
                reviewers=(reviewer,),
            )
        )
    for i in np.flatnonzero(prep.need < 0).tolist():
        fixed_n = int(prep.k[i] - prep.need[i])
        out.append(
            Shortfall(
                ShortfallKind.FIXED_OVER_REVIEWS,
                _(
                    "Poster ${poster} has more fixed reviewers (${fixed}) than it needs "
                    "(${needed}).",
                    {"poster": prep.problem.poster_ids[i], "fixed": fixed_n, "needed": prep.k[i]},
                ),
                posters=prep.label_posters([i]),
                needed=int(prep.k[i]),
                available=fixed_n,
            )
        )
    for j in np.flatnonzero(prep.high < 0).tolist():
        fixed_n = int(prep.max_load[j] - prep.high[j])
        out.append(
            Shortfall(
                ShortfallKind.FIXED_OVER_LOAD,
                _(
                    "Reviewer ${reviewer} has more fixed assignments (${fixed}) than the maximum "
                    "load (${max}).",
                    {
                        "reviewer": prep.problem.reviewer_ids[j],
                        "fixed": fixed_n,
                        "max": prep.max_load[j],
                    },
                ),
                reviewers=prep.label_reviewers([j]),
                needed=fixed_n,
                available=int(prep.max_load[j]),
            )
        )
    if prep.institutions is not None and prep.fixed_keys.size:
        groups = prep.group_keys(prep.fixed_posters, prep.fixed_reviewers)
        uniq, sizes = np.unique(groups[groups >= 0], return_counts=True)
        for g in uniq[sizes > prep.cap].tolist():
            poster = prep.problem.poster_ids[g // prep.n_institutions]
            out.append(
                Shortfall(
                    ShortfallKind.FIXED_OVER_INSTITUTION_CAP,
                    _(
                        "Poster ${poster} has more fixed reviewers from one institution than "
                        "the cap of ${cap}.",
                        {"poster": poster, "cap": prep.cap},
                    ),
                    posters=(poster,),
                    available=prep.cap,
                )
            )
    return out


def _count_shortfalls(prep: _Prepared, pi: IntArray, rj: IntArray) -> list[Shortfall]:
    """Reasons visible in counts and totals: posters with too few eligible reviewers,
    total capacity, minimum loads against demand, reviewers with too few posters."""
    out: list[Shortfall] = []
    eligible = _eligible_per_poster(prep, pi, rj)
    short = np.flatnonzero(eligible < prep.need)
    if short.size:
        counts = tuple(
            (
                prep.problem.poster_ids[i],
                int(eligible[i] + prep.k[i] - prep.need[i]),
                int(prep.k[i]),
            )
            for i in short.tolist()
        )
        if len(counts) == 1:
            poster, available, needed = counts[0]
            message = _(
                "Poster ${poster} has too few eligible reviewers: ${available} of the ${needed} "
                "it needs.",
                {"poster": poster, "available": available, "needed": needed},
            )
        else:
            detail = _names([f"{p} ({a} of {n})" for p, a, n in counts])
            message = _(
                "Posters have fewer eligible reviewers than they need (eligible of needed): "
                "${detail}.",
                {"detail": detail},
            )
        out.append(
            Shortfall(
                ShortfallKind.TOO_FEW_ELIGIBLE,
                message,
                posters=tuple(c[0] for c in counts),
                counts=counts,
            )
        )
    demand, capacity, floor = int(prep.need.sum()), int(prep.high.sum()), int(prep.low.sum())
    if demand > capacity:
        out.append(
            Shortfall(
                ShortfallKind.CAPACITY,
                _(
                    "The posters need ${needed} reviews but the reviewers' maximum loads allow "
                    "only ${available}: ${short} short.",
                    {"needed": demand, "available": capacity, "short": demand - capacity},
                ),
                needed=demand,
                available=capacity,
            )
        )
    if floor > demand:
        out.append(
            Shortfall(
                ShortfallKind.MIN_LOAD_EXCESS,
                _(
                    "The reviewers' minimum loads add up to ${needed} reviews but the posters "
                    "need only ${available}.",
                    {"needed": floor, "available": demand},
                ),
                needed=floor,
                available=demand,
            )
        )
    reachable = _eligible_per_reviewer(prep, pi, rj)
    for j in np.flatnonzero(reachable < prep.low).tolist():
        out.append(
            Shortfall(
                ShortfallKind.REVIEWER_TOO_FEW_POSTERS,
                _(
                    "Reviewer ${reviewer} has a minimum load of ${needed} but is eligible for too "
                    "few posters (${available}).",
                    {
                        "reviewer": prep.problem.reviewer_ids[j],
                        "needed": prep.min_load[j],
                        "available": int(reachable[j] + prep.min_load[j] - prep.low[j]),
                    },
                ),
                reviewers=prep.label_reviewers([j]),
                needed=int(prep.min_load[j]),
                available=int(reachable[j] + prep.min_load[j] - prep.low[j]),
            )
        )
    return out


def _excluded_keys(prep: _Prepared) -> IntArray:
    return np.union1d(prep.conflict_keys, prep.fixed_keys)


def _eligible_per_poster(prep: _Prepared, pi: IntArray, rj: IntArray) -> IntArray:
    """Most reviewers each poster can still get, counting the institution cap."""
    n_p, n_r = prep.n_posters, prep.n_reviewers
    active = prep.high > 0
    if prep.dense is not None or not prep.missing_allowed:
        keep = active[rj]
        pi, rj = pi[keep], rj[keep]
        if prep.institutions is None:
            return np.bincount(pi, minlength=n_p).astype(np.int64)
        groups = prep.group_keys(pi, rj)
        plain = np.bincount(pi[groups < 0], minlength=n_p)
        uniq, counts = np.unique(groups[groups >= 0], return_counts=True)
        allowed = np.minimum(counts, _cap_left(prep, uniq))
        capped = np.bincount(uniq // prep.n_institutions, weights=allowed, minlength=n_p)
        return (plain + capped).astype(np.int64)
    # Every pair is a candidate except the excluded ones: count the exclusions instead.
    excluded = _excluded_keys(prep)
    ex_p, ex_r = excluded // n_r, excluded % n_r
    keep = active[ex_r]
    ex_p, ex_r = ex_p[keep], ex_r[keep]
    if prep.institutions is None:
        return (int(active.sum()) - np.bincount(ex_p, minlength=n_p)).astype(np.int64)
    inst = prep.institutions
    per_inst = np.bincount(inst[active & (inst >= 0)], minlength=prep.n_institutions)
    untouched = int(np.minimum(per_inst, prep.cap).sum()) + int((active & (inst < 0)).sum())
    eligible = np.full(n_p, untouched, dtype=np.int64)
    eligible -= np.bincount(ex_p[inst[ex_r] < 0], minlength=n_p).astype(np.int64)
    # (poster, institution) groups with an exclusion or a fixed reviewer differ from the
    # untouched count: replace their term min(cap, members) by its actual value.
    ex_groups = prep.group_keys(ex_p, ex_r)
    ex_groups = np.sort(ex_groups[ex_groups >= 0])
    fixed_groups = prep.group_keys(prep.fixed_posters, prep.fixed_reviewers)
    touched = np.union1d(ex_groups, fixed_groups[fixed_groups >= 0])
    members = per_inst[touched % prep.n_institutions]
    actual = np.minimum(members - _count_in(ex_groups, touched), _cap_left(prep, touched))
    correction = actual - np.minimum(members, prep.cap)
    eligible += np.bincount(
        touched // prep.n_institutions, weights=correction, minlength=n_p
    ).astype(np.int64)
    return eligible


def _eligible_per_reviewer(prep: _Prepared, pi: IntArray, rj: IntArray) -> IntArray:
    """How many posters (still needing reviews) each reviewer may review; caps ignored."""
    n_r = prep.n_reviewers
    wanting = prep.need > 0
    if prep.dense is not None or not prep.missing_allowed:
        return np.bincount(rj[wanting[pi]], minlength=n_r).astype(np.int64)
    excluded = _excluded_keys(prep)
    ex_p, ex_r = excluded // n_r, excluded % n_r
    return (int(wanting.sum()) - np.bincount(ex_r[wanting[ex_p]], minlength=n_r)).astype(np.int64)


def _cap_left(prep: _Prepared, groups: IntArray, used: IntArray | None = None) -> IntArray:
    """Room left under the institution cap for each (poster, institution) key."""
    fixed_groups = prep.group_keys(prep.fixed_posters, prep.fixed_reviewers)
    taken = _count_in(np.sort(fixed_groups[fixed_groups >= 0]), groups)
    if used is not None:
        taken = taken + _count_in(used, groups)
    return np.maximum(prep.cap - taken, 0)


# --------------------------------------------------------------------------- networks


def _candidates(prep: _Prepared, dense_rows: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Explicit candidate pairs (poster, reviewer, affinity), conflicts and fixed pairs
    removed; in sparse mode the listed pairs plus every pair of the ``dense_rows``."""
    n_r = prep.n_reviewers
    if prep.dense is not None:
        mask = np.ones(prep.dense.shape, dtype=np.bool_)
        for keys in (prep.conflict_keys, prep.fixed_keys):
            mask[keys // n_r, keys % n_r] = False
        pi, rj = np.nonzero(mask)
        pi, rj = pi.astype(np.int64, copy=False), rj.astype(np.int64, copy=False)
        return pi, rj, prep.dense[pi, rj]
    excluded = _excluded_keys(prep)
    keep = ~_in_sorted(prep.listed_keys, excluded)
    keys, values = prep.listed_keys[keep], prep.listed_values[keep]
    if dense_rows.size:
        row_keys = (dense_rows[:, None] * np.int64(n_r) + np.arange(n_r, dtype=np.int64)).ravel()
        row_keys = row_keys[~_in_sorted(row_keys, excluded) & ~_in_sorted(row_keys, keys)]
        keys = np.concatenate([keys, row_keys])
        values = np.concatenate([values, np.zeros(row_keys.size, dtype=np.float64)])
    return keys // n_r, keys % n_r, values


class _Network:
    """Arc arrays for OR-Tools, built in blocks; nodes 0 = source, 1..R reviewers,
    R+1..R+P posters, then whatever a block adds."""

    def __init__(self, prep: _Prepared) -> None:
        self.prep = prep
        self.n_nodes = 1 + prep.n_reviewers + prep.n_posters
        self.tails: list[IntArray] = []
        self.heads: list[IntArray] = []
        self.caps: list[IntArray] = []
        self.costs: list[IntArray] = []
        self.n_arcs = 0

    def reviewer(self, j: IntArray) -> IntArray:
        return 1 + j

    def poster(self, i: IntArray) -> IntArray:
        return 1 + self.prep.n_reviewers + i

    def new_nodes(self, n: int) -> IntArray:
        first = self.n_nodes
        self.n_nodes += n
        return np.arange(first, first + n, dtype=np.int64)

    def add(
        self, tails: IntArray, heads: IntArray, caps: IntArray | int, costs: IntArray | int = 0
    ) -> slice:
        n = tails.size
        self.tails.append(tails)
        self.heads.append(np.broadcast_to(heads, (n,)))
        self.caps.append(np.broadcast_to(np.asarray(caps, dtype=np.int64), (n,)))
        self.costs.append(np.broadcast_to(np.asarray(costs, dtype=np.int64), (n,)))
        start = self.n_arcs
        self.n_arcs += n
        return slice(start, start + n)

    def add_pairs(
        self, pi: IntArray, rj: IntArray, costs: IntArray | int, used_groups: IntArray | None = None
    ) -> slice:
        """Reviewer -> poster arcs of capacity 1, through (poster, institution) nodes
        when there is a cap; ``used_groups`` (sorted keys) already fill part of the cap."""
        prep = self.prep
        if prep.institutions is None or not pi.size:
            return self.add(self.reviewer(rj), self.poster(pi), 1, costs)
        groups = prep.group_keys(pi, rj)
        capped = groups >= 0
        uniq, inverse = np.unique(groups[capped], return_inverse=True)
        group_nodes = self.new_nodes(uniq.size)
        heads = self.poster(pi).copy()
        heads[capped] = group_nodes[inverse]
        pairs = self.add(self.reviewer(rj), heads, 1, costs)
        self.add(
            group_nodes,
            self.poster(uniq // prep.n_institutions),
            _cap_left(prep, uniq, used_groups),
        )
        return pairs

    def arrays(self) -> tuple[NDArray[np.int32], NDArray[np.int32], IntArray, IntArray]:
        def cat(parts: list[IntArray], dtype: type[np.integer]) -> Any:
            if not parts:
                return np.zeros(0, dtype=dtype)
            return np.concatenate(parts, dtype=dtype, casting="same_kind")

        return (
            cat(self.tails, np.int32),
            cat(self.heads, np.int32),
            cat(self.caps, np.int64),
            cat(self.costs, np.int64),
        )

    def supplies(self) -> IntArray:
        """Node supplies of the assignment: reviewers their minimum load, posters minus
        their demand, the source the rest."""
        prep = self.prep
        sup = np.zeros(self.n_nodes, dtype=np.int64)
        sup[0] = prep.need.sum() - prep.low.sum()
        sup[self.reviewer(np.arange(prep.n_reviewers))] = prep.low
        sup[self.poster(np.arange(prep.n_posters))] = -prep.need
        return sup

    def max_flow(self, supplies: IntArray) -> tuple[max_flow.SimpleMaxFlow, int]:
        """A max-flow from a super-source feeding every supply to a super-sink draining
        every demand; the supplies are feasible iff the flow equals their total."""
        n = self.n_nodes
        sources, sinks = n, n + 1
        pos, neg = np.flatnonzero(supplies > 0), np.flatnonzero(supplies < 0)
        tails, heads, caps, _costs = self.arrays()
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(
            np.concatenate([tails, np.full(pos.size, sources), neg]).astype(np.int32),
            np.concatenate([heads, pos, np.full(neg.size, sinks)]).astype(np.int32),
            np.concatenate([caps, supplies[pos], -supplies[neg]]).astype(np.int64),
        )
        status = solver.solve(sources, sinks)
        if status != solver.OPTIMAL:  # pragma: no cover - capacities are far below overflow
            raise RuntimeError(f"max-flow failed: {status}")
        return solver, int(supplies[pos].sum())


def _base_network(
    prep: _Prepared,
    pi: IntArray,
    rj: IntArray,
    costs: IntArray | int = 0,
    hub_posters: IntArray | None = None,
    *,
    source_caps: IntArray | None = None,
) -> tuple[_Network, slice, tuple[slice, slice] | None]:
    """The assignment network: source -> reviewers (``max_load - min_load`` unless
    ``source_caps`` says otherwise), the candidate pairs and, for ``hub_posters``, the
    hub. Returns the network and the arc ranges of the pairs and of the hub."""
    net = _Network(prep)
    net.add(
        np.zeros(prep.n_reviewers, dtype=np.int64),
        net.reviewer(np.arange(prep.n_reviewers)),
        prep.high - prep.low if source_caps is None else source_caps,
    )
    pairs = net.add_pairs(pi, rj, costs)
    if hub_posters is None:
        return net, pairs, None
    hub = net.new_nodes(1)
    reviewers = np.flatnonzero(prep.high > 0)
    into = net.add(net.reviewer(reviewers), hub, prep.high[reviewers])
    out = net.add(
        np.broadcast_to(hub, hub_posters.shape), net.poster(hub_posters), prep.need[hub_posters]
    )
    return net, pairs, (into, out)


def _feasible(prep: _Prepared, pi: IntArray, rj: IntArray, hub_posters: IntArray | None) -> bool:
    net, _pairs, _hub = _base_network(prep, pi, rj, 0, hub_posters)
    solver, total = net.max_flow(net.supplies())
    return int(solver.optimal_flow()) == total


# --------------------------------------------------------------------------- diagnosis


def _diagnose(
    prep: _Prepared, pi: IntArray, rj: IntArray, hub_posters: IntArray | None
) -> Infeasible:
    """Explain an infeasible flow with a minimum cut of the feasibility max-flow.

    When the cut leaves the source on the source side, the posters on the sink side need
    more reviews than their eligible reviewers can give; otherwise the reviewers on the
    source side have minimum loads the posters open to them cannot absorb. Either claim
    is checked by a second max-flow, whose value is the "at most" in the message.
    """
    net, _pairs, _hub = _base_network(prep, pi, rj, 0, hub_posters)
    supplies = net.supplies()
    solver, _total = net.max_flow(supplies)
    poster_nodes = net.poster(np.arange(prep.n_posters))
    reviewer_nodes = net.reviewer(np.arange(prep.n_reviewers))

    # The smallest sink side names the fewest posters.
    sink_side = np.zeros(net.n_nodes + 2, dtype=np.bool_)
    sink_side[np.asarray(solver.get_sink_side_min_cut(), dtype=np.int64)] = True
    group = np.flatnonzero(sink_side[poster_nodes] & (prep.need > 0))
    if group.size:
        # Minimum loads dropped: the most the group could receive from anyone.
        loose, _pairs, _hub = _base_network(prep, pi, rj, 0, hub_posters, source_caps=prep.high)
        only = np.zeros(loose.n_nodes, dtype=np.int64)
        only[0] = prep.high.sum()
        only[poster_nodes[group]] = -prep.need[group]
        flow, _total = loose.max_flow(only)
        needed, available = int(prep.need[group].sum()), int(flow.optimal_flow())
        if available < needed:
            labels = prep.label_posters(group)
            figures = {"posters": _names(labels), "needed": needed, "available": available}
            message = (
                _(
                    "Poster ${posters} needs ${needed} reviews but its eligible reviewers can "
                    "give at most ${available}.",
                    figures,
                )
                if len(labels) == 1
                else _(
                    "Posters ${posters} need ${needed} reviews together but their eligible "
                    "reviewers can give at most ${available}.",
                    figures,
                )
            )
            return Infeasible(
                [
                    Shortfall(
                        ShortfallKind.POSTER_GROUP,
                        message,
                        posters=labels,
                        needed=needed,
                        available=available,
                    )
                ]
            )

    # The smallest source side names the fewest reviewers.
    source_side = np.zeros(net.n_nodes + 2, dtype=np.bool_)
    source_side[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
    group = np.flatnonzero(source_side[reviewer_nodes] & (prep.low > 0))
    if group.size:
        only = supplies.copy()
        only[0] = 0
        only[reviewer_nodes] = 0
        only[reviewer_nodes[group]] = prep.high[group]  # the most they could place
        flow, _total = net.max_flow(only)
        needed, available = int(prep.low[group].sum()), int(flow.optimal_flow())
        if available < needed:
            labels = prep.label_reviewers(group)
            figures = {"reviewers": _names(labels), "needed": needed, "available": available}
            message = (
                _(
                    "Reviewer ${reviewers} has a minimum load of ${needed} but the posters open "
                    "to them can take at most ${available} of their reviews.",
                    figures,
                )
                if len(labels) == 1
                else _(
                    "Reviewers ${reviewers} have minimum loads adding up to ${needed} but the "
                    "posters open to them can take at most ${available} of their reviews.",
                    figures,
                )
            )
            return Infeasible(
                [
                    Shortfall(
                        ShortfallKind.REVIEWER_GROUP,
                        message,
                        reviewers=labels,
                        needed=needed,
                        available=available,
                    )
                ]
            )
    return Infeasible(  # pragma: no cover - a min cut always yields one of the groups above
        [
            Shortfall(
                ShortfallKind.UNEXPLAINED,
                _("The loads, conflicts and fixed assignments cannot all be met."),
            )
        ]
    )


# --------------------------------------------------------------------------- solving


def _threshold(prep: _Prepared, pi: IntArray, rj: IntArray, values: FloatArray, hub: bool) -> float:
    """The highest affinity level such that an assignment using only pairs at or above it
    exists (fixed pairs aside); bisection over the candidate values."""
    levels = np.unique(values)
    if hub:
        levels = np.union1d(levels, [0.0])
    if not levels.size:
        return 0.0
    lo, hi = 0, levels.size - 1  # levels[lo] is feasible (the problem is)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = values >= levels[mid]
        hub_posters = np.arange(prep.n_posters) if hub and levels[mid] <= 0 else None
        if _feasible(prep, pi[keep], rj[keep], hub_posters):
            lo = mid
        else:
            hi = mid - 1
    return float(levels[lo])


def _min_cost(
    prep: _Prepared, pi: IntArray, rj: IntArray, values: FloatArray, hub_posters: IntArray | None
) -> tuple[BoolArray, IntArray, IntArray] | None:
    """Solve the (possibly hub) network; return the used explicit pairs and, with a hub,
    the hub slots each poster receives and each reviewer gives. None if infeasible."""
    costs = -np.rint(values * SCALE).astype(np.int64)
    net, pairs, hub_arcs = _base_network(prep, pi, rj, costs, hub_posters)
    tails, heads, caps, arc_costs = net.arrays()
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, arc_costs)
    solver.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), net.supplies())
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None
    if status != solver.OPTIMAL:  # pragma: no cover - costs and capacities are bounded
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows = np.asarray(solver.flows(arcs), dtype=np.int64)
    used = flows[pairs] > 0
    hub_in = np.zeros(prep.n_posters, dtype=np.int64)
    hub_out = np.zeros(prep.n_reviewers, dtype=np.int64)
    if hub_arcs is not None and hub_posters is not None:
        into, out = hub_arcs
        hub_out[np.flatnonzero(prep.high > 0)] = flows[into]
        hub_in[hub_posters] = flows[out]
    return used, hub_in, hub_out


def _realise(
    prep: _Prepared, used: tuple[IntArray, IntArray], hub_in: IntArray, hub_out: IntArray
) -> tuple[IntArray, IntArray] | IntArray:
    """Turn hub slots into real (poster, reviewer) pairs that are not used, fixed,
    conflicted, listed with a non-zero cost or over an institution cap.

    Returns the pairs, or the posters left short when no realisation was found among the
    candidates tried: every allowed pair when the block of posters and reviewers involved
    is small enough, otherwise random samples of reviewers per poster, growing on failure.
    Samples must be random: contiguous windows of reviewers make a banded graph whose
    local shortfalls defeat a tight problem (every load exactly fixed) surprisingly often.
    """
    ap, ar = used
    forbidden = np.unique(
        np.concatenate(
            [
                prep.key(ap, ar),
                prep.fixed_keys,
                prep.conflict_keys,
                prep.listed_keys[np.rint(prep.listed_values * SCALE) != 0],
            ]
        )
    )
    used_groups = None
    if prep.institutions is not None:
        groups = prep.group_keys(ap, ar)
        used_groups = np.sort(groups[groups >= 0])
    posters, reviewers = np.flatnonzero(hub_in > 0), np.flatnonzero(hub_out > 0)
    rng = np.random.default_rng(posters.size)  # deterministic
    whole = posters.size * reviewers.size <= _DENSE_REALISATION_LIMIT
    short = posters
    for attempt, extra in enumerate((0,) if whole else _REALISATION_SAMPLES):
        if whole:
            rows = np.repeat(posters, reviewers.size)
            cols = np.tile(reviewers, posters.size)
        elif attempt and posters.size * extra > _DENSE_REALISATION_LIMIT:
            break
        else:
            rows = np.repeat(posters, hub_in[posters] + extra)
            cols = reviewers[rng.integers(0, reviewers.size, rows.size)]
        keys = np.unique(prep.key(rows, cols))
        keys = keys[~_in_sorted(keys, forbidden)]
        rows, cols = keys // prep.n_reviewers, keys % prep.n_reviewers

        net = _Network(prep)
        pairs = net.add_pairs(rows, cols, 0, used_groups)
        supplies = np.zeros(net.n_nodes, dtype=np.int64)
        supplies[net.reviewer(np.arange(prep.n_reviewers))] = hub_out
        supplies[net.poster(np.arange(prep.n_posters))] = -hub_in
        solver, total = net.max_flow(supplies)
        flows = np.asarray(solver.flows(np.arange(pairs.start, pairs.stop)), dtype=np.int64)
        if int(solver.optimal_flow()) == total:
            return rows[flows > 0], cols[flows > 0]
        received = np.bincount(rows[flows > 0], minlength=prep.n_posters)
        short = np.flatnonzero(received < hub_in)
    return short


def _optimal_pairs(
    prep: _Prepared, pi: IntArray, rj: IntArray, values: FloatArray, hub: bool
) -> tuple[IntArray, IntArray, FloatArray]:
    """The non-fixed pairs of an optimal assignment among the candidates (plus, with the
    hub, any unlisted pair); raises Infeasible."""
    dense_rows = np.zeros(0, dtype=np.int64)
    while True:
        hub_posters = np.setdiff1d(np.arange(prep.n_posters), dense_rows) if hub else None
        result = _min_cost(prep, pi, rj, values, hub_posters)
        if result is None:
            raise _diagnose(prep, pi, rj, hub_posters)
        used, hub_in, hub_out = result
        ap, ar, av = pi[used], rj[used], values[used]
        if not hub_in.any():
            return ap, ar, av
        realised = _realise(prep, (ap, ar), hub_in, hub_out)
        if isinstance(realised, tuple):
            rp, rr = realised
            return (
                np.concatenate([ap, rp]),
                np.concatenate([ar, rr]),
                np.concatenate([av, prep.values_of(rp, rr)]),
            )
        # The relaxation's optimum could not be realised: give the short posters
        # explicit arcs and solve again (the set only grows, so this ends).
        dense_rows = np.union1d(dense_rows, realised)
        pi, rj, values = _candidates(prep, dense_rows)


def solve(problem: AssignmentProblem) -> Assignment:
    """Return an assignment of maximum total affinity meeting every constraint.

    Raises :class:`InvalidProblem` for malformed input and :class:`Infeasible`, naming the
    posters or the capacity shortfall, when no assignment exists.
    """
    prep = _prepare(problem)
    shortfalls = _fixed_shortfalls(prep)
    if shortfalls:
        raise Infeasible(shortfalls)
    pi, rj, values = _candidates(prep, np.zeros(0, dtype=np.int64))
    shortfalls = _count_shortfalls(prep, pi, rj)
    if shortfalls:
        raise Infeasible(shortfalls)

    hub = prep.dense is None and prep.missing_allowed
    level = 0.0
    if problem.fairness and prep.need.any():
        hub_posters = np.arange(prep.n_posters) if hub else None
        if not _feasible(prep, pi, rj, hub_posters):
            raise _diagnose(prep, pi, rj, hub_posters)
        level = _threshold(prep, pi, rj, values, hub)
        if level > 0:
            keep = values >= level
            pi, rj, values = pi[keep], rj[keep], values[keep]
            hub = False
    ap, ar, av = _optimal_pairs(prep, pi, rj, values, hub)

    all_p = np.concatenate([ap, prep.fixed_posters])
    all_r = np.concatenate([ar, prep.fixed_reviewers])
    all_v = np.concatenate([av, prep.values_of(prep.fixed_posters, prep.fixed_reviewers)])
    is_fixed = np.concatenate(
        [np.zeros(ap.size, np.bool_), np.ones(prep.fixed_posters.size, np.bool_)]
    )
    order = np.lexsort((all_r, all_p))
    return Assignment(
        posters=all_p[order],
        reviewers=all_r[order],
        values=all_v[order],
        fixed=is_fixed[order],
        objective=float(all_v.sum()),
        gap_bound=float(ap.size) / SCALE,
        threshold=level,
        poster_ids=problem.poster_ids,
        reviewer_ids=problem.reviewer_ids,
    )
