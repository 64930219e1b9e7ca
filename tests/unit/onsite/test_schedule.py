"""The judge scheduler: hard rules, the lexicographic objective, explanations, live
replacements, and invariants on random instances."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import max_flow

from poster_review.i18n import render
from poster_review.onsite.schedule import (
    InvalidSchedule,
    Judge,
    JudgedPoster,
    ScheduleProblem,
    ShortfallKind,
    Slot,
    Visit,
    order_stops,
    replacement_judges,
    schedule,
)

T0 = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)


def slot(sid, hour=0, minutes=60):
    start = T0 + timedelta(hours=hour)
    return Slot(sid, start, start + timedelta(minutes=minutes))


def poster(pid, slot_id=1, x=0.0, y=0.0, required=1, absent=False):
    return JudgedPoster(pid, str(pid), x, y, slot_id, required, absent)


def judge(jid, slots=(1,), cap=None):
    return Judge(jid, frozenset(slots), cap)


def pairs(result):
    return sorted((v.judge_id, v.poster_id) for v in result.visits())


# --------------------------------------------------------------------------- rules


def test_visits_only_when_the_presenter_is_there_and_the_judge_is_free():
    problem = ScheduleProblem(
        slots=[slot(1, 0), slot(2, 1)],
        posters=[poster("p1", 1), poster("p2", 2)],
        judges=[judge("morning", {1}), judge("late", {2})],
        minutes_per_visit=10,
    )
    result = schedule(problem)
    assert pairs(result) == [("late", "p2"), ("morning", "p1")]
    assert result.judges_by_poster == {"p1": ("morning",), "p2": ("late",)}
    assert result.coverage.fully_covered == 2


def test_conflicts_are_never_scheduled_even_at_the_cost_of_coverage():
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=[poster("p", required=2)],
        judges=[judge("a"), judge("b")],
        conflicts={("b", "p")},
    )
    result = schedule(problem)
    assert pairs(result) == [("a", "p")]
    (short,) = result.shortfalls
    assert short.kind is ShortfallKind.TOO_FEW_ELIGIBLE
    assert render(short.message) == (
        "Poster p: only 1 eligible judges are available in its slot 1 (2 needed)."
    )


def test_capacity_is_the_visits_that_fit_in_the_slot_or_the_judges_cap():
    problem = ScheduleProblem(
        slots=[slot(1, minutes=55)],
        posters=[poster(i, x=i) for i in range(8)],
        judges=[judge("a"), judge("b", cap=2)],
        minutes_per_visit=10,
    )
    result = schedule(problem)
    assert result.loads == {"a": 5, "b": 2}  # floor(55 / 10) = 5; b asked for 2
    assert result.coverage.visits == 7
    assert result.coverage.bound == 7


def test_planned_times_follow_the_route_from_the_start_of_the_slot():
    problem = ScheduleProblem(
        slots=[slot(1, 2)],
        posters=[poster(i, x=3.0 * i) for i in (2, 0, 1)],
        judges=[judge("a")],
        minutes_per_visit=12,
    )
    (route,) = schedule(problem).routes
    start = T0 + timedelta(hours=2)
    assert [(v.poster_id, v.start, v.end) for v in route.visits] == [
        (0, start, start + timedelta(minutes=12)),
        (1, start + timedelta(minutes=12), start + timedelta(minutes=24)),
        (2, start + timedelta(minutes=24), start + timedelta(minutes=36)),
    ]
    assert route.walk_m == 6.0


def test_absent_presenters_get_no_judge_and_are_explained():
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=[poster("here"), poster("gone", absent=True)],
        judges=[judge("a")],
    )
    result = schedule(problem)
    assert pairs(result) == [("a", "here")]
    assert result.judges_by_poster["gone"] == ()
    assert (result.coverage.posters, result.coverage.absent) == (1, 1)
    (short,) = result.shortfalls
    assert short.kind is ShortfallKind.ABSENT
    assert render(short.message) == "Poster gone: the presenter is absent, so no judge is sent."


# --------------------------------------------------------------------------- objective


def test_every_poster_gets_a_first_judge_before_any_gets_a_second():
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=[poster("p", required=2), poster("q", required=2)],
        judges=[judge("a", cap=1), judge("b", cap=1)],
    )
    result = schedule(problem)
    assert [len(result.judges_by_poster[p]) for p in ("p", "q")] == [1, 1]
    kinds = {s.poster_id: s.kind for s in result.shortfalls}
    assert kinds == {"p": ShortfallKind.SLOT_CAPACITY, "q": ShortfallKind.SLOT_CAPACITY}
    assert render(result.shortfalls[0].message) == (
        "Poster p: slot 1 needs 4 visits but its judges can make only 2; 1 of 2 judges planned."
    )


def test_coverage_comes_before_balance():
    # Only a can judge p1; balancing would give p2 to a and leave p1 uncovered.
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=[poster("p1"), poster("p2"), poster("p3")],
        judges=[judge("a", cap=2), judge("b", cap=2)],
        conflicts={("b", "p1")},
    )
    result = schedule(problem)
    assert result.coverage.visits == 3
    assert result.judges_by_poster["p1"] == ("a",)
    assert sorted(result.loads.values()) == [1, 2]


def test_loads_are_balanced_over_all_slots():
    problem = ScheduleProblem(
        slots=[slot(1, 0), slot(2, 1)],
        posters=[poster(i, 1 + i % 2, x=i) for i in range(8)],
        judges=[judge("both", {1, 2}), judge("one", {1}), judge("two", {2})],
    )
    result = schedule(problem)
    assert result.coverage.visits == 8
    assert sorted(result.loads.values()) == [2, 3, 3]


def test_each_judge_keeps_to_one_end_of_the_hall():
    left = [poster(f"L{i}", x=float(i), y=0.0) for i in range(3)]
    right = [poster(f"R{i}", x=40.0 + i, y=0.0) for i in range(3)]
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=left + right,
        judges=[judge("a", cap=3), judge("b", cap=3)],
    )
    result = schedule(problem)
    assert sorted(r.walk_m for r in result.routes) == [2.0, 2.0]
    for route in result.routes:
        assert len({str(v.poster_id)[0] for v in route.visits}) == 1


def test_booked_judges_are_explained():
    # One visit per judge. p and q may only have a; r may have anyone. The slot has
    # time for 3 visits, 3 are needed, yet p or q goes without: a is booked.
    problem = ScheduleProblem(
        slots=[slot(1, minutes=10)],
        posters=[poster("p"), poster("q"), poster("r")],
        judges=[judge("a"), judge("b"), judge("c")],
        conflicts={("b", "p"), ("b", "q"), ("c", "p"), ("c", "q")},
    )
    result = schedule(problem)
    assert result.coverage.visits == 2
    (short,) = result.shortfalls
    assert short.poster_id in {"p", "q"}
    assert short.kind is ShortfallKind.BOOKED
    assert render(short.message) == (
        f"Poster {short.poster_id}: its 1 eligible judges in slot 1 are booked with other "
        "posters; 0 of 1 judges planned."
    )


def test_the_schedule_does_not_depend_on_input_order():
    rng = np.random.default_rng(3)
    problem = _random_problem(rng, posters=40, judges=8, slots=3)
    first = schedule(problem)
    posters, judges = list(problem.posters), list(problem.judges)
    rng.shuffle(posters)
    rng.shuffle(judges)
    second = schedule(
        ScheduleProblem(
            list(reversed(problem.slots)),
            posters,
            judges,
            problem.conflicts,
            problem.minutes_per_visit,
        )
    )
    assert second.routes == first.routes
    assert second.coverage == first.coverage


def test_order_stops_walks_along_a_line_without_doubling_back():
    points = [(5.0, 0.0), (1.0, 0.0), (9.0, 0.0), (3.0, 0.0), (7.0, 0.0)]
    order = order_stops(points)
    xs = [points[i][0] for i in order]
    assert xs in ([1.0, 3.0, 5.0, 7.0, 9.0], [9.0, 7.0, 5.0, 3.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 6)), min_size=1, max_size=7))
def test_order_stops_is_as_short_as_brute_force_on_small_routes(raw):
    points = [(float(x), 3.0 * y) for x, y in raw]

    def length(order):
        return sum(math.dist(points[a], points[b]) for a, b in itertools.pairwise(order))

    order = order_stops(points)
    assert sorted(order) == list(range(len(points)))
    best = min(length(p) for p in itertools.permutations(range(len(points))))
    # NN + 2-opt is a heuristic: on these small routes it stays within 25 % of optimal.
    assert length(order) <= best * 1.25 + 1e-9


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"minutes_per_visit": 0}, "A visit must last a positive number of minutes."),
        (
            {"posters": [poster(1, slot_id=9)]},
            "Poster 1 is presented in slot 9, which is not in the session.",
        ),
        (
            {"judges": [judge("a", {7})]},
            "Judge a is available in slot 7, which is not in the session.",
        ),
        ({"slots": [slot(1), slot(1)]}, "Each slot may be listed only once."),
        (
            {"slots": [Slot(1, T0.replace(tzinfo=None), T0.replace(tzinfo=None))]},
            "Slot 1 needs times with a time zone.",
        ),
        ({"slots": [Slot(1, T0, T0)]}, "Slot 1 ends before it starts."),
    ],
)
def test_malformed_problems_are_refused(change, expected):
    base = {"slots": [slot(1)], "posters": [poster(1)], "judges": [judge("a")]}
    with pytest.raises(InvalidSchedule) as caught:
        schedule(ScheduleProblem(**{**base, **change}))
    assert render(caught.value.message) == expected


def test_slot_times_in_any_zone_are_kept():
    almaty = timezone(timedelta(hours=5))
    start = datetime(2026, 9, 14, 13, 0, tzinfo=almaty)
    problem = ScheduleProblem(
        [Slot(1, start, start + timedelta(minutes=30))], [poster(1)], [judge("a")]
    )
    (visit,) = schedule(problem).visits()
    assert visit.start == T0 and visit.end == T0 + timedelta(minutes=10)


# --------------------------------------------------------------------------- replacements


def test_replacements_are_free_unconflicted_least_loaded_then_nearest():
    problem = ScheduleProblem(
        slots=[slot(1, minutes=30)],
        posters=[poster("target", x=0.0)] + [poster(f"p{i}", x=float(i * 10)) for i in range(1, 5)],
        judges=[
            judge("busy"),
            judge("near"),
            judge("far"),
            judge("idle"),
            judge("conflicted"),
            judge("planned"),
            judge("dropped"),
        ],
        conflicts={("conflicted", "target")},
        minutes_per_visit=10,
    )
    t = T0
    visits = [
        Visit("busy", "p1", 1, "1", t, t),
        Visit("busy", "p2", 1, "2", t, t),
        Visit("busy", "p3", 1, "3", t, t),  # 3 of 3: full
        Visit("near", "p1", 1, "1", t, t),  # 10 m away
        Visit("far", "p4", 1, "4", t, t),  # 40 m away
        Visit("planned", "target", 1, "t", t, t),
    ]
    found = replacement_judges(problem, visits, "target", exclude={"dropped"})
    assert [(c.judge_id, c.visits_in_slot, c.distance_m) for c in found] == [
        ("idle", 0, None),
        ("near", 1, 10.0),
        ("far", 1, 40.0),
    ]
    assert replacement_judges(problem, visits, "target", exclude={"dropped"}, limit=1) == (
        found[0],
    )


def test_replacement_distance_is_from_where_the_judge_is_at_that_time():
    problem = ScheduleProblem(
        slots=[slot(1)],
        posters=[poster("target", x=0.0), poster("a", x=5.0), poster("b", x=30.0)],
        judges=[judge("j")],
    )
    visits = [
        Visit("j", "a", 1, "a", T0, T0 + timedelta(minutes=10)),
        Visit("j", "b", 1, "b", T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)),
    ]
    early = replacement_judges(problem, visits, "target", at=T0 + timedelta(minutes=1))
    later = replacement_judges(problem, visits, "target", at=T0 + timedelta(minutes=15))
    assert (early[0].distance_m, later[0].distance_m) == (5.0, 30.0)


def test_no_replacement_for_an_absent_presenter():
    problem = ScheduleProblem([slot(1)], [poster("p", absent=True)], [judge("a")])
    assert replacement_judges(problem, [], "p") == ()
    with pytest.raises(KeyError):
        replacement_judges(problem, [], "unknown")


# --------------------------------------------------------------------------- properties


def _random_problem(rng, *, posters, judges, slots, required=3, conflict_rate=0.05):
    """A random session from a seeded numpy generator."""
    slot_list = [slot(s, s) for s in range(slots)]
    poster_list = [
        JudgedPoster(
            p,
            str(p + 1),
            (p % 10) * 1.2,
            (p // 10) * 3.0,
            int(rng.integers(slots)),
            int(rng.integers(0, required + 1)),
            bool(rng.random() < 0.05),
        )
        for p in range(posters)
    ]
    judge_list = [
        Judge(
            f"j{j}",
            frozenset(
                int(s) for s in rng.choice(slots, int(rng.integers(1, slots + 1)), replace=False)
            ),
            [None, 1, 2, 4][int(rng.integers(4))],
        )
        for j in range(judges)
    ]
    conflicts = {
        (f"j{j}", p) for j in range(judges) for p in range(posters) if rng.random() < conflict_rate
    }
    return ScheduleProblem(slot_list, poster_list, judge_list, conflicts, 15)


def _max_visits(problem):
    """The most judge-visits possible, by an independent max-flow."""
    solver = max_flow.SimpleMaxFlow()
    source, sink = 0, 1
    nodes = itertools.count(2)
    js = {(j.id, s.id): next(nodes) for j in problem.judges for s in problem.slots}
    ps = {p.id: next(nodes) for p in problem.posters}
    tails, heads, caps = [], [], []

    def arc(tail, head, cap):
        tails.append(tail)
        heads.append(head)
        caps.append(cap)

    for j in problem.judges:
        for s in problem.slots:
            arc(source, js[(j.id, s.id)], problem.capacity(j, s))
    conflicts = set(problem.conflicts)
    for p in problem.posters:
        if p.presenter_absent:
            continue
        for j in problem.judges:
            if p.slot_id in j.slot_ids and (j.id, p.id) not in conflicts:
                arc(js[(j.id, p.slot_id)], ps[p.id], 1)
        arc(ps[p.id], sink, p.required)
    solver.add_arcs_with_capacity(np.array(tails), np.array(heads), np.array(caps))
    assert solver.solve(source, sink) == solver.OPTIMAL
    return solver.optimal_flow()


def _check_rules(problem, result):
    posters = {p.id: p for p in problem.posters}
    judges = {j.id: j for j in problem.judges}
    slots = {s.id: s for s in problem.slots}
    conflicts = set(problem.conflicts)
    per_poster: Counter[object] = Counter()
    per_judge_slot: Counter[tuple[object, object]] = Counter()
    seen = set()
    for visit in result.visits():
        p, j = posters[visit.poster_id], judges[visit.judge_id]
        assert visit.slot_id == p.slot_id  # the presenter is at the board
        assert not p.presenter_absent
        assert visit.slot_id in j.slot_ids  # the judge is available
        assert (j.id, p.id) not in conflicts
        assert (j.id, p.id) not in seen  # never the same poster twice
        seen.add((j.id, p.id))
        s = slots[visit.slot_id]
        assert s.start <= visit.start < visit.end <= s.end
        per_poster[p.id] += 1
        per_judge_slot[(j.id, s.id)] += 1
    for pid, count in per_poster.items():
        assert count <= posters[pid].required  # never more than required
    for (jid, sid), count in per_judge_slot.items():
        assert count <= problem.capacity(judges[jid], slots[sid])
    assert result.coverage.visits == sum(per_poster.values())
    assert result.coverage.visits <= result.coverage.bound
    # A route never has two visits at once.
    by_route = defaultdict(list)
    for visit in result.visits():
        by_route[(visit.judge_id, visit.slot_id)].append((visit.start, visit.end))
    for times in by_route.values():
        times.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(times))
    # Every poster short of judges is explained.
    short = {p.id for p in problem.posters if len(result.judges_by_poster[p.id]) < p.required}
    assert {s.poster_id for s in result.shortfalls} == short


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 25),
    st.integers(1, 8),
    st.integers(1, 3),
)
def test_random_schedules_keep_every_rule_and_reach_the_most_visits(seed, n_p, n_j, n_s):
    problem = _random_problem(np.random.default_rng(seed), posters=n_p, judges=n_j, slots=n_s)
    result = schedule(problem)
    _check_rules(problem, result)
    assert result.coverage.visits == _max_visits(problem)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(3, 10), st.integers(1, 3))
def test_a_full_cover_that_exists_is_found(seed, n_p, n_j, n_s):
    """Plant a cover: every poster's judges are chosen first, then the judges' slots,
    capacities and conflicts are built around it, with extra noise that never breaks
    it."""
    rng = np.random.default_rng(seed)
    slots = [slot(s, s) for s in range(n_s)]
    posters = []
    planted: dict[object, list[int]] = {}
    for p in range(n_p):
        chosen = [int(j) for j in rng.choice(n_j, min(int(rng.integers(1, 4)), n_j), replace=False)]
        planted[p] = chosen
        x, y = rng.uniform(0, 30), rng.uniform(0, 20)
        posters.append(JudgedPoster(p, str(p), x, y, int(rng.integers(n_s)), len(chosen)))
    load: Counter[tuple[int, object]] = Counter()
    available = defaultdict(set)
    for placed in posters:
        for j in planted[placed.id]:
            load[(j, placed.slot_id)] += 1
            available[j].add(placed.slot_id)
    judges = []
    for j in range(n_j):
        slots_of = available[j] | {s for s in range(n_s) if rng.random() < 0.3}
        need = max((load[(j, s)] for s in range(n_s)), default=0)
        judges.append(Judge(j, frozenset(slots_of), need + int(rng.integers(2))))
    conflicts = {
        (j, placed.id)
        for placed in posters
        for j in range(n_j)
        if j not in planted[placed.id] and rng.random() < 0.3
    }
    problem = ScheduleProblem(slots, posters, judges, conflicts, 1)  # 60 visits per slot
    result = schedule(problem)
    _check_rules(problem, result)
    assert result.coverage.visits == result.coverage.required
    assert result.coverage.fully_covered == len(posters)
    assert result.shortfalls == ()


def _levels(problem, chosen):
    """(visits, spread, -balance) of a set of (judge, poster) pairs, as the module
    docstring defines them: higher is better, compared in that order."""
    present = [p for p in problem.posters if not p.presenter_absent]
    most = max((p.required for p in present), default=1)
    per_poster = Counter(p for _, p in chosen)
    per_judge = Counter(j for j, _ in chosen)
    spread = sum(most - 1 - k for p in present for k in range(per_poster[p.id]))
    balance = sum(n * (n - 1) // 2 for n in per_judge.values())
    return (len(chosen), spread, -balance)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 3), st.integers(1, 2))
def test_coverage_spread_and_balance_are_lexicographically_optimal(seed, n_p, n_j, n_s):
    problem = _random_problem(
        np.random.default_rng(seed), posters=n_p, judges=n_j, slots=n_s, conflict_rate=0.2
    )
    posters = {p.id: p for p in problem.posters}
    slots = {s.id: s for s in problem.slots}
    conflicts = set(problem.conflicts)
    candidates = [
        (j.id, p.id)
        for j in problem.judges
        for p in problem.posters
        if not p.presenter_absent and p.slot_id in j.slot_ids and (j.id, p.id) not in conflicts
    ]
    judges = {j.id: j for j in problem.judges}
    best = None
    for mask in range(1 << len(candidates)):
        chosen = [c for i, c in enumerate(candidates) if mask >> i & 1]
        per_poster = Counter(p for _, p in chosen)
        per_judge_slot = Counter((j, posters[p].slot_id) for j, p in chosen)
        if any(n > posters[p].required for p, n in per_poster.items()):
            continue
        if any(n > problem.capacity(judges[j], slots[s]) for (j, s), n in per_judge_slot.items()):
            continue
        levels = _levels(problem, chosen)
        best = levels if best is None else max(best, levels)
    result = schedule(problem)
    assert _levels(problem, pairs(result)) == best
