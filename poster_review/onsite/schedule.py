"""Judges' routes through a poster session (pure: OR-Tools, no web, no database).

The input (:class:`ScheduleProblem`): the session's time slots; the posters, each with
its board, the board's coordinates in metres, the slot in which its presenter stands at
the board and the number of judges it needs; the judges, each with the slots they can
judge in and optionally a cap on visits per slot; conflicts as ``(judge, poster)``
pairs; and the minutes one visit takes.

Hard rules: a judge visits a poster only in the slot its presenter is at the board, only
in a slot the judge is available, never a conflicted poster, never a poster twice, never
a poster whose presenter is absent, at most ``required`` judges per poster, and at most
``floor(slot minutes / minutes per visit)`` posters per slot (or the judge's own cap
when lower).

The objective, in strict priority order:

1. the most judge-visits in all (coverage), each poster counting up to its required
   number; among equal totals, posters with fewer judges are served first, so that no
   poster gets a second judge while another that could have one has none;
2. balanced loads: the sum over judges of ``load * (load - 1) / 2`` is least, which
   spreads visits evenly over the judges (loads counted over all slots);
3. short walks (heuristic, see below).

Because every poster is at its board in one slot only and every visit uses one unit of
one judge's capacity in that slot, the first two levels form an integral min-cost flow,
solved exactly by OR-Tools' ``SimpleMinCostFlow``::

    source --[1, load cost]--> judge --[capacity]--> (judge, slot) --[1, walk cost]--> poster
    poster --[1, coverage reward of its 1st, 2nd, … judge]--> sink;  source --> sink (unused)

The convex load costs and decreasing rewards are unit arcs, and the weights of the three
levels are scaled so that no change at a lower level can pay for a loss at a higher one:
coverage and balance are optimal, not approximations. Walking is not linear in a flow:
each ``(judge, slot)`` gets a centre on the floor, the flow's lowest-weight cost is a
poster's distance to that centre (rounded to at most ``DISTANCE_STEPS`` steps of the hall's
diameter), and the centres move to the middle of the posters the judge got, a few rounds
long (as k-means does), keeping the schedule with the shortest total walk. Each route is
then ordered by nearest neighbour from every start plus 2-opt on the boards' coordinates
(straight-line distances). Planned times follow the route at ``minutes_per_visit`` each,
from the start of the slot; walking time is counted inside a visit.

The solver has no randomness and no time limit: the same input gives the same schedule.
400 posters x 60 judges x 4 slots take well under a second (``bench/schedule.py``).

When not every poster can get its judges, :attr:`Schedule.shortfalls` says why for each
short poster: its presenter is absent, too few judges are eligible in its slot, the slot
as a whole lacks judge time, or its eligible judges are booked with other posters.

:func:`replacement_judges` proposes judges to send to a poster during the session, for
example when a judge drops out: free judges in the poster's slot, not conflicted, least
loaded first, then nearest.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeAlias

import numpy as np
from ortools.graph.python import min_cost_flow

from poster_review.errors import InvalidInput
from poster_review.i18n import _

#: A poster, judge or slot identifier: database ids or codes.
Id: TypeAlias = int | str

#: Steps the distance to a judge's centre is rounded to (over the hall's diameter).
DISTANCE_STEPS = 100
#: Rounds of moving the judges' centres.
CENTRE_ROUNDS = 4
#: Costs stay below this bound times the number of nodes, far from int64 overflow.
_COST_LIMIT = 2**62


def id_order(value: Id) -> tuple[int, int, str]:
    """A sort key for ids mixing ints and strings: ints first, by value, then strings."""
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


class InvalidSchedule(InvalidInput):
    """The problem is malformed (duplicate ids, an unknown slot, a slot that ends before
    it starts, naive datetimes, a visit of no minutes); the message says which."""


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Slot:
    """A presentation slot; ``start`` and ``end`` are aware datetimes."""

    id: Id
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class JudgedPoster:
    """A poster to judge: its board's label and coordinates (metres), the slot in which
    its presenter is at the board, and how many judges it needs."""

    id: Id
    board: str
    x: float
    y: float
    slot_id: Id
    required: int = 3
    presenter_absent: bool = False


@dataclass(frozen=True)
class Judge:
    """A judge, the slots they can judge in, and optionally a cap on posters per slot."""

    id: Id
    slot_ids: frozenset[Id]
    max_per_slot: int | None = None


@dataclass(frozen=True, eq=False)
class ScheduleProblem:
    """Everything the scheduler needs. ``conflicts`` are ``(judge id, poster id)`` pairs
    that must never meet; pairs naming an unknown judge or poster are ignored."""

    slots: Sequence[Slot]
    posters: Sequence[JudgedPoster]
    judges: Sequence[Judge]
    conflicts: Collection[tuple[Id, Id]] = ()
    minutes_per_visit: float = 10.0

    def capacity(self, judge: Judge, slot: Slot) -> int:
        """Posters ``judge`` can visit in ``slot``: 0 when unavailable, else the visits
        that fit in the slot, lowered to the judge's own cap."""
        if slot.id not in judge.slot_ids:
            return 0
        fit = math.floor(slot.minutes / self.minutes_per_visit + 1e-9)
        return fit if judge.max_per_slot is None else min(fit, judge.max_per_slot)


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Visit:
    """One planned visit; ``start`` and ``end`` are aware datetimes (the slot's zone)."""

    judge_id: Id
    poster_id: Id
    slot_id: Id
    board: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Route:
    """A judge's visits in one slot, in walking order; ``walk_m`` is the straight-line
    distance from the first board to the last."""

    judge_id: Id
    slot_id: Id
    visits: tuple[Visit, ...]
    walk_m: float


