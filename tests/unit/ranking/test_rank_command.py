"""``poster-review rank``: the JSON contract, ids as written, one-sentence errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from poster_review.ranking import rank_command
from poster_review.ranking.rank_command import parse_id

CONTRACT_KEYS = {"poster", "rank", "score", "raw_mean", "n_reviews", "ci_low", "ci_high"}

REVIEWS = """poster,reviewer,score,confidence
1,ana,7,3
1,ben,8,4
2,ana,5,
2,ben,6,2
2,cy,4,5
007,cy,6,
P-9,ana,9,5
P-9,cy,9,1
"""


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """Messages name the file as given; relative names keep them short and exact."""
    monkeypatch.chdir(tmp_path)


def _write(tmp_path, text, name="reviews.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _run(tmp_path, text, *options):
    _write(tmp_path, text)
    status = rank_command.main(["--input", "reviews.csv", "--output", "ranking.json", *options])
    return status, tmp_path / "ranking.json"


def test_ranking_json_follows_the_contract(tmp_path, capsys):
    status, target = _run(tmp_path, REVIEWS, "--bootstrap", "200")
    assert status == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["method"] == "calibrated"
    posters = document["posters"]
    assert all(set(p) >= CONTRACT_KEYS for p in posters)
    assert [p["rank"] for p in posters] == [1, 2, 3, 4]
    assert [p["score"] for p in posters] == sorted((p["score"] for p in posters), reverse=True)
    by_id = {p["poster"]: p for p in posters}
    assert set(by_id) == {1, 2, "007", "P-9"}  # integers as numbers, other ids as written
    assert by_id[2]["n_reviews"] == 3
    assert by_id[2]["raw_mean"] == 5.0
    assert all(p["ci_low"] <= p["score"] <= p["ci_high"] for p in posters)
    assert {r["reviewer"] for r in document["reviewers"]} == {"ana", "ben", "cy"}
    captured = capsys.readouterr()
    assert "Ranked 4 posters from 8 reviews (calibrated)" in captured.out
    assert "warning: Posters with fewer than 3 reviews" in captured.err


@pytest.mark.parametrize("method", ["mean", "median"])
def test_plain_methods_rank_by_their_statistic(tmp_path, method):
    status, target = _run(tmp_path, REVIEWS, "--method", method, "--bootstrap", "0")
    assert status == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["method"] == method
    assert [p["poster"] for p in document["posters"]] == ["P-9", 1, "007", 2]
    if method == "mean":
        assert all(p["score"] == p["raw_mean"] for p in document["posters"])
    assert document["posters"][0]["ci_low"] is None  # no bootstrap asked for


def test_equal_scores_share_a_rank(tmp_path):
    text = "poster,reviewer,score\n10,a,5\n11,a,5\n12,a,6\n9,a,5\n"
    status, target = _run(tmp_path, text, "--method", "mean", "--bootstrap", "0")
    assert status == 0
    posters = json.loads(target.read_text(encoding="utf-8"))["posters"]
    assert [(p["poster"], p["rank"]) for p in posters] == [(12, 1), (9, 2), (10, 2), (11, 2)]


def test_same_input_gives_the_same_file(tmp_path):
    _status, target = _run(tmp_path, REVIEWS, "--seed", "5", "--bootstrap", "100")
    first = target.read_bytes()
    _status, target = _run(tmp_path, REVIEWS, "--seed", "5", "--bootstrap", "100")
    assert target.read_bytes() == first


def test_columns_in_any_order_with_a_bom_and_padding(tmp_path):
    text = "\ufeffScore , Reviewer,Poster,comment\n7,ana,1,fine\n8,ben,1,\n\n6,ana,2,,\n"
    status, target = _run(tmp_path, text, "--bootstrap", "0")
    assert status == 0
    posters = json.loads(target.read_text(encoding="utf-8"))["posters"]
    assert {p["poster"]: p["n_reviews"] for p in posters} == {1: 2, 2: 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Line 1 of reviews.csv: the file is empty"),
        ("\n\n", "Line 1 of reviews.csv: the file is empty"),
        ("poster,reviewer\n1,a\n", 'Line 1 of reviews.csv: the header lacks the column "score".'),
        (
            "poster,reviewer,score\n",
            "Line 2 of reviews.csv: there are no reviews after the header.",
        ),
        (
            "poster,reviewer,score\n1,a,7\n2,b,seven\n",
            'Line 3 of reviews.csv: the score "seven" is not a number.',
        ),
        ("poster,reviewer,score\n1,a,nan\n", 'Line 2 of reviews.csv: the score "nan" is not'),
        ("poster,reviewer,score\n1,a,1_000\n", 'Line 2 of reviews.csv: the score "1_000"'),
        ("poster,reviewer,score\n1,a\n", "Line 2 of reviews.csv: expected 3 fields, found 2."),
        ("poster,reviewer,score\n1,a,5,x\n", "Line 2 of reviews.csv: expected 3 fields, found 4."),
        ("poster,reviewer,score\n,a,5\n", "Line 2 of reviews.csv: the poster id is empty."),
        (
            "poster,reviewer,score,confidence\n1,a,5,9\n",
            'Line 2 of reviews.csv: the confidence "9" is not a number from 1 to 5.',
        ),
        (
            "poster,reviewer,score\n1,a,5\n2,a,5\n1,a,6\n",
            "Line 4 of reviews.csv: reviewer a already scored poster 1 on line 2.",
        ),
        (
            "poster,score,score,reviewer\n1,2,3,a\n",
            'Line 1 of reviews.csv: the column "score" appears twice.',
        ),
        (
            b"poster,reviewer,score\n1,a,5\n2,\xff,5\n",
            "Line 3 of reviews.csv: the text is not UTF-8.",
        ),
    ],
)
def test_malformed_csv_is_one_sentence_and_exit_2(tmp_path, capsys, text, message):
    status, target = _run(tmp_path, text)
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("poster-review: " + message)
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert not target.exists()


def test_missing_input_and_unwritable_output(tmp_path, capsys):
    status = rank_command.main(["--input", str(tmp_path / "absent.csv"), "--output", "x.json"])
    assert status == 2
    assert "Cannot read" in capsys.readouterr().err
    source = _write(tmp_path, REVIEWS)
    status = rank_command.main(
        ["--input", str(source), "--output", str(tmp_path / "no" / "dir" / "x.json")]
    )
    assert status == 2
    assert "Cannot write" in capsys.readouterr().err


def test_bad_option_values_are_one_sentence(tmp_path, capsys):
    status, _target = _run(tmp_path, REVIEWS, "--top-n", "0")
    assert status == 2
    assert capsys.readouterr().err == "poster-review: The top N cut-off must be at least 1.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7), ("-3", -3), ("0", 0), ("007", "007"), ("+7", "+7"), ("1_0", "1_0"), ("٣", "٣")],
)
def test_only_canonical_integers_become_numbers(text, expected):
    assert parse_id(text) == expected
    assert type(parse_id(text)) is type(expected)


def test_runs_as_a_module(tmp_path):
    source = _write(tmp_path, REVIEWS)
    target = tmp_path / "out.json"
    command = [sys.executable, "-m", "poster_review.ranking.rank_command"]
    done = subprocess.run(
        [*command, "--input", str(source), "--output", str(target), "--bootstrap", "50"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["posters"][0]["rank"] == 1
    bad = _write(tmp_path, "poster,reviewer\n", "bad.csv")
    done = subprocess.run(
        [*command, "--input", str(bad), "--output", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("poster-review: Line 1 of ")


def test_runs_as_a_subcommand_of_poster_review(tmp_path):
    pytest.importorskip("poster_review.cli", reason="poster_review.cli is not wired up yet")
    source = _write(tmp_path, REVIEWS)
    target = tmp_path / "out.json"
    command = [sys.executable, "-m", "poster_review.cli", "rank"]
    done = subprocess.run(
        [*command, "--input", str(source), "--output", str(target), "--method", "median"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["method"] == "median"
    _write(tmp_path, "poster,reviewer,score\n1,a,x\n", "bad.csv")
    done = subprocess.run(
        [*command, "--input", "bad.csv", "--output", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr == 'poster-review: Line 2 of bad.csv: the score "x" is not a number.\n'
