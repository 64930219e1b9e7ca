"""Exports: read every file back, formula injection neutralised, numbers kept numbers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from poster_review.ranking.export import (
    AwardEntry,
    Table,
    award_table,
    neutralise,
    ranking_document,
    ranking_table,
    to_csv,
    to_json,
    to_xlsx,
)
from poster_review.ranking.scoring import RankingParameters, Review, rank

HOSTILE = [
    '=HYPERLINK("http://example.org","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading return",
    "\uff1d1+1",
]

ENTRIES = [
    AwardEntry("Best poster", 1, 7, HOSTILE[0], "Ana Lima"),
    AwardEntry("Best poster", 2, "B-12", "Ordinary title", HOSTILE[3]),
    AwardEntry("Student prize", 1, 3, "Устойчивость -- 安定性", "=cmd|' /C calc'!A0"),
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", "", 3, -2.5, None, True])
def test_other_values_are_untouched(value):
    assert neutralise(value) == value


def test_csv_reads_back_with_formulas_neutralised():
    rows = list(csv.reader(io.StringIO(to_csv(award_table(ENTRIES)), newline="")))
    assert rows[0] == ["Award", "Place", "Poster", "Title", "Presenters"]
    assert rows[1] == ["Best poster", "1", "7", "'" + HOSTILE[0], "Ana Lima"]
    assert rows[2][4] == "'" + HOSTILE[3]
    assert rows[3] == ["Student prize", "1", "3", "Устойчивость -- 安定性", "'=cmd|' /C calc'!A0"]


def test_csv_keeps_negative_numbers_as_numbers_and_none_as_empty():
    table = Table(keys=("a", "b", "c"), headers=("A", "B", "C"), rows=((-1.5, None, "-1.5"),))
    rows = list(csv.reader(io.StringIO(to_csv(table), newline="")))
    assert rows[1] == ["-1.5", "", "'-1.5"]


def test_xlsx_reads_back_as_text_never_as_formulas():
    data = to_xlsx(award_table(ENTRIES), sheet_title="Awards: 2026/27")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Awards_ 2026_27"
    assert [c.value for c in sheet[1]] == ["Award", "Place", "Poster", "Title", "Presenters"]
    title = sheet.cell(row=2, column=4)
    assert title.value == HOSTILE[0]
    assert title.data_type == "s"
    assert title.quotePrefix
    assert sheet.cell(row=3, column=5).value == HOSTILE[3]
    assert sheet.cell(row=3, column=5).data_type == "s"
    assert sheet.cell(row=2, column=2).value == 1
    assert sheet.cell(row=2, column=2).data_type == "n"
    assert sheet.cell(row=4, column=4).value == "Устойчивость -- 安定性"
    assert not sheet.cell(row=4, column=4).quotePrefix
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_xlsx_replaces_characters_xml_cannot_hold():
    table = Table(keys=("t",), headers=("T",), rows=(("bell\x07 and nul\x00",),))
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet.cell(row=2, column=1).value == "bell\ufffd and nul\ufffd"


def test_json_keeps_text_exactly():
    data = json.loads(to_json(award_table(ENTRIES)))
    assert data[0] == {
        "award": "Best poster",
        "place": 1,
        "poster": 7,
        "title": HOSTILE[0],
        "presenters": "Ana Lima",
    }
    assert data[1]["poster"] == "B-12"
    assert len(data) == 3


def _ranking():
    reviews = [Review(p, r, float(50 + p + r)) for p in range(4) for r in range(3)]
    reviews.append(Review("=1+1", 0, 40.0))
    return rank(reviews, RankingParameters(n_bootstrap=50, top_n=2))


def test_ranking_exports_agree_with_the_ranking():
    ranking = _ranking()
    table = ranking_table(ranking, titles={3: "@evil", 0: "Fine"})
    assert table.keys[:3] == ("rank", "poster", "title")
    rows = list(csv.reader(io.StringIO(to_csv(table), newline="")))
    assert [row[1] for row in rows[1:]] == [str(p.poster) for p in ranking.posters[:-1]] + ["'=1+1"]
    assert rows[1][:3] == ["1", "3", "'@evil"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet.cell(row=2, column=4).value == pytest.approx(ranking.posters[0].score)
    assert sheet.cell(row=sheet.max_row, column=2).value == "=1+1"
    assert sheet.cell(row=sheet.max_row, column=2).data_type == "s"


def test_ranking_document_is_strict_json_with_the_contract_keys():
    ranking = _ranking()
    text = json.dumps(ranking_document(ranking), allow_nan=False)
    document = json.loads(text)
    assert document["method"] == "calibrated"
    first = document["posters"][0]
    assert {"poster", "rank", "score", "raw_mean", "n_reviews", "ci_low", "ci_high"} <= set(first)
    assert first["rank"] == 1
    lone = next(p for p in document["posters"] if p["poster"] == "=1+1")
    assert lone["sd"] is None  # one review: no standard deviation, and no NaN in JSON
    assert document["warnings"][0]["message"] == ("Posters with fewer than 3 reviews: =1+1.")
    assert document["parameters"]["n_bootstrap"] == 50