@dataclass(frozen=True)
class Coverage:
    """``posters`` counts posters whose presenter is there (``absent`` the others);
    ``required`` their judge-visits needed, ``visits`` those planned, ``bound`` a simple
    upper bound on ``visits`` (per slot, the lesser of the eligible judges per poster and
    the judges' capacity); ``fully_covered`` posters have every judge they need."""

    posters: int
    fully_covered: int
    visits: int
    required: int
    bound: int
    absent: int

    @property
    def ratio(self) -> float:
        """Planned share of the required visits (1.0 when nothing is required)."""
        return self.visits / self.required if self.required else 1.0


class ShortfallKind(StrEnum):
    ABSENT = "absent"
    TOO_FEW_ELIGIBLE = "too_few_eligible"
    SLOT_CAPACITY = "slot_capacity"
    BOOKED = "booked"


@dataclass(frozen=True)
class Shortfall:
    """Why ``poster_id`` has ``planned`` judges instead of ``needed``; ``eligible`` counts
    the judges who could visit it (available in its slot, not conflicted)."""

    poster_id: Id
    slot_id: Id
    kind: ShortfallKind
    needed: int
    planned: int
    eligible: int
    message: str


@dataclass(frozen=True, eq=False)
class Schedule:
    """The plan. ``routes`` are sorted by judge, then slot start; ``judges_by_poster``
    maps every poster to its judges (possibly none); ``loads`` every judge to their
    visits over all slots."""

    routes: tuple[Route, ...]
    judges_by_poster: Mapping[Id, tuple[Id, ...]]
    loads: Mapping[Id, int]
    coverage: Coverage
    shortfalls: tuple[Shortfall, ...] = ()

    def visits(self) -> tuple[Visit, ...]:
        return tuple(v for r in self.routes for v in r.visits)

    def routes_of(self, judge_id: Id) -> tuple[Route, ...]:
        return tuple(r for r in self.routes if r.judge_id == judge_id)

    @property
    def max_walk_m(self) -> float:
        return max((r.walk_m for r in self.routes), default=0.0)


# --------------------------------------------------------------------------- preparation


