"""``poster-review match``: the JSON contract, exit statuses and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from poster_review.assignment.match_command import main

REPO = Path(__file__).resolve().parents[3]

PROBLEM = {
    "reviews_per_poster": 2,
    "min_load": 0,
    "max_load": 2,
    "posters": ["p1", 2, "p3"],
    "reviewers": ["alice", "bob", 7],
    "affinity": [[0.9, 0.1, 0.5], [0.2, 0.8, 0.3], [0.4, 0.4, 1]],
    "conflicts": [["p1", "bob"]],
    "fixed": [[2, 7]],
}
EXPECTED = {
    "status": "optimal",
    "objective": pytest.approx(0.9 + 0.5 + 0.8 + 0.3 + 0.4 + 0.4),
    "assignments": [["p1", "alice"], ["p1", 7], [2, "bob"], [2, 7], ["p3", "alice"], ["p3", "bob"]],
}


def _write(tmp_path: Path, problem: object, name: str = "problem.json") -> Path:
    path = tmp_path / name
    path.write_text(problem if isinstance(problem, str) else json.dumps(problem), encoding="utf-8")
    return path


def _run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", module, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)


def test_module_writes_the_assignment_with_ids_as_given(tmp_path):
    source, target = _write(tmp_path, PROBLEM), tmp_path / "assignment.json"
    done = _run_module(
        "poster_review.assignment.match_command", "--input", str(source), "--output", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == "Assigned 6 reviews to 3 posters; total affinity 3.3.\n"
    assert json.loads(target.read_text()) == EXPECTED


def test_poster_review_cli_runs_match(tmp_path):
    pytest.importorskip("poster_review.cli", reason="poster_review.cli is not written yet")
    source, target = _write(tmp_path, PROBLEM), tmp_path / "assignment.json"
    done = _run_module(
        "poster_review.cli", "match", "--input", str(source), "--output", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text()) == EXPECTED


def test_scores_with_missing_pairs_mean_zero_and_stay_allowed(tmp_path, capsys):
    scored = {key: value for key, value in PROBLEM.items() if key not in {"affinity", "fixed"}} | {
        "scores": [["p1", "alice", 0.9], [2, "bob", 0.8], ["p3", 7, 1.0]]
    }
    target = tmp_path / "assignment.json"
    assert main(["--input", str(_write(tmp_path, scored)), "--output", str(target)]) == 0
    written = json.loads(target.read_text())
    assert written["objective"] == pytest.approx(2.7)
    pairs = {tuple(pair) for pair in written["assignments"]}
    assert len(pairs) == 6 and ("p1", "bob") not in pairs
    assert {("p1", "alice"), (2, "bob"), ("p3", 7)} <= pairs
    capsys.readouterr()


def test_infeasible_exits_2_with_one_line_naming_the_poster(tmp_path, capsys):
    problem = PROBLEM | {"conflicts": [["p1", "bob"], ["p1", "alice"]]}
    target = tmp_path / "assignment.json"
    assert main(["--input", str(_write(tmp_path, problem)), "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "poster-review: Poster p1 has too few eligible reviewers: 1 of the 2 it needs.\n"
    )
    assert not target.exists()


def test_infeasible_capacity_shortfall(tmp_path, capsys):
    problem = PROBLEM | {"max_load": 1, "fixed": [], "conflicts": []}
    target = tmp_path / "assignment.json"
    assert main(["--input", str(_write(tmp_path, problem)), "--output", str(target)]) == 2
    assert capsys.readouterr().err == (
        "poster-review: The posters need 6 reviews but the reviewers' maximum loads allow only "
        "3: 3 short.\n"
    )


def test_infeasible_through_the_real_process_has_no_traceback(tmp_path):
    problem = PROBLEM | {"max_load": 1, "fixed": [], "conflicts": []}
    done = _run_module(
        "poster_review.assignment.match_command",
        "--input",
        str(_write(tmp_path, problem)),
        "--output",
        str(tmp_path / "out.json"),
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "3 short" in done.stderr


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("{", "not valid JSON (Expecting property name enclosed in double quotes at line 1, "
              "column 2)."),
        ([1, 2], "The problem must be a JSON object."),
        (PROBLEM | {"affinity": [[0.9, 0.1], [0.2, 0.8], [0.4, 0.4]]},
         'Row 0 of "affinity" must be a list of 3 numbers, one per reviewer.'),
        (PROBLEM | {"affinity": [[0.9, 0.1, 0.5]]},
         '"affinity" must be a list of 3 rows, one per poster.'),
        (PROBLEM | {"affinity": [[0.9, 0.1, 1.5], [0.2, 0.8, 0.3], [0.4, 0.4, 1]]},
         '"affinity" has 1.5 at row 0, column 2: values must lie between 0 and 1.'),
        (PROBLEM | {"affinity": [[0.9, 0.1, -0.5], [0.2, 0.8, 0.3], [0.4, 0.4, 1]]},
         '"affinity" has -0.5 at row 0, column 2: values must lie between 0 and 1.'),
        (PROBLEM | {"affinity": [[0.9, True, 0.5], [0.2, 0.8, 0.3], [0.4, 0.4, 1]]},
         '"affinity" must hold only numbers between 0 and 1.'),
        (PROBLEM | {"conflicts": [["p1", "carol"]]},
         'Entry 0 of "conflicts" names an unknown reviewer "carol".'),
        (PROBLEM | {"fixed": [["p9", "bob"]]}, 'Entry 0 of "fixed" names an unknown poster "p9".'),
        (PROBLEM | {"conflicts": [["p1"]]},
         'Entry 0 of "conflicts" must be a [poster_id, reviewer_id] pair.'),
        (PROBLEM | {"posters": ["p1", "p1", "p3"]}, '"posters" lists an id more than once.'),
        (PROBLEM | {"reviewers": ["alice", 1.5, 7]},
         '"reviewers" must hold integers or strings, not 1.5.'),
        (PROBLEM | {"conflict": []}, 'Unknown key "conflict" (see poster-review match --help).'),
        (PROBLEM | {"scores": []}, 'Give exactly one of "affinity" and "scores".'),
        ({k: v for k, v in PROBLEM.items() if k != "max_load"}, '"max_load" is missing.'),
        (PROBLEM | {"reviews_per_poster": -1},
         '"reviews_per_poster" must be an integer of at least 0.'),
        (PROBLEM | {"min_load": 3}, '"min_load" is larger than "max_load".'),
        ({k: v for k, v in PROBLEM.items() if k != "affinity"}
         | {"scores": [["p1", "alice", 0.5], ["p1", "alice", 0.7]]},
         'Entry 1 of "scores" scores a pair already scored.'),
        ({k: v for k, v in PROBLEM.items() if k != "affinity"}
         | {"scores": [["p1", "alice", 2]]},
         'Entry 0 of "scores" has the value 2, not between 0 and 1.'),
    ],
)  # fmt: skip
def test_malformed_input_is_one_sentence_and_exit_2(tmp_path, capsys, problem, message):
    source = _write(tmp_path, problem)
    target = tmp_path / "assignment.json"
    assert main(["--input", str(source), "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"poster-review: {source}: {message}\n"
    assert not target.exists()


def test_nan_is_refused(tmp_path, capsys):
    text = json.dumps(PROBLEM).replace("0.9", "NaN", 1)
    assert main(["--input", str(_write(tmp_path, text)), "--output", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.endswith(
        '"affinity" has NaN at row 0, column 0: values must lie between 0 and 1.\n'
    )


def test_missing_input_file(tmp_path, capsys):
    missing = tmp_path / "absent.json"
    assert main(["--input", str(missing), "--output", str(tmp_path / "o.json")]) == 2
    assert capsys.readouterr().err == (
        f"poster-review: Cannot read {missing}: No such file or directory.\n"
    )


def test_fairness_and_institution_cap_options(tmp_path, capsys):
    problem = {
        "reviews_per_poster": 1,
        "max_load": 1,
        "posters": ["a", "b"],
        "reviewers": ["x", "y"],
        "affinity": [[1.0, 0.5], [0.5, 0.1]],
        "fairness": True,
    }
    target = tmp_path / "assignment.json"
    assert main(["--input", str(_write(tmp_path, problem)), "--output", str(target)]) == 0
    assert json.loads(target.read_text())["assignments"] == [["a", "y"], ["b", "x"]]

    capped = {
        "reviews_per_poster": 2,
        "max_load": 1,
        "posters": ["p"],
        "reviewers": ["a", "b", "c"],
        "affinity": [[0.9, 0.8, 0.1]],
        "institutions": [["a", "Uni"], ["b", "Uni"]],
        "max_per_institution": 1,
    }
    assert main(["--input", str(_write(tmp_path, capped)), "--output", str(target)]) == 0
    assert json.loads(target.read_text())["assignments"] == [["p", "a"], ["p", "c"]]
    capsys.readouterr()
