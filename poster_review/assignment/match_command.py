"""``poster-review match``: solve an assignment problem from a JSON file into a JSON file.

Also runnable alone: ``python -m poster_review.assignment.match_command --input ... --output ...``.
Numpy, OR-Tools and the solver are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from poster_review.assignment.algorithm import Assignment, AssignmentProblem

DESCRIPTION = """\
Assign reviewers to posters, maximising the total affinity.

PROBLEM.json is an object with:
  reviews_per_poster  reviewers each poster gets (k)
  min_load, max_load  posters each reviewer reviews (min_load defaults to 0)
  posters, reviewers  lists of ids (integers or strings), kept as given in the output
  affinity            posters x reviewers list of lists of numbers in [0, 1], or instead
  scores              [[poster_id, reviewer_id, value], ...], missing pairs meaning 0
  conflicts           optional [[poster_id, reviewer_id], ...] never assigned
  fixed               optional [[poster_id, reviewer_id], ...] always assigned
  fairness            optional true: first raise the lowest affinity of any assigned pair
  institutions        optional [[reviewer_id, institution], ...], with
  max_per_institution optional cap on reviewers from one institution per poster

ASSIGNMENT.json gets {"status": "optimal", "objective": <total affinity>,
"assignments": [[poster_id, reviewer_id], ...]}. An impossible problem or bad input
exits with status 2 and one line on stderr saying why.
"""

_KEYS = frozenset(
    {
        "reviews_per_poster",
        "min_load",
        "max_load",
        "posters",
        "reviewers",
        "affinity",
        "scores",
        "conflicts",
        "fixed",
        "fairness",
        "institutions",
        "max_per_institution",
    }
)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "match",
        help="assign reviewers to posters (JSON in, JSON out)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    parser.set_defaults(func=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, metavar="PROBLEM.json")
    parser.add_argument("--output", required=True, type=Path, metavar="ASSIGNMENT.json")


def run(args: argparse.Namespace) -> int:
    import json

    from poster_review.assignment import algorithm
    from poster_review.cli import UsageError
    from poster_review.i18n import render

    try:
        text = Path(args.input).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read {args.input}: {_reason(exc)}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{args.input}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from None
    try:
        problem = parse_problem(data)
        assignment = algorithm.solve(problem)
    except ProblemError as exc:
        raise UsageError(f"{args.input}: {exc}") from None
    except (algorithm.Infeasible, algorithm.InvalidProblem) as exc:
        raise UsageError(render(exc.message)) from None
    try:
        write_assignment(assignment, Path(args.output))
    except OSError as exc:
        raise UsageError(f"Cannot write {args.output}: {_reason(exc)}.") from None
    print(
        f"Assigned {assignment.posters.size} reviews to {len(problem.poster_ids)} posters; "
        f"total affinity {assignment.objective:.6g}."
    )
    return 0


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "strerror", None) or exc).rstrip(".")


class ProblemError(ValueError):
    """PROBLEM.json is malformed; the message is one sentence."""


def _is_int(value: object) -> bool:
    return type(value) is int


def _count(data: dict[str, Any], key: str, default: int | None = None, minimum: int = 0) -> int:
    if key not in data:
        if default is None:
            raise ProblemError(f'"{key}" is missing.')
        return default
    value = data[key]
    if not _is_int(value) or value < minimum:
        raise ProblemError(f'"{key}" must be an integer of at least {minimum}.')
    return int(value)


def _ids(data: dict[str, Any], key: str) -> list[Hashable]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ProblemError(f'"{key}" must be a list of ids.')
    for item in value:
        if not (_is_int(item) or isinstance(item, str)):
            raise ProblemError(f'"{key}" must hold integers or strings, not {json_repr(item)}.')
    if len(set(value)) != len(value):
        raise ProblemError(f'"{key}" lists an id more than once.')
    return list(value)


def json_repr(value: object) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _lookup(index: dict[Hashable, int], value: object, what: str, where: str) -> int:
    if (_is_int(value) or isinstance(value, str)) and value in index:
        return index[value]
    raise ProblemError(f"{where} names an unknown {what} {json_repr(value)}.")


def _pairs(
    data: dict[str, Any], key: str, posters: dict[Hashable, int], reviewers: dict[Hashable, int]
) -> list[tuple[int, int]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ProblemError(f'"{key}" must be a list of [poster_id, reviewer_id] pairs.')
    out = []
    for n, item in enumerate(value):
        where = f'Entry {n} of "{key}"'
        if not isinstance(item, list) or len(item) != 2:
            raise ProblemError(f"{where} must be a [poster_id, reviewer_id] pair.")
        out.append(
            (
                _lookup(posters, item[0], "poster", where),
                _lookup(reviewers, item[1], "reviewer", where),
            )
        )
    return out


def _is_unit(value: object) -> bool:
    """A JSON number (not a boolean) in [0, 1]; NaN fails both comparisons."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 0 <= value <= 1