@dataclass
class _Prepared:
    problem: ScheduleProblem
    slots: list[Slot]
    posters: list[JudgedPoster]  # present posters, sorted by id
    absent: list[JudgedPoster]
    judges: list[Judge]  # sorted by id
    slot_index: dict[Id, int]
    # (judge index, slot index) -> capacity, only where positive
    capacity: dict[tuple[int, int], int]
    # poster index -> judge indices eligible for it (available in its slot, capacity, no conflict)
    eligible: list[list[int]]
    xy: np.ndarray = field(repr=False)


def _prepare(problem: ScheduleProblem) -> _Prepared:
    if not (problem.minutes_per_visit > 0 and math.isfinite(problem.minutes_per_visit)):
        raise InvalidSchedule(_("A visit must last a positive number of minutes."))
    for kind, ids in (
        ("slot", [s.id for s in problem.slots]),
        ("poster", [p.id for p in problem.posters]),
        ("judge", [j.id for j in problem.judges]),
    ):
        if len(set(ids)) != len(ids):
            raise InvalidSchedule(
                _("Each ${kind} may be listed only once.", mapping={"kind": kind})
            )
    for slot in problem.slots:
        if slot.start.tzinfo is None or slot.end.tzinfo is None:
            raise InvalidSchedule(
                _("Slot ${slot} needs times with a time zone.", mapping={"slot": slot.id})
            )
        if slot.end <= slot.start:
            raise InvalidSchedule(
                _("Slot ${slot} ends before it starts.", mapping={"slot": slot.id})
            )
    slots = sorted(problem.slots, key=lambda s: (s.start, id_order(s.id)))
    slot_index = {s.id: i for i, s in enumerate(slots)}
    for poster in problem.posters:
        if poster.slot_id not in slot_index:
            raise InvalidSchedule(
                _(
                    "Poster ${poster} is presented in slot ${slot}, which is not in the session.",
                    mapping={"poster": poster.id, "slot": poster.slot_id},
                )
            )
        if poster.required < 0:
            raise InvalidSchedule(
                _("Poster ${poster} needs a number of judges from 0 up.", {"poster": poster.id})
            )
        if not (math.isfinite(poster.x) and math.isfinite(poster.y)):
            raise InvalidSchedule(
                _("The board of poster ${poster} has no position.", {"poster": poster.id})
            )
    for judge in problem.judges:
        unknown = [s for s in judge.slot_ids if s not in slot_index]
        if unknown:
            raise InvalidSchedule(
                _(
                    "Judge ${judge} is available in slot ${slot}, which is not in the session.",
                    mapping={"judge": judge.id, "slot": sorted(unknown, key=id_order)[0]},
                )
            )
        if judge.max_per_slot is not None and judge.max_per_slot < 0:
            raise InvalidSchedule(
                _("Judge ${judge} has a negative cap.", mapping={"judge": judge.id})
            )

    ordered = sorted(problem.posters, key=lambda p: id_order(p.id))
    posters = [p for p in ordered if not p.presenter_absent]
    absent = [p for p in ordered if p.presenter_absent]
    judges = sorted(problem.judges, key=lambda j: id_order(j.id))
    capacity = {}
    for j, judge in enumerate(judges):
        for s, slot in enumerate(slots):
            c = problem.capacity(judge, slot)
            if c > 0:
                capacity[(j, s)] = c
    conflicted: dict[Id, set[int]] = defaultdict(set)
    judge_index = {judge.id: j for j, judge in enumerate(judges)}
    for judge_id, poster_id in problem.conflicts:
        if judge_id in judge_index:
            conflicted[poster_id].add(judge_index[judge_id])
    by_slot: dict[int, list[int]] = defaultdict(list)
    for j, s in sorted(capacity):
        by_slot[s].append(j)
    eligible = [
        [j for j in by_slot[slot_index[p.slot_id]] if j not in conflicted[p.id]] for p in posters
    ]
    xy = np.array([[p.x, p.y] for p in posters], dtype=np.float64).reshape(-1, 2)
    return _Prepared(problem, slots, posters, absent, judges, slot_index, capacity, eligible, xy)


# --------------------------------------------------------------------------- solving


