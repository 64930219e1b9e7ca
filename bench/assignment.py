"""Benchmark the reviewer assignment solver and the ``match`` command.

    python bench/assignment.py            # every case, with HiGHS for the LP bounds
    python bench/assignment.py --no-lp    # skip the HiGHS bounds

For each size (posters x reviewers, k = 3) it prints the time to build the network, the
whole solve, the peak resident memory of a fresh process running only that case, and
the objective against the LP optimum from HiGHS (scipy.optimize.linprog). The largest case
has sparse affinities (about 50 listed reviewers per poster; unlisted pairs are allowed
with affinity 0), so its LP is the hub relaxation the solver itself uses: an upper bound
on every assignment, which an optimal assignment meets. Last, it times the whole
``match`` command on a 1,000 x 400 PROBLEM.json against the bare solve plus start-up.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from poster_review.assignment import algorithm  # noqa: E402 - after the path set-up

# posters, reviewers, loads, listed reviewers per poster (0: dense affinities)
CASES = {
    "300x100": {"n_posters": 300, "n_reviewers": 100, "min_load": 4, "max_load": 12},
    "2000x800": {"n_posters": 2_000, "n_reviewers": 800, "min_load": 3, "max_load": 10},
    "20000x10000": {
        "n_posters": 20_000,
        "n_reviewers": 10_000,
        "min_load": 2,
        "max_load": 8,
        "per_poster": 50,
    },
}
K = 3
LP_TIME_LIMIT = 300.0


def make_problem(
    n_posters: int,
    n_reviewers: int,
    *,
    min_load: int,
    max_load: int,
    per_poster: int = 0,
    seed: int = 1,
) -> algorithm.AssignmentProblem:
    """Affinities with structure: posters and reviewers get topic vectors, affinity is
    their similarity plus noise, so good pairs cluster as in a real conference."""
    rng = np.random.default_rng(seed)
    topics = 40
    poster_topics = rng.dirichlet(np.full(topics, 0.2), n_posters)
    reviewer_topics = rng.dirichlet(np.full(topics, 0.2), n_reviewers)
    n_conflicts = n_posters // 2
    conflicts = np.column_stack(
        [rng.integers(0, n_posters, n_conflicts), rng.integers(0, n_reviewers, n_conflicts)]
    )
    if not per_poster:
        sim = poster_topics @ reviewer_topics.T
        affinity = np.clip(sim / sim.max() * 0.8 + rng.random(sim.shape) * 0.2, 0, 1)
        return algorithm.AssignmentProblem(
            poster_ids=range(n_posters),
            reviewer_ids=range(n_reviewers),
            affinity=affinity,
            reviews_per_poster=K,
            min_load=min_load,
            max_load=max_load,
            conflicts=conflicts,
        )
    # Sparse: each poster lists reviewers sharing its main topic, plus a few at random.
    main = reviewer_topics.argmax(axis=1)
    by_topic = [np.flatnonzero(main == t) for t in range(topics)]
    rows, cols = [], []
    for i, t in enumerate(poster_topics.argmax(axis=1)):
        pool = by_topic[t] if by_topic[t].size else np.arange(n_reviewers)
        near = rng.choice(pool, min(per_poster - 10, pool.size), replace=False)
        far = rng.integers(0, n_reviewers, 10)
        chosen = np.unique(np.concatenate([near, far]))
        rows.append(np.full(chosen.size, i))
        cols.append(chosen)
    pi, rj = np.concatenate(rows), np.concatenate(cols)
    sim = np.einsum("ij,ij->i", poster_topics[pi], reviewer_topics[rj])
    values = np.clip(sim / sim.max() * 0.8 + rng.random(sim.size) * 0.2, 0, 1)
    return algorithm.AssignmentProblem(
        poster_ids=range(n_posters),
        reviewer_ids=range(n_reviewers),
        affinity=algorithm.SparseAffinity(pi, rj, values),
        reviews_per_poster=K,
        min_load=min_load,
        max_load=max_load,
        conflicts=conflicts,
    )


def build_seconds(problem: algorithm.AssignmentProblem) -> float:
    """Time to validate the input and build the network arrays (the first part of solve)."""
    start = time.perf_counter()
    prep = algorithm._prepare(problem)
    pi, rj, values = algorithm._candidates(prep, np.zeros(0, dtype=np.int64))
    hub = np.arange(prep.n_posters) if prep.dense is None else None
    costs = -np.rint(values * algorithm.SCALE).astype(np.int64)
    net, _pairs, _hub = algorithm._base_network(prep, pi, rj, costs, hub)
    net.arrays()
    return time.perf_counter() - start


def lp_bound(problem: algorithm.AssignmentProblem) -> tuple[float | None, float, str]:
    """HiGHS optimum of the LP relaxation (with the hub for sparse input)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    prep = algorithm._prepare(problem)
    pi, rj, values = algorithm._candidates(prep, np.zeros(0, dtype=np.int64))
    n_p, n_r, n = prep.n_posters, prep.n_reviewers, pi.size
    hub = prep.dense is None
    cols = np.arange(n)
    # Variables: pairs, then for sparse input hub-in per reviewer and hub-out per poster.
    n_vars = n + (n_r + n_p if hub else 0)
    poster_rows = [coo_matrix((np.ones(n), (pi, cols)), shape=(n_p, n_vars))]
    reviewer_rows = [coo_matrix((np.ones(n), (rj, cols)), shape=(n_r, n_vars))]
    balance = []
    if hub:
        hub_in = n + np.arange(n_r)
        hub_out = n + n_r + np.arange(n_p)
        poster_rows.append(coo_matrix((np.ones(n_p), (np.arange(n_p), hub_out)), (n_p, n_vars)))
        reviewer_rows.append(coo_matrix((np.ones(n_r), (np.arange(n_r), hub_in)), (n_r, n_vars)))
        balance = [
            coo_matrix(
                (np.r_[np.ones(n_r), -np.ones(n_p)], (np.zeros(n_p + n_r), np.r_[hub_in, hub_out])),
                shape=(1, n_vars),
            )
        ]
    a_eq = vstack([sum(m.tocsr() for m in poster_rows), *balance]).tocsr()
    b_eq = np.r_[prep.need, np.zeros(len(balance))]
    reviewer = sum(m.tocsr() for m in reviewer_rows)
    a_ub = vstack([reviewer, -reviewer]).tocsr()
    b_ub = np.r_[prep.high, -prep.low]
    cost = np.zeros(n_vars)
    cost[:n] = -values
    bounds = np.zeros((n_vars, 2))
    bounds[:n, 1] = 1
    bounds[n:, 1] = np.inf
    start = time.perf_counter()
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
        options={"time_limit": LP_TIME_LIMIT},
    )
    seconds = time.perf_counter() - start
    if result.status != 0:
        return None, seconds, str(result.message)
    fixed_value = float(prep.values_of(prep.fixed_posters, prep.fixed_reviewers).sum())
    return -float(result.fun) + fixed_value, seconds, "optimal"


