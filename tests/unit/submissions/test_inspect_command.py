"""``poster-review inspect``: the JSON contract, exit statuses, no tracebacks."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.submissions import pdf_factory as make

REPO_ROOT = Path(__file__).resolve().parents[3]
MODULE = [sys.executable, "-m", "poster_review.submissions.inspect_command"]
CONTRACT_KEYS = {
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
    "warnings",
    "errors",
}


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, check=False
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def good(folder: Path) -> Path:
    return make.tagged_a0_poster(folder / "good.pdf")


@pytest.fixture(scope="module")
def locked(folder: Path) -> Path:
    source = make.make_poster(folder / "locked-src.pdf")
    return make.edit(source, make.encrypt_with("secret", "owner"), folder / "locked.pdf")


def test_json_contract_for_a_good_poster_with_thumbnail(good: Path, folder: Path) -> None:
    out = folder / "thumb.png"
    done = run(MODULE, str(good), "--json", "--thumbnail", str(out), "--width", "400")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data.keys() >= CONTRACT_KEYS
    assert data["ok"] is True
    assert data["error"] is None
    assert data["pages"] == 1
    assert (data["page_width_mm"], data["page_height_mm"]) == (841.0, 1189.0)
    assert (data["title"], data["author"], data["lang"], data["pdfa"]) == (
        "Learning to review posters",
        "Ada Lovelace",
        "en-GB",
        "2U",
    )
    assert (data["tagged"], data["encrypted"], data["javascript"]) == (True, False, False)
    assert (data["subject"], data["keywords"]) == ("Poster session 2025", "review, posters")
    assert data["creator"] == "anonymous"  # reportlab's default /Creator
    assert data["producer"].startswith("ReportLab PDF Library")
    assert data["fonts_not_embedded"] == []
    assert data["text_chars"] == make.text_chars(make.POSTER_TEXT)
    assert data["thumbnail"] == {"path": str(out), "width": 400, "height": 566}
    assert out.is_file()
    assert data["errors"] == []


def test_password_file_is_rejected_with_status_2(locked: Path) -> None:
    done = run(MODULE, str(locked), "--json")
    assert done.returncode == 2
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert data["error"] == "The file needs a password to open. Save it again without a password."
    assert data["encrypted"] is True
    assert data["text_chars"] is None
    assert [e["code"] for e in data["errors"]] == ["password_required"]
    assert "Traceback" not in done.stderr


def test_missing_file_prints_json_and_exits_2(folder: Path) -> None:
    done = run(MODULE, str(folder / "absent.pdf"), "--json")
    assert done.returncode == 2
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert data["error"] == "The file absent.pdf does not exist."
    assert data.keys() >= CONTRACT_KEYS
    assert done.stderr.strip() == "poster-review inspect: The file absent.pdf does not exist."


def test_human_report(good: Path) -> None:
    done = run(MODULE, str(good))
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == f"{good}: acceptable"
    assert "  pages: 1, page size: 841 × 1189 mm" in done.stdout
    assert "  language: en-GB, tagged: yes, PDF/A: 2U" in done.stdout


def test_options_limit_pages_and_warn_on_format(folder: Path) -> None:
    two = make.make_poster(folder / "two.pdf", pages=2)
    done = run(MODULE, str(two), "--json", "--max-pages", "1")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"] == "The file has 2 pages; at most 1 are accepted."
    a1 = make.make_poster(folder / "a1.pdf", size_mm=(594, 841))
    done = run(MODULE, str(a1), "--json", "--format", "841x1189", "--author", "Ada Lovelace")
    assert done.returncode == 0
    warnings = [w["code"] for w in json.loads(done.stdout)["warnings"]]
    assert "page_size_mismatch" in warnings
    assert "author_name_in_text" in warnings


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--thumbnail", "out.gif"], "--thumbnail must end in .png, .webp or .jpg."),
        (["--width", "300"], "--width needs --thumbnail OUT.png."),
        (["--format", "A0"], "--format 'A0' is not WIDTHxHEIGHT in mm."),
        (["--max-pages", "0"], "--max-pages must be 1 or more."),
    ],
)
def test_bad_options_give_one_sentence(good: Path, args: list[str], message: str) -> None:
    done = run(MODULE, str(good), *args)
    assert done.returncode == 2
    assert done.stderr.strip() == f"poster-review inspect: {message}"
    assert done.stdout == ""


@pytest.mark.skipif(
    importlib.util.find_spec("poster_review.cli") is None, reason="poster_review.cli not built"
)
def test_through_the_poster_review_command(good: Path, locked: Path) -> None:
    command = [sys.executable, "-m", "poster_review.cli", "inspect"]
    done = run(command, str(good), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tagged"] is True
    refused = run(command, str(locked), "--json")
    assert refused.returncode == 2
    assert json.loads(refused.stdout)["ok"] is False
    assert "Traceback" not in refused.stderr