def schedule(problem: ScheduleProblem, *, rounds: int = CENTRE_ROUNDS) -> Schedule:
    """Plan every judge's visits; see the module docstring for the rules and objective.

    ``rounds`` is how many times the judges' centres move to shorten walks (1: once
    placed, never moved). Raises :class:`InvalidSchedule` for a malformed problem; a
    problem that cannot be fully covered is not an error: see ``shortfalls``.
    """
    prep = _prepare(problem)
    centres = _initial_centres(prep)
    best_total, best_routes = math.inf, {}
    for _round in range(max(1, rounds)):
        assigned = _solve_flow(prep, centres)
        routes = {key: _ordered(prep, members) for key, members in assigned.items()}
        total = sum(_path_length(prep.xy[r]) for r in routes.values())
        if total >= best_total - 1e-9:
            break
        best_total, best_routes = total, routes
        # Each judge's centre moves to the middle of the posters they got.
        centres = {
            key: tuple(prep.xy[routes[key]].mean(axis=0).tolist()) if routes.get(key) else centre
            for key, centre in centres.items()
        }
    return _result(prep, best_routes)


def _initial_centres(prep: _Prepared) -> dict[tuple[int, int], tuple[float, float]]:
    """Spread each slot's judges along its posters in a boustrophedon walk of the
    hall (row by row, alternating direction): judge i of n starts at the poster
    ``(i + 0.5) / n`` of the way along."""
    centres: dict[tuple[int, int], tuple[float, float]] = {}
    by_slot: dict[int, list[int]] = defaultdict(list)
    for i, poster in enumerate(prep.posters):
        by_slot[prep.slot_index[poster.slot_id]].append(i)
    rows = sorted({round(p.y, 3) for p in prep.posters})
    row_rank = {y: r for r, y in enumerate(rows)}

    def walk(i: int) -> tuple[int, float]:
        p = prep.posters[i]
        r = row_rank[round(p.y, 3)]
        return (r, p.x if r % 2 == 0 else -p.x)

    judges_in: dict[int, list[int]] = defaultdict(list)
    for j, s in sorted(prep.capacity):
        judges_in[s].append(j)
    for s, judges in judges_in.items():
        order = sorted(by_slot.get(s, []), key=walk)
        for rank, j in enumerate(judges):
            if order:
                at = order[min(len(order) - 1, int((rank + 0.5) * len(order) / len(judges)))]
                centres[(j, s)] = (prep.posters[at].x, prep.posters[at].y)
            else:
                centres[(j, s)] = (0.0, 0.0)
    return centres


def _solve_flow(
    prep: _Prepared, centres: Mapping[tuple[int, int], tuple[float, float]]
) -> dict[tuple[int, int], list[int]]:
    """One exact min-cost flow; returns (judge index, slot index) -> poster indices."""
    n_posters, n_judges = len(prep.posters), len(prep.judges)
    judge_slots = sorted(prep.capacity)
    js_node = {key: 2 + n_judges + i for i, key in enumerate(judge_slots)}
    poster_node0 = 2 + n_judges + len(judge_slots)
    n_nodes = poster_node0 + n_posters
    load_cap = _load_caps(prep)
    weights = _weights(prep, load_cap, n_nodes)
    most_required = max((p.required for p in prep.posters), default=1)
    if n_posters:
        span = prep.xy.max(axis=0) - prep.xy.min(axis=0)
        diameter = float(math.hypot(*span.tolist())) or 1.0
    else:
        diameter = 1.0

    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, cap: int, cost: int) -> None:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)
        costs.append(cost)

    for j in range(n_judges):
        for load in range(load_cap[j]):  # the (load+1)-th visit costs `load` more
            arc(0, 2 + j, 1, weights.load * load)
    for key in judge_slots:
        arc(2 + key[0], js_node[key], prep.capacity[key], 0)
    pair_start = len(tails)
    pair_keys: list[tuple[tuple[int, int], int]] = []
    for i, poster in enumerate(prep.posters):
        s = prep.slot_index[poster.slot_id]
        for j in prep.eligible[i]:
            cx, cy = centres[(j, s)]
            distance = math.hypot(poster.x - cx, poster.y - cy)
            arc(js_node[(j, s)], poster_node0 + i, 1, round(distance / diameter * weights.steps))
            pair_keys.append(((j, s), i))
    pair_stop = len(tails)
    total = 0
    for i, poster in enumerate(prep.posters):
        for k in range(min(poster.required, len(prep.eligible[i]))):
            arc(poster_node0 + i, 1, 1, -(weights.visit + weights.spread * (most_required - 1 - k)))
            total += 1
    arc(0, 1, total, 0)

    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[0], supplies[1] = total, -total
    solver.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:  # pragma: no cover - feasible by the bypass arc
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows = np.asarray(solver.flows(arcs[pair_start:pair_stop]), dtype=np.int64)
    assigned: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (key, i), flow in zip(pair_keys, flows.tolist(), strict=True):
        if flow:
            assigned[key].append(i)
    return dict(assigned)


