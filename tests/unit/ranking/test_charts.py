"""SVG charts: well-formed, labelled for screen readers, escaped, and true to the data."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from translationstring import TranslationString

from poster_review.i18n import render
from poster_review.ranking.charts import (
    Chart,
    crosses,
    cutoff_chart,
    cutoff_score,
    leniency_chart,
    ranking_charts,
    score_distribution_chart,
)
from poster_review.ranking.scoring import (
    PosterResult,
    Ranking,
    RankingParameters,
    ReviewerResult,
    rank,
)
from tests.unit.ranking.simulate import clustered

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = [
    '<script>alert("x")</script>',
    'Tom & Jerry\'s "quoted" <b>bold</b>',
    "تحليل البيانات في المكتبات الأكاديمية",
    "图书馆数据分析与可视化",
    "control\x01char and a\nline break",
    "]]><!-- -->&amp;",
]


def poster(pid, rank_, score, low=None, high=None, raw=None):
    return PosterResult(
        poster=pid,
        rank=rank_,
        score=score,
        raw_mean=score if raw is None else raw,
        median=score,
        trimmed_mean=score,
        calibrated=score,
        n_reviews=3,
        sd=None,
        score_range=0.0,
        ci_low=low,
        ci_high=high,
        p_top_n=None,
        at_cutoff=False,
    )


def reviewer(rid, leniency, outlier=False):
    return ReviewerResult(
        reviewer=rid,
        n_reviews=5,
        leniency=leniency,
        residual_sd=None,
        disagreement=None,
        consensus_correlation=None,
        mean_robust_weight=1.0,
        outlier=outlier,
    )


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # noqa: S314 - our own output, parsed to check it


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def find(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if cls in classes(e)]


def row_titles(root: ET.Element, cls: str = "row") -> list[str]:
    return [g.findtext(SVG + "title") or "" for g in find(root, "g", cls)]


@pytest.fixture(scope="module")
def ranking() -> Ranking:
    reviews, _truth = clustered(3, posters=60, reviewers=20)
    return rank(reviews, RankingParameters(n_bootstrap=200, top_n=15))


@pytest.fixture(scope="module")
def charts(ranking) -> list[Chart]:
    titles = {p.poster: HOSTILE[i % len(HOSTILE)] for i, p in enumerate(ranking.posters)}
    numbers = {p.poster: int(p.poster) + 100 for p in ranking.posters}
    return ranking_charts(ranking, numbers=numbers, titles=titles)


def all_charts(charts) -> list[Chart]:
    empty = [
        score_distribution_chart([]),
        leniency_chart([]),
        cutoff_chart([], top_n=5),
    ]
    return charts + empty


# --- Every chart -----------------------------------------------------------------------


def test_every_chart_is_labelled_by_its_title_and_desc(charts):
    for chart in all_charts(charts):
        root = parse(chart)
        assert root.tag == SVG + "svg"
        assert root.get("role") == "img"
        ids = root.get("aria-labelledby", "").split()
        assert len(ids) == 2
        by_id = {e.get("id"): e for e in root.iter()}
        assert by_id[ids[0]].tag == SVG + "title"
        assert by_id[ids[0]].text == chart.title
        assert by_id[ids[1]].tag == SVG + "desc"
        assert by_id[ids[1]].text == chart.description
        assert chart.description


def test_no_style_no_handlers_no_scripts_no_external_references(charts):
    for chart in all_charts(charts):
        root = parse(chart)
        for element in root.iter():
            assert element.tag.removeprefix(SVG) not in {"script", "foreignObject", "image", "a"}
            for name, value in element.attrib.items():
                assert name != "style"
                assert not name.lower().startswith("on"), name
                assert "href" not in name
                if "url(" in value:
                    assert value.startswith("url(#"), value
        assert "style=" not in chart.svg


def test_ids_do_not_clash_between_the_charts_of_one_page(charts):
    ids = [e.get("id") for chart in charts for e in parse(chart).iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert len(ids) == 3 * 2 + 2  # title and desc each, and the two hatch patterns


def test_output_is_deterministic_whatever_the_input_order(ranking):
    posters = list(ranking.posters)[::-1]
    posters = posters[1::2] + posters[::2]
    reviewers = list(ranking.reviewers)[::-1]
    assert cutoff_chart(posters, top_n=15) == cutoff_chart(ranking.posters, top_n=15)
    assert leniency_chart(reviewers) == leniency_chart(ranking.reviewers)
    assert score_distribution_chart(posters) == score_distribution_chart(ranking.posters)


def test_every_message_is_a_translation_string_and_goes_through_translate(ranking):
    seen: list[object] = []

    def translate(message: str) -> str:
        seen.append(message)
        return "\u00ab" + render(message) + "\u00bb"

    made = ranking_charts(ranking, translate=translate)
    assert seen
    assert all(isinstance(m, TranslationString) and m.domain == "poster_review" for m in seen)
    for chart in made:
        assert chart.title.startswith("\u00ab")
        assert all(h.startswith("\u00ab") for h in chart.table[0])
        legend = [t.text for t in parse(chart).iter(SVG + "text")]
        assert any(text and text.startswith("\u00ab") for text in legend)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="bin width"):
        score_distribution_chart([], bin_width=7)
    with pytest.raises(ValueError, match="at least 1"):
        cutoff_chart([], top_n=0)
    with pytest.raises(ValueError, match="chart id"):
        leniency_chart([reviewer(1, 0.0)], chart_id='x" onload="alert(1)')


# --- Score distribution ----------------------------------------------------------------


def test_histogram_has_one_bar_per_filled_band_of_each_series():
    posters = [
        poster(1, 1, 100.0, raw=97.0),  # 100 belongs to the last band
        poster(2, 2, 71.0, raw=74.9),
        poster(3, 3, 70.0, raw=60.0),
        poster(4, 4, 12.5, raw=5.0),
    ]
    chart = score_distribution_chart(posters)
    root = parse(chart)
    calibrated = find(root, "rect", "calibrated")
    raw = find(root, "rect", "raw")
    assert [r.findtext(SVG + "title") for r in calibrated] == [
        "Calibrated score, 10\u201315: 1",
        "Calibrated score, 70\u201375: 2",
        "Calibrated score, 95\u2013100: 1",
    ]
    assert len(raw) == 4
    rows = {row[0]: row[1:] for row in chart.table[1:]}
    assert len(rows) == 20
    assert rows["70\u201375"] == ("2", "1")
    assert rows["95\u2013100"] == ("1", "1")
    assert rows["5\u201310"] == ("0", "1")
    assert sum(int(r[1]) for r in chart.table[1:]) == 4
    # the taller bar is the one with two posters
    heights = [float(r.get("height", 0)) for r in calibrated]
    assert heights[1] == pytest.approx(2 * heights[0])


def test_histogram_bins_of_ten_and_scores_outside_the_scale():
    posters = [poster(1, 1, 104.0, raw=99.0), poster(2, 2, -3.0, raw=0.0), poster(3, 3, 50.0)]
    chart = score_distribution_chart(posters, bin_width=10)
    assert len(chart.table) == 1 + 10
    assert chart.table[1] == ("0\u201310", "1", "1")
    assert chart.table[10] == ("90\u2013100", "1", "1")
    assert "counted in the first or last band" in chart.description
    assert len(find(parse(chart), "rect", "calibrated")) == 3


def test_histogram_leaves_out_scores_that_are_not_numbers():
    posters = [poster(1, 1, math.nan, raw=50.0), poster(2, 2, 60.0)]
    chart = score_distribution_chart(posters)
    assert len(find(parse(chart), "rect", "calibrated")) == 1
    assert len(find(parse(chart), "rect", "raw")) == 2
    assert sum(int(r[1]) for r in chart.table[1:]) == 1


# --- Reviewer leniency -----------------------------------------------------------------


def test_leniency_dots_are_sorted_and_outliers_are_diamonds():
    reviewers = [reviewer(3, 4.0), reviewer(1, -6.5, outlier=True), reviewer(2, 0.5)]
    reviewers.append(reviewer(4, math.nan))
    chart = leniency_chart(reviewers, names={1: "Ana", 2: "Bo", 3: "Chen"})
    root = parse(chart)
    circles = [e for e in root.iter(SVG + "circle") if "dot" in classes(e)]
    diamonds = [e for e in root.iter(SVG + "polygon") if "dot" in classes(e)]
    assert len(circles) == 2
    assert len(diamonds) == 1
    assert "outlier" in classes(diamonds[0])
    assert row_titles(root) == ["Ana: -6.5", "Bo: +0.5", "Chen: +4.0"]
    zero = find(root, "line", "zero")[0]
    xs = sorted(float(c.get("cx", 0)) for c in circles)
    assert xs[0] > float(zero.get("x1", 0))  # both circles are right of zero
    assert [row[0] for row in chart.table[1:]] == ["Ana", "Bo", "Chen", "Reviewer 4"]
    assert chart.table[1][-1] == "yes"
    assert chart.table[4][2] == "\u2014"
    assert "Ana" in chart.description


def test_leniency_intervals_are_drawn_when_given():
    reviewers = [reviewer(1, -2.0), reviewer(2, 3.0)]
    chart = leniency_chart(reviewers, intervals={1: (-4.0, 0.5), 2: (None, 5.0)})
    root = parse(chart)
    assert len(find(root, "line", "interval")) == 1
    assert chart.table[0][3] == "Interval"
    assert chart.table[1][3] == "-4.0\u20130.5"
    assert chart.table[2][3] == "\u2014"


def test_many_reviewers_are_drawn_without_row_labels():
    reviewers = [reviewer(i, (i - 50) / 5) for i in range(100)]
    root = parse(leniency_chart(reviewers))
    assert len([e for e in root.iter(SVG + "circle") if "dot" in classes(e)]) == 100
    labels = [t.text for t in root.iter(SVG + "text")]
    assert not any(text and text.startswith("Reviewer ") and text[-1].isdigit() for text in labels)


# --- Around the cut-off ----------------------------------------------------------------

SIX = [
    poster(1, 1, 90.0, 85.0, 95.0),
    poster(2, 2, 80.0, 76.0, 84.0),
    poster(3, 3, 70.0, 62.0, 75.0),  # crosses the cut-off at 65
    poster(4, 4, 60.0, 55.0, 66.0),  # crosses it from below
    poster(5, 5, 50.0, 45.0, 55.0),
    poster(6, 6, 40.0, None, None),  # no interval
]


def test_cutoff_score_lies_midway_between_the_nth_and_the_next():
    assert cutoff_score(SIX, 3) == 65.0
    assert cutoff_score(SIX, 6) is None
    assert crosses(SIX[2], 65.0)
    assert not crosses(SIX[0], 65.0)
    assert not crosses(SIX[5], 65.0)


def test_cutoff_marks_the_posters_whose_interval_crosses_it():
    chart = cutoff_chart(SIX, top_n=3, numbers={p.poster: p.poster * 10 for p in SIX})
    root = parse(chart)
    assert [t.split(":")[0] for t in row_titles(root, "crosses")] == ["#30", "#40"]
    assert len(find(root, "g", "row")) == 6
    assert len(find(root, "rect", "interval")) == 5
    assert len(find(root, "polygon", "point")) == 2  # diamonds for the marked ones
    assert len(find(root, "circle", "point")) == 4
    assert len(find(root, "line", "cutoff")) == 1
    assert len(find(root, "line", "top-n")) == 1
    marks = [t for t in root.iter(SVG + "text") if t.text == "\u2248"]
    assert len(marks) == 2
    table = {row[1]: row for row in chart.table[1:]}
    assert table["#30"][5:] == ("yes", "yes")
    assert table["#40"][5:] == ("no", "yes")
    assert table["#10"][5:] == ("yes", "no")
    assert table["#60"][4:] == ("\u2014", "no", "\u2014")
    assert "65.0" in chart.description
    assert "#30, #40" in chart.description


def test_cutoff_marks_agree_with_the_rankings_own_flags(ranking):
    chart = cutoff_chart(ranking.posters, top_n=ranking.parameters.top_n, around=100)
    flagged = {f"#{p.poster}" for p in ranking.posters if p.at_cutoff}
    assert flagged  # the data set has posters the bootstrap cannot place
    marked = {row[1] for row in chart.table[1:] if row[6] == "yes"}
    assert marked == flagged


def test_cutoff_window_holds_the_posters_either_side():
    posters = [poster(i, i, 100.0 - i, 99.6 - i, 100.4 - i) for i in range(1, 51)]
    chart = cutoff_chart(posters, top_n=20)
    assert [int(row[0]) for row in chart.table[1:]] == list(range(11, 31))
    near_top = cutoff_chart(posters, top_n=2, around=3)
    assert [int(row[0]) for row in near_top.table[1:]] == [1, 2, 3, 4, 5]
    assert row_titles(parse(chart), "crosses") == []
    assert "No interval crosses the cut-off" in chart.description


def test_cutoff_rows_keep_only_the_shown_posters_but_the_whole_rankings_cutoff():
    chart = cutoff_chart(SIX, top_n=3, shown={2, 4, 6})
    assert [row[1] for row in chart.table[1:]] == ["#2", "#4", "#6"]
    assert [row[5] for row in chart.table[1:]] == ["yes", "no", "no"]
    assert "65.0" in chart.description


def test_single_poster_has_no_cutoff():
    chart = cutoff_chart([poster(9, 1, 72.0, 70.0, 74.0)], top_n=1)
    root = parse(chart)
    assert len(find(root, "g", "row")) == 1
    assert find(root, "line", "cutoff") == []
    assert "there is no cut-off" in chart.description
    assert chart.table[1][4:] == ("70.0\u201374.0", "yes", "\u2014")
    histogram = score_distribution_chart([poster(9, 1, 72.0)])
    assert len(find(parse(histogram), "rect", "bar")) == 2


def test_missing_and_nan_intervals_are_drawn_as_points_only():
    posters = [
        poster(1, 1, 80.0, math.nan, 90.0),
        poster(2, 2, 70.0, None, None),
        poster(3, 3, math.nan, 60.0, 70.0),
    ]
    chart = cutoff_chart(posters, top_n=1)
    root = parse(chart)
    assert len(find(root, "rect", "interval")) == 1
    assert len(find(root, "circle", "point")) == 2
    assert [row[4] for row in chart.table[1:]] == ["\u2014", "\u2014", "60.0\u201370.0"]
    assert row_titles(root, "crosses") == []


def test_without_any_interval_the_description_says_so():
    posters = [poster(i, i, 90.0 - i) for i in range(1, 5)]
    chart = cutoff_chart(posters, top_n=2)
    assert "no intervals" in chart.description
    assert find(parse(chart), "rect", "interval") == []


# --- Text ------------------------------------------------------------------------------


def test_hostile_titles_are_escaped_and_kept_whole_in_the_table():
    posters = [poster(i, i, 90.0 - i, 80.0 - i, 100.0 - i) for i in range(1, len(HOSTILE) + 1)]
    titles = {p.poster: HOSTILE[i] for i, p in enumerate(posters)}
    chart = cutoff_chart(posters, top_n=2, titles=titles)
    root = parse(chart)
    assert "<script" not in chart.svg
    assert "<b>" not in chart.svg
    assert not [e for e in root.iter() if e.tag in {SVG + "script", SVG + "b"}]
    tips = row_titles(root)
    assert tips[0].startswith('#1 <script>alert("x")</script>: ')
    assert tips[1].startswith('#2 Tom & Jerry\'s "quoted" <b>bold</b>')
    assert "تحليل البيانات" in tips[2]
    assert "图书馆" in tips[3]
    assert "control\ufffdchar and a line break" in tips[4]
    assert tips[5].startswith("#6 ]]><!-- -->&amp;")
    assert [row[2] for row in chart.table[1:4]] == HOSTILE[:3]


def test_hostile_reviewer_names_are_escaped():
    chart = leniency_chart([reviewer(1, 1.0, outlier=True)], names={1: HOSTILE[0]})
    root = parse(chart)
    assert "<script" not in chart.svg
    assert row_titles(root) == ['<script>alert("x")</script>: +1.0']
    assert HOSTILE[0] in (root.findtext(SVG + "desc") or "")


def test_long_titles_are_shortened_in_the_chart_only():
    long_latin = "A study of " + "very " * 30 + "long titles"
    long_chinese = "图书馆" * 40
    posters = [poster(1, 1, 80.0), poster(2, 2, 70.0)]
    chart = cutoff_chart(posters, top_n=1, titles={1: long_latin, 2: long_chinese})
    shown = [t.text or "" for t in parse(chart).iter(SVG + "text")]
    latin = next(t for t in shown if t.startswith("A study of"))
    chinese = next(t for t in shown if t.startswith("图书馆"))
    assert latin.endswith("\u2026")
    assert len(latin) < 50
    assert chinese.endswith("\u2026")
    assert len(chinese) < 25  # wide characters take more room
    assert chart.table[1][2] == long_latin


# --- Empty input and the page's entry point ----------------------------------------------


def test_empty_input_renders_a_no_data_chart():
    for chart in (score_distribution_chart([]), leniency_chart([]), cutoff_chart([], top_n=3)):
        root = parse(chart)
        assert [t.text for t in root.iter(SVG + "text")] == ["No data yet."]
        assert len(chart.table) == 1
        assert chart.table[0]


def test_ranking_charts_draw_only_the_numbered_posters(ranking):
    kept = [p.poster for p in ranking.posters][::3]
    numbers = {pid: f"P{pid}" for pid in kept}
    scores, leniency, around = ranking_charts(ranking, numbers=numbers, top_n=10)
    assert sum(int(row[1]) for row in scores.table[1:]) == len(kept)
    assert len(leniency.table) == 1 + len(ranking.reviewers)
    assert {row[1] for row in around.table[1:]} <= {f"#P{pid}" for pid in kept}
    assert around.title == "Posters around the top 10 cut-off"
    expected = cutoff_score(ranking.posters, 10)
    assert expected is not None
    assert f"{expected:.1f}" in around.description