def run_case(name: str, with_lp: bool) -> dict[str, object]:
    problem = make_problem(**CASES[name])
    build = build_seconds(problem)
    start = time.perf_counter()
    assignment = algorithm.solve(problem)
    solve = time.perf_counter() - start
    loads = assignment.loads()
    report: dict[str, object] = {
        "case": name,
        "pairs": int(assignment.posters.size),
        "build_s": build,
        "solve_s": solve,
        "objective": assignment.objective,
        "loads": [int(loads.min()), int(loads.max())],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if with_lp:
        bound, seconds, status = lp_bound(problem)
        report.update(lp=bound, lp_s=seconds, lp_status=status)
    return report


def time_match_command(workdir: Path) -> dict[str, float]:
    problem = make_problem(1_000, 400, min_load=0, max_load=8, seed=2)
    data = {
        "reviews_per_poster": K,
        "min_load": 0,
        "max_load": 8,
        "posters": [f"P{i}" for i in range(1_000)],
        "reviewers": [f"R{j}" for j in range(400)],
        "affinity": np.round(np.asarray(problem.affinity), 6).tolist(),
        "conflicts": [[f"P{i}", f"R{j}"] for i, j in np.asarray(problem.conflicts).tolist()],
    }
    source = workdir / "problem.json"
    source.write_text(json.dumps(data))
    bare_problem = algorithm.AssignmentProblem(
        poster_ids=data["posters"],
        reviewer_ids=data["reviewers"],
        affinity=np.array(data["affinity"]),
        reviews_per_poster=K,
        max_load=8,
        conflicts=problem.conflicts,
    )
    bare = min(_timed(lambda: algorithm.solve(bare_problem)) for _ in range(5))
    start_up = min(
        _timed(
            lambda: subprocess.run(
                [sys.executable, "-c", "import poster_review.assignment.algorithm"],
                check=True,
                cwd=REPO,
            )
        )
        for _ in range(5)
    )
    command = [
        sys.executable,
        "-m",
        "poster_review.assignment.match_command",
        "--input",
        str(source),
        "--output",
        str(workdir / "assignment.json"),
    ]

    def run_command() -> None:
        # The command is this interpreter running our own module.
        subprocess.run(command, check=True, cwd=REPO, capture_output=True)

    whole = min(_timed(run_command) for _ in range(5))
    written = json.loads((workdir / "assignment.json").read_text())
    assert len(written["assignments"]) == 3_000
    return {
        "bare_solve_s": bare,
        "start_up_s": start_up,
        "match_s": whole,
        "ratio": whole / (bare + start_up),
        "input_mb": source.stat().st_size / 1e6,
    }


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def time_conflicts(n_submissions: int = 600, n_reviewers: int = 200) -> tuple[float, int, int]:
    """Detect conflicts for a conference-sized set: 3 authors per submission, affiliations
    drawn from 300 institutions written in varied ways (abbreviations, case, accents)."""
    from poster_review.assignment.conflicts import (
        Affiliation,
        Author,
        ReviewerProfile,
        SubmissionAuthors,
        detect_conflicts,
    )

    rng = np.random.default_rng(3)
    cities = ["Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe", "Taraz", "Pavlodar",
              "Semey", "Oral", "Kostanay", "Atyrau", "Turkistan", "Kyzylorda", "Petropavl",
              "Zhezkazgan"]  # fmt: skip
    kinds = ["University of {}", "{} State University", "Institute of Technology, {}",
             "National Library of {}", "{} Medical University", "Regional Museum of {}",
             "{} Pedagogical Institute", "Academy of Sciences, {} Branch",
             "{} Polytechnic College", "Municipal Archive of {}", "{} Agrarian University",
             "Research Centre {}", "{} Conservatory", "Public Library of {}",
             "{} University of Economics", "{} Institute of Linguistics",
             "Children's Library of {}", "{} Teachers' College", "{} Institute of History",
             "State Archive of {}"]  # fmt: skip
    names = [k.format(c) for k in kinds for c in cities]

    def variant(name: str) -> str:
        roll = rng.random()
        if roll < 0.2:
            return name.replace("University", "Univ.").replace("Institute", "Inst.")
        if roll < 0.3:
            return name.upper()
        return name

    def domain(i: int) -> str:
        return "gmail.com" if rng.random() < 0.5 else f"inst{i}.edu.kz"

    submissions = []
    for s in range(n_submissions):
        authors = []
        for a in range(3):
            inst = int(rng.integers(0, len(names)))
            authors.append(
                Author(
                    f"a{s}_{a}@{domain(inst)}", affiliations=(Affiliation(variant(names[inst])),)
                )
            )
        submissions.append(SubmissionAuthors(s, tuple(authors)))
    reviewers = []
    for r in range(n_reviewers):
        inst = int(rng.integers(0, len(names)))
        reviewers.append(
            ReviewerProfile(r, (f"r{r}@{domain(inst)}",), (Affiliation(variant(names[inst])),))
        )
    start = time.perf_counter()
    findings = detect_conflicts(reviewers, submissions)
    seconds = time.perf_counter() - start
    return seconds, len(findings), sum(not f.certain for f in findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lp", action="store_true", help="skip the HiGHS bounds")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: one case, so its peak memory is its own
        print(json.dumps(run_case(args.case, not args.no_lp)))
        return

    print(f"{'case':>12} {'build s':>8} {'solve s':>8} {'peak MB':>8} {'objective':>14} "
          f"{'LP bound':>14} {'gap':>9} {'LP s':>7}")  # fmt: skip
    for name in CASES:
        child = [sys.executable, __file__, "--case", name] + (["--no-lp"] if args.no_lp else [])
        # Our own script, run by this interpreter: one case per process for its peak memory.
        out = subprocess.run(child, check=True, capture_output=True, text=True, cwd=REPO)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        lp = r.get("lp")
        lp_text = f"{lp:14.6f}" if isinstance(lp, float) else f"{'skipped':>14}"
        gap = f"{(lp - r['objective']) / lp:9.1e}" if isinstance(lp, float) else f"{'-':>9}"
        lp_s = f"{r['lp_s']:7.1f}" if "lp_s" in r else f"{'-':>7}"
        print(f"{name:>12} {r['build_s']:8.2f} {r['solve_s']:8.2f} {r['peak_rss_mb']:8.0f} "
              f"{r['objective']:14.6f} {lp_text} {gap} {lp_s}")  # fmt: skip
        if r.get("lp_status", "optimal") != "optimal":
            print(f"{'':>12} LP not solved: {r['lp_status']}")
        print(f"{'':>12} {r['pairs']} pairs, loads {r['loads'][0]}-{r['loads'][1]}")

    seconds, found, suspected = time_conflicts()
    print(f"\nconflicts 600 submissions x 200 reviewers: {seconds:.2f} s, {found} findings "
          f"({suspected} suspected)")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        m = time_match_command(Path(tmp))
    print(
        f"\nmatch 1000x400 (k=3, max load 8, {m['input_mb']:.1f} MB of JSON): whole command "
        f"{m['match_s']:.2f} s; bare solve {m['bare_solve_s']:.2f} s + start-up "
        f"{m['start_up_s']:.2f} s = {m['bare_solve_s'] + m['start_up_s']:.2f} s; "
        f"ratio {m['ratio']:.2f}"
    )


if __name__ == "__main__":
    main()