def _load_caps(prep: _Prepared) -> list[int]:
    """The most visits each judge could make: their capacity, or their eligible posters."""
    eligible_count = [0] * len(prep.judges)
    for eligible in prep.eligible:
        for j in eligible:
            eligible_count[j] += 1
    total = [0] * len(prep.judges)
    for (j, _s), c in prep.capacity.items():
        total[j] += c
    return [min(t, e) for t, e in zip(total, eligible_count, strict=True)]


@dataclass(frozen=True)
class _Weights:
    """Integer cost weights making the objective lexicographic. With ``V`` the most
    visits possible, ``R`` the most judges a poster needs and ``L`` the largest sum of
    ``load * (load - 1) / 2`` possible: walking costs at most ``V * steps``; one unit of
    load cost outweighs all walking; one unit of spread outweighs all load and walking
    costs; one visit outweighs every spread, load and walking difference."""

    steps: int
    load: int
    spread: int
    visit: int


def _weights(prep: _Prepared, load_cap: Sequence[int], n_nodes: int) -> _Weights:
    visits = sum(min(p.required, len(e)) for p, e in zip(prep.posters, prep.eligible, strict=True))
    most_required = max((p.required for p in prep.posters), default=1)
    balance_max = sum(c * (c - 1) // 2 for c in load_cap)
    steps = DISTANCE_STEPS
    while True:
        walk_max = visits * steps
        load = walk_max + 1
        spread = load * balance_max + walk_max + 1
        visit = spread * visits * max(0, most_required - 1) + load * balance_max + walk_max + 1
        if (visit + spread * most_required) * (n_nodes + 1) < _COST_LIMIT:
            return _Weights(steps, load, spread, visit)
        if steps == 0:
            raise InvalidSchedule(_("The session is too large to plan in one piece."))
        # Coarser distances keep the costs within range; coverage and balance stay exact.
        steps //= 2


# --------------------------------------------------------------------------- routes


def order_stops(points: Sequence[tuple[float, float]]) -> list[int]:
    """An open walking order through ``points``: nearest neighbour from every start
    (the shortest kept, the earliest start on ties), then 2-opt until no reversal of a
    stretch shortens the path. Returns indices into ``points``."""
    n = len(points)
    if n <= 2:
        return list(range(n))
    xy = np.asarray(points, dtype=np.float64)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]).tolist()
    best: list[int] = []
    best_length = math.inf
    for start in range(n):
        path = [start]
        left = set(range(n)) - {start}
        while left:
            last = dist[path[-1]]
            nearest = min(left, key=lambda k: (last[k], k))
            path.append(nearest)
            left.remove(nearest)
        length = sum(dist[a][b] for a, b in itertools.pairwise(path))
        if length < best_length - 1e-9:
            best, best_length = path, length
    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for k in range(i + 1, n):
                before = (dist[best[i - 1]][best[i]] if i > 0 else 0.0) + (
                    dist[best[k]][best[k + 1]] if k < n - 1 else 0.0
                )
                after = (dist[best[i - 1]][best[k]] if i > 0 else 0.0) + (
                    dist[best[i]][best[k + 1]] if k < n - 1 else 0.0
                )
                if after < before - 1e-9:
                    best[i : k + 1] = best[i : k + 1][::-1]
                    improved = True
    return best


