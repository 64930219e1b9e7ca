"""Time the judge scheduler on a conference-sized poster session.

Run: ``python -m bench.schedule [--posters 400 --judges 60 --repeat 3]``.

The session: a hall of 10 rows x 44 boards (1.2 m apart, rows 3 m apart); two
half-day sessions reuse the boards, numbered by ``planning.number_boards`` (6 tracks,
co-authors side by side, 4 % spare boards); each has two 60-minute slots, odd boards
presenting in the first and even boards in the second, so 4 slots in all. 3 judges
per poster, 10 minutes per visit (6 visits per slot), judges available in 2 to 4
slots, about 2 % of judge-poster pairs conflicted, about 2 % of presenters absent.

Prints the solve time (first run and best of N), coverage against the simple upper
bound and the posters short of judges, loads, walking per route (max and mean) after
the first flow and after the centre rounds, the process's peak resident memory and
the peak of Python-tracked allocations during one solve.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from poster_review.onsite import planning
from poster_review.onsite.schedule import (
    Judge,
    JudgedPoster,
    Schedule,
    ScheduleProblem,
    Slot,
    schedule,
)

ROWS, PER_ROW = 10, 44


def make_problem(n_posters: int, n_judges: int, seed: int = 1) -> ScheduleProblem:
    rng = np.random.default_rng(seed)
    layout = planning.grid_layout(ROWS, PER_ROW, board_pitch=1.2, row_spacing=3.0)
    sessions = [planning.PosterSession("am"), planning.PosterSession("pm")]
    people = [f"person{i}" for i in range(int(n_posters * 2.5))]
    posters = [
        planning.PosterToPlace(
            id=i,
            session_id="am" if i < n_posters // 2 else "pm",
            track=f"track {int(rng.integers(6))}",
            author_keys=frozenset(str(a) for a in rng.choice(people, 3, replace=False)),
        )
        for i in range(n_posters)
    ]
    plan = planning.number_boards(posters, sessions, layout, spare_fraction=0.04, reuse_boards=True)
    start = datetime(2026, 9, 14, 9, 0, tzinfo=UTC)
    times = [
        start,
        start + timedelta(hours=1),
        start + timedelta(hours=4),
        start + timedelta(hours=5),
    ]
    slots = [Slot(i + 1, t, t + timedelta(minutes=60)) for i, t in enumerate(times)]
    slot_of = planning.presentation_slots(plan, {"am": [1, 2], "pm": [3, 4]})
    judged = [
        JudgedPoster(
            id=p.poster_id,
            board=str(p.board.number),
            x=p.board.x,
            y=p.board.y,
            slot_id=slot_of[p.poster_id],
            required=3,
            presenter_absent=bool(rng.random() < 0.02),
        )
        for p in plan.placements
    ]
    judges = [
        Judge(
            id=f"judge{j}",
            slot_ids=frozenset(
                int(s) for s in rng.choice(4, int(rng.integers(2, 5)), replace=False) + 1
            ),
        )
        for j in range(n_judges)
    ]
    pairs = rng.random((n_judges, n_posters)) < 0.02
    conflicts = {(f"judge{j}", int(p)) for j, p in zip(*np.nonzero(pairs), strict=True)}
    return ScheduleProblem(slots, judged, judges, conflicts, minutes_per_visit=10)


def timed(problem: ScheduleProblem, rounds: int) -> tuple[float, Schedule]:
    start = time.perf_counter()
    result = schedule(problem, rounds=rounds)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posters", type=int, default=400)
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()

    problem = make_problem(args.posters, args.judges, args.seed)
    per_slot = Counter(p.slot_id for p in problem.posters)
    print(
        f"{len(problem.posters)} posters ({dict(sorted(per_slot.items()))} per slot), "
        f"{len(problem.judges)} judges, {len(problem.slots)} slots, "
        f"{len(problem.conflicts)} conflicts"
    )
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first, result = timed(problem, rounds=4)
    best = min([first] + [timed(problem, rounds=4)[0] for _ in range(args.repeat - 1)])
    print(f"solve: first run {first:.2f} s, best of {args.repeat} {best:.2f} s")

    c = result.coverage
    print(
        f"coverage: {c.visits} of {c.required} judge-visits ({c.ratio:.1%}); upper bound "
        f"{c.bound} ({'reached' if c.visits == c.bound else f'{c.bound - c.visits} short'}); "
        f"{c.fully_covered} of {c.posters} posters fully covered; {c.absent} presenters absent"
    )
    kinds = Counter(s.kind.value for s in result.shortfalls)
    print(f"shortfalls: {dict(sorted(kinds.items()))}")
    loads = list(result.loads.values())
    print(f"loads per judge: min {min(loads)}, max {max(loads)}, mean {statistics.mean(loads):.1f}")

    _seconds, plain = timed(problem, rounds=1)
    for name, r in (("first flow only", plain), ("after centre rounds", result)):
        walks = [route.walk_m for route in r.routes]
        print(
            f"walk per route ({name}): max {max(walks):.1f} m, "
            f"mean {statistics.mean(walks):.1f} m, "
            f"total {sum(walks):.0f} m over {len(walks)} routes"
        )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB (after building the problem: {baseline:.0f} MiB)")
    tracemalloc.start()
    schedule(problem)
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced allocations during one solve: {traced / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
