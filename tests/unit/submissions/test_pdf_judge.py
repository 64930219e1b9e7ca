"""The pure half of the PDF inspection: judging facts, matching names, the JSON contract."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from poster_review.i18n import render
from poster_review.submissions import pdf
from poster_review.submissions.pdf import Limits, Report, judge, structure_problems


def good_facts(**changes: object) -> dict[str, object]:
    facts: dict[str, object] = {
        "stage": "done",
        "structure": True,
        "pdf_version": "1.7",
        "pages": 1,
        "page_sizes": [[841.0, 1189.0]],
        "title": "Learning to review posters",
        "author": "Ada Lovelace",
        "lang": "en-GB",
        "tagged": True,
        "pdfa": "2U",
        "encrypted": False,
        "javascript": False,
        "launch": False,
        "embedded_files": 0,
        "fonts_not_embedded": [],
        "text_chars": 1234,
        "names_found": [],
        "created": "2024-05-01T10:00:00",
    }
    facts.update(changes)
    return facts


def codes(issues: tuple[pdf.Issue, ...]) -> list[str]:
    return [issue.code for issue in issues]


def test_judge_good_poster_has_no_issue() -> None:
    report = judge(good_facts(), Limits(expected_page_mm=(841, 1189)), file_bytes=1000)
    assert report.ok
    assert report.errors == ()
    assert report.warnings == ()
    assert (report.pages, report.page_width_mm, report.page_height_mm) == (1, 841.0, 1189.0)
    assert report.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)  # naive taken as UTC


def test_judge_lists_each_warning_with_hints() -> None:
    facts = good_facts(
        title=None,
        lang=None,
        tagged=False,
        encrypted=True,
        javascript=True,
        embedded_files=2,
        fonts_not_embedded=["ArialMT", "Helvetica"],
        text_chars=0,
        names_found=["Ada Lovelace"],
    )
    report = judge(facts, Limits(), file_bytes=1000)
    assert report.ok  # warnings never block
    assert codes(report.warnings) == [
        "encrypted",
        "fonts_not_embedded",
        "not_tagged",
        "no_language",
        "no_title",
        "active_content",
        "embedded_files",
        "no_text",
        "author_name_in_text",
    ]
    fonts = report.warnings[1]
    assert render(fonts.message) == (
        "Some fonts are not embedded (ArialMT, Helvetica): the poster may look different "
        "on other computers and in print."
    )
    assert {hint.tool for hint in fonts.hints} == {
        "PowerPoint",
        "LaTeX",
        "Inkscape/Illustrator",
        "Canva",
    }
    assert render(report.warnings[-1].message).startswith(
        "The poster shows the name(s) Ada Lovelace, but reviewing is double-blind"
    )


def test_judge_unknown_text_count_is_not_a_picture_only_poster() -> None:
    report = judge(good_facts(text_chars=None), Limits(), file_bytes=1)
    assert report.text_chars is None
    assert "no_text" not in codes(report.warnings)


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("PowerPoint Presentation", "placeholder_title"),
        ("Microsoft PowerPoint - poster_v3.pptx", "placeholder_title"),
        ("main.tex", "placeholder_title"),
        ("Untitled-1", "placeholder_title"),
        ("Graph neural networks for bees", None),
    ],
)
def test_placeholder_titles_are_flagged(title: str, code: str | None) -> None:
    report = judge(good_facts(title=title), Limits(), file_bytes=1)
    assert [c for c in codes(report.warnings) if "title" in c] == ([code] if code else [])


def test_page_format_mismatch_names_both_sizes() -> None:
    limits = Limits(expected_page_mm=(841, 1189))
    report = judge(good_facts(page_sizes=[[594.0, 841.0]]), limits, file_bytes=1)
    assert codes(report.warnings) == ["page_size_mismatch"]
    assert render(report.warnings[0].message) == (
        "The page is 594 × 841 mm; the conference format is 841 × 1189 mm."
    )


def test_page_format_sideways_is_a_warning_unless_either_orientation() -> None:
    sideways = good_facts(page_sizes=[[1189.0, 841.0]])
    strict = judge(sideways, Limits(expected_page_mm=(841, 1189)), file_bytes=1)
    assert render(strict.warnings[0].message) == (
        "The page is 1189 × 841 mm: the conference format 841 × 1189 mm turned sideways."
    )
    relaxed = Limits(expected_page_mm=(841, 1189), either_orientation=True)
    assert judge(sideways, relaxed, file_bytes=1).warnings == ()


def test_page_format_tolerance_accepts_rounding_of_tools() -> None:
    beamer = good_facts(page_sizes=[[839.6, 1188.2]])  # beamerposter's "A0"
    assert judge(beamer, Limits(expected_page_mm=(841, 1189)), file_bytes=1).warnings == ()


def test_structure_problems_page_counts() -> None:
    limits = Limits(min_pages=1, max_pages=1)
    assert structure_problems(1, [(841, 1189)], limits) == []
    [none] = structure_problems(0, [], limits)
    assert (none.code, render(none.message)) == ("wrong_page_count", "The file has no pages.")
    [many] = structure_problems(3, [(841, 1189)] * 3, limits)
    assert render(many.message) == "The file has 3 pages; at most 1 are accepted."
    [few] = structure_problems(1, [(841, 1189)], Limits(min_pages=2, max_pages=4))
    assert render(few.message) == "The file has 1 pages; at least 2 are needed."


def test_structure_problems_page_sizes() -> None:
    [empty] = structure_problems(1, [(0.0, 0.0)], Limits())
    assert empty.code == "page_without_size"
    assert render(empty.message).startswith("Page 1 has no size")
    limits = Limits(min_page_mm=200, max_page_mm=2000)
    [small] = structure_problems(2, [(841, 1189), (100, 150)], limits)
    assert render(small.message) == (
        "Page 2 is 100 × 150 mm; the shortest accepted side is 200 mm."
    )
    [large] = structure_problems(1, [(841, 5000)], limits)
    assert large.code == "page_too_large"


def test_judge_refusal_keeps_known_facts_and_skips_warnings() -> None:
    refusal = pdf._refusal_for_kind(pdf.KIND_PASSWORD)
    report = judge({}, Limits(), file_bytes=10, refusal=refusal)
    assert not report.ok
    assert report.error == "The file needs a password to open. Save it again without a password."
    assert report.encrypted  # a password-protected file is encrypted, whatever else we know
    assert report.warnings == ()
    assert report.text_chars is None


@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGABRT, "reader_crashed"),
        (signal.SIGSEGV, "reader_crashed"),
        (signal.SIGXCPU, "too_slow"),
        (signal.SIGKILL, "too_slow"),
    ],
)
def test_signals_become_plain_reasons(signum: int, code: str) -> None:
    run = pdf._ChildRun(
        lines=({"stage": "structure", "pages": 1},), returncode=-signum, timed_out=False
    )
    issue = pdf._refusal_issue(pdf._collect(run), run, Limits())
    assert issue is not None
    assert issue.code == code


def test_child_that_finished_has_no_refusal() -> None:
    run = pdf._ChildRun(lines=({"stage": "done", "peak_kib": 1},), returncode=0, timed_out=False)
    assert pdf._refusal_issue(pdf._collect(run), run, Limits()) is None


def test_timeout_is_too_slow_with_the_limit_in_the_sentence() -> None:
    run = pdf._ChildRun(lines=(), returncode=-9, timed_out=True)
    issue = pdf._refusal_issue({}, run, Limits(wall_seconds=18, cpu_seconds=15))
    assert issue is not None
    assert render(issue.message).startswith("The file took too long to read (over 15 seconds).")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By JOSE GARCIA and others", ["José García"]),
        ("José\r\nGarcía, University of Nowhere", ["José García"]),
        ("Josée Garcíadottir", []),
        ("jean pierre dupont", ["Jean-Pierre Dupont"]),
        ("STRASSE", ["Straße"]),
        ("nothing here", []),
    ],
)
def test_find_names_ignores_case_accents_and_line_breaks(text: str, expected: list[str]) -> None:
    names = ["José García", "Jean-Pierre Dupont", "Straße", "   "]
    assert pdf.find_names(text, names) == expected


def test_report_as_dict_has_the_cli_contract_keys() -> None:
    report = judge(good_facts(), Limits(), file_bytes=1000)
    thumb = pdf.Thumbnail(path=Path("out.png"), width=400, height=566)
    data = pdf.report_as_dict(report, thumb)
    for key in (
        "ok",
        "error",
        "pages",
        "page_width_mm",
        "page_height_mm",
        "title",
        "author",
        "subject",
        "keywords",
        "creator",
        "producer",
        "lang",
        "tagged",
        "pdfa",
        "encrypted",
        "javascript",
        "embedded_files",
        "fonts_not_embedded",
        "text_chars",
        "thumbnail",
        "warnings",
        "errors",
    ):
        assert key in data
    assert data["ok"] is True
    assert data["error"] is None
    assert data["pdfa"] == "2U"
    assert data["thumbnail"] == {"path": "out.png", "width": 400, "height": 566}
    assert data["subject"] is None


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="min_pages"):
        Limits(min_pages=3, max_pages=2)
    with pytest.raises(ValueError, match="positive"):
        Limits(max_bytes=0)


def test_report_error_is_first_error() -> None:
    first = pdf.Issue("a", "first")
    report = Report(file_bytes=1, errors=(first, pdf.Issue("b", "second")))
    assert report.error == "first"
    assert not report.ok


def test_timeout_of_a_starved_child_is_busy_not_the_files_fault() -> None:
    # The wall clock ran out after the child got 2 s of CPU: the machine was busy.
    starved = pdf._ChildRun(lines=(), returncode=-9, timed_out=True, cpu_seconds=2.0)
    issue = pdf._refusal_issue({}, starved, Limits(wall_seconds=18, cpu_seconds=15))
    assert issue is not None and issue.code == pdf.BUSY
    assert "checked again in a few minutes" in render(issue.message)
    # A child that used its time reading the file is the file's fault.
    busy_child = pdf._ChildRun(lines=(), returncode=-9, timed_out=True, cpu_seconds=14.0)
    issue = pdf._refusal_issue({}, busy_child, Limits(wall_seconds=18, cpu_seconds=15))
    assert issue is not None and issue.code == "too_slow"


def test_cpu_seconds_of_a_running_process_are_read() -> None:
    import os

    used = pdf._cpu_seconds(os.getpid())
    assert used is None or used > 0
    assert pdf._cpu_seconds(2**22 + 12345) is None  # no such process