def _ordered(prep: _Prepared, members: Sequence[int]) -> list[int]:
    members = sorted(members)
    order = order_stops([(prep.posters[i].x, prep.posters[i].y) for i in members])
    return [members[k] for k in order]


def _path_length(xy: np.ndarray) -> float:
    if len(xy) < 2:
        return 0.0
    steps = np.diff(xy, axis=0)
    return float(np.hypot(steps[:, 0], steps[:, 1]).sum())


# --------------------------------------------------------------------------- result


def _result(prep: _Prepared, routes_by_key: Mapping[tuple[int, int], list[int]]) -> Schedule:
    problem = prep.problem
    step = timedelta(minutes=problem.minutes_per_visit)
    routes = []
    judges_by_poster: dict[Id, list[Id]] = {p.id: [] for p in problem.posters}
    loads: dict[Id, int] = {j.id: 0 for j in prep.judges}
    for j, s in sorted(routes_by_key, key=lambda key: (key[0], prep.slots[key[1]].start)):
        members = routes_by_key[(j, s)]
        if not members:
            continue
        judge, slot = prep.judges[j], prep.slots[s]
        visits = tuple(
            Visit(
                judge_id=judge.id,
                poster_id=prep.posters[i].id,
                slot_id=slot.id,
                board=prep.posters[i].board,
                start=slot.start + k * step,
                end=slot.start + (k + 1) * step,
            )
            for k, i in enumerate(members)
        )
        routes.append(Route(judge.id, slot.id, visits, round(_path_length(prep.xy[members]), 3)))
        loads[judge.id] += len(visits)
        for i in members:
            judges_by_poster[prep.posters[i].id].append(judge.id)
    planned = {pid: tuple(sorted(js, key=id_order)) for pid, js in judges_by_poster.items()}
    coverage = Coverage(
        posters=len(prep.posters),
        fully_covered=sum(1 for p in prep.posters if len(planned[p.id]) >= p.required),
        visits=sum(len(planned[p.id]) for p in prep.posters),
        required=sum(p.required for p in prep.posters),
        bound=_bound(prep),
        absent=len(prep.absent),
    )
    return Schedule(
        routes=tuple(routes),
        judges_by_poster=planned,
        loads=loads,
        coverage=coverage,
        shortfalls=_shortfalls(prep, planned),
    )


def _bound(prep: _Prepared) -> int:
    demand: dict[int, int] = defaultdict(int)
    for poster, eligible in zip(prep.posters, prep.eligible, strict=True):
        demand[prep.slot_index[poster.slot_id]] += min(poster.required, len(eligible))
    supply: dict[int, int] = defaultdict(int)
    for (_j, s), c in prep.capacity.items():
        supply[s] += c
    return sum(min(d, supply[s]) for s, d in demand.items())