def _affinity(data: dict[str, Any], n_posters: int, n_reviewers: int) -> Any:
    import numpy as np

    rows = data["affinity"]
    if not isinstance(rows, list) or len(rows) != n_posters:
        raise ProblemError(f'"affinity" must be a list of {n_posters} rows, one per poster.')
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n_reviewers:
            raise ProblemError(
                f'Row {i} of "affinity" must be a list of {n_reviewers} numbers, one per reviewer.'
            )
    kinds = {type(v) for row in rows for v in row}
    if not kinds <= {int, float}:
        raise ProblemError('"affinity" must hold only numbers between 0 and 1.')
    matrix = np.array(rows, dtype=np.float64).reshape(n_posters, n_reviewers)
    outside = ~((matrix >= 0) & (matrix <= 1))  # NaN counts as outside
    if outside.any():
        i, j = (int(x) for x in np.argwhere(outside)[0])
        raise ProblemError(
            f'"affinity" has {json_repr(rows[i][j])} at row {i}, column {j}: '
            "values must lie between 0 and 1."
        )
    return matrix


def _scores(
    data: dict[str, Any], posters: dict[Hashable, int], reviewers: dict[Hashable, int]
) -> Any:
    import numpy as np

    from poster_review.assignment.algorithm import SparseAffinity

    triples = data["scores"]
    if not isinstance(triples, list):
        raise ProblemError('"scores" must be a list of [poster_id, reviewer_id, value] triples.')
    pi = np.empty(len(triples), dtype=np.int64)
    rj = np.empty(len(triples), dtype=np.int64)
    values = np.empty(len(triples), dtype=np.float64)
    seen: set[tuple[int, int]] = set()
    for n, item in enumerate(triples):
        where = f'Entry {n} of "scores"'
        if not isinstance(item, list) or len(item) != 3:
            raise ProblemError(f"{where} must be a [poster_id, reviewer_id, value] triple.")
        pi[n] = _lookup(posters, item[0], "poster", where)
        rj[n] = _lookup(reviewers, item[1], "reviewer", where)
        if not _is_unit(item[2]):
            raise ProblemError(f"{where} has the value {json_repr(item[2])}, not between 0 and 1.")
        values[n] = item[2]
        pair = (int(pi[n]), int(rj[n]))
        if pair in seen:
            raise ProblemError(f"{where} scores a pair already scored.")
        seen.add(pair)
    return SparseAffinity(pi, rj, values)


def _institutions(data: dict[str, Any], reviewers: dict[Hashable, int]) -> list[int] | None:
    if "institutions" not in data:
        return None
    value = data["institutions"]
    if not isinstance(value, list):
        raise ProblemError('"institutions" must be a list of [reviewer_id, institution] pairs.')
    numbers: dict[Hashable, int] = {}
    out = [-1] * len(reviewers)
    for n, item in enumerate(value):
        where = f'Entry {n} of "institutions"'
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[1], str | int):
            raise ProblemError(f"{where} must be a [reviewer_id, institution] pair.")
        j = _lookup(reviewers, item[0], "reviewer", where)
        out[j] = numbers.setdefault(item[1], len(numbers))
    return out


def parse_problem(data: object) -> AssignmentProblem:
    """Build the solver's problem from decoded PROBLEM.json; raises ProblemError."""
    from poster_review.assignment.algorithm import AssignmentProblem

    if not isinstance(data, dict):
        raise ProblemError("The problem must be a JSON object.")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ProblemError(f'Unknown key "{unknown[0]}" (see poster-review match --help).')
    k = _count(data, "reviews_per_poster")
    min_load = _count(data, "min_load", default=0)
    max_load = _count(data, "max_load")
    if min_load > max_load:
        raise ProblemError('"min_load" is larger than "max_load".')
    poster_ids, reviewer_ids = _ids(data, "posters"), _ids(data, "reviewers")
    posters = {pid: i for i, pid in enumerate(poster_ids)}
    reviewers = {rid: j for j, rid in enumerate(reviewer_ids)}
    if ("affinity" in data) == ("scores" in data):
        raise ProblemError('Give exactly one of "affinity" and "scores".')
    affinity = (
        _affinity(data, len(poster_ids), len(reviewer_ids))
        if "affinity" in data
        else _scores(data, posters, reviewers)
    )
    fairness = data.get("fairness", False)
    if not isinstance(fairness, bool):
        raise ProblemError('"fairness" must be true or false.')
    cap = None
    if "max_per_institution" in data:
        cap = _count(data, "max_per_institution", minimum=1)
    institutions = _institutions(data, reviewers)
    if cap is not None and institutions is None:
        raise ProblemError('"max_per_institution" needs "institutions".')
    return AssignmentProblem(
        poster_ids=poster_ids,
        reviewer_ids=reviewer_ids,
        affinity=affinity,
        reviews_per_poster=k,
        min_load=min_load,
        max_load=max_load,
        conflicts=_pairs(data, "conflicts", posters, reviewers),
        fixed=_pairs(data, "fixed", posters, reviewers),
        institutions=institutions,
        max_per_institution=cap,
        fairness=fairness,
    )


def write_assignment(assignment: Assignment, path: Path) -> None:
    """Write ASSIGNMENT.json atomically: a reader never sees half a file."""
    import json
    import os

    payload = {
        "status": "optimal",
        "objective": assignment.objective,
        "assignments": [list(pair) for pair in assignment.pairs()],
    }
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False, separators=(",", ":"))
            out.write("\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m poster_review.assignment.match_command``."""
    from poster_review.cli import UsageError

    parser = argparse.ArgumentParser(
        prog="python -m poster_review.assignment.match_command",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UsageError as exc:
        print(f"poster-review: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