def _shortfalls(prep: _Prepared, planned: Mapping[Id, tuple[Id, ...]]) -> tuple[Shortfall, ...]:
    demand: dict[int, int] = defaultdict(int)
    for poster in prep.posters:
        demand[prep.slot_index[poster.slot_id]] += poster.required
    supply: dict[int, int] = defaultdict(int)
    for (_j, s), c in prep.capacity.items():
        supply[s] += c
    found = [
        Shortfall(
            poster_id=p.id,
            slot_id=p.slot_id,
            kind=ShortfallKind.ABSENT,
            needed=p.required,
            planned=0,
            eligible=0,
            message=_(
                "Poster ${poster}: the presenter is absent, so no judge is sent.",
                mapping={"poster": p.id},
            ),
        )
        for p in prep.absent
        if p.required > 0
    ]
    for poster, eligible in zip(prep.posters, prep.eligible, strict=True):
        got = len(planned[poster.id])
        if got >= poster.required:
            continue
        s = prep.slot_index[poster.slot_id]
        figures = {
            "poster": poster.id,
            "slot": poster.slot_id,
            "eligible": len(eligible),
            "needed": poster.required,
            "planned": got,
            "demand": demand[s],
            "capacity": supply[s],
        }
        if len(eligible) < poster.required:
            kind = ShortfallKind.TOO_FEW_ELIGIBLE
            message = _(
                "Poster ${poster}: only ${eligible} eligible judges are available in its slot "
                "${slot} (${needed} needed).",
                mapping=figures,
            )
        elif demand[s] > supply[s]:
            kind = ShortfallKind.SLOT_CAPACITY
            message = _(
                "Poster ${poster}: slot ${slot} needs ${demand} visits but its judges can make "
                "only ${capacity}; ${planned} of ${needed} judges planned.",
                mapping=figures,
            )
        else:
            kind = ShortfallKind.BOOKED
            message = _(
                "Poster ${poster}: its ${eligible} eligible judges in slot ${slot} are booked "
                "with other posters; ${planned} of ${needed} judges planned.",
                mapping=figures,
            )
        found.append(
            Shortfall(poster.id, poster.slot_id, kind, poster.required, got, len(eligible), message)
        )
    return tuple(found)


# --------------------------------------------------------------------------- live changes


@dataclass(frozen=True)
class Candidate:
    """A judge who could go to a poster now: ``visits_in_slot`` planned of ``capacity``;
    ``distance_m`` from where the judge is (or will first be) in the slot, ``None`` for a
    judge with no visit in it."""

    judge_id: Id
    visits_in_slot: int
    capacity: int
    distance_m: float | None


def replacement_judges(
    problem: ScheduleProblem,
    visits: Iterable[Visit],
    poster_id: Id,
    *,
    exclude: Collection[Id] = (),
    at: datetime | None = None,
    limit: int | None = 5,
) -> tuple[Candidate, ...]:
    """Judges to send to ``poster_id`` instead of (or besides) those planned.

    ``visits`` are the current visits of the session (after earlier changes). A
    candidate is available in the poster's slot, has a free visit left in it, is not
    conflicted, does not visit the poster already and is not in ``exclude`` (say, the
    judge who dropped out). Candidates come least loaded in the slot first, then
    nearest: from the board of their visit under way at ``at`` (or the last one begun),
    else their first visit in the slot. Nobody is proposed for a poster whose presenter
    is absent. Raises ``KeyError`` for an unknown poster.
    """
    poster = next((p for p in problem.posters if p.id == poster_id), None)
    if poster is None:
        raise KeyError(poster_id)
    if poster.presenter_absent:
        return ()
    slot = next(s for s in problem.slots if s.id == poster.slot_id)
    boards = {p.id: (p.x, p.y) for p in problem.posters}
    conflicted = {j for j, p in problem.conflicts if p == poster_id}
    in_slot: dict[Id, list[Visit]] = defaultdict(list)
    visiting: set[Id] = set()
    for visit in visits:
        if visit.slot_id == slot.id:
            in_slot[visit.judge_id].append(visit)
        if visit.poster_id == poster_id:
            visiting.add(visit.judge_id)
    candidates = []
    for judge in problem.judges:
        capacity = problem.capacity(judge, slot)
        planned = sorted(in_slot[judge.id], key=lambda v: v.start)
        if (
            capacity <= len(planned)
            or judge.id in conflicted
            or judge.id in visiting
            or judge.id in exclude
        ):
            continue
        distance = None
        if planned:
            begun = [v for v in planned if at is not None and v.start <= at]
            here = (begun[-1] if begun else planned[0]).poster_id
            if here in boards:
                hx, hy = boards[here]
                distance = round(math.hypot(poster.x - hx, poster.y - hy), 3)
        candidates.append(Candidate(judge.id, len(planned), capacity, distance))
    candidates.sort(
        key=lambda c: (
            c.visits_in_slot,
            math.inf if c.distance_m is None else c.distance_m,
            id_order(c.judge_id),
        )
    )
    return tuple(candidates if limit is None else candidates[:limit])
