"""The ``poster-review`` command: exit statuses, one-sentence errors, database commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from poster_review.cli import main

REPO = Path(__file__).resolve().parents[2]


def _ini(tmp_path: Path) -> Path:
    ini = tmp_path / "test.ini"
    ini.write_text(
        "[app:main]\nuse = egg:poster_review\n"
        f"sqlalchemy.url = sqlite:///{tmp_path / 'cli.sqlite'}\n"
        "poster_review.argon2_time_cost = 1\nposter_review.argon2_memory_kib = 8\n"
        "poster_review.argon2_parallelism = 1\n"
        f"mail.transport = file:{tmp_path / 'mail'}\n"
    )
    return ini


def test_missing_settings_file_is_one_sentence_exit_2(tmp_path, capsys):
    status = main(["-c", str(tmp_path / "absent.ini"), "db", "current"])
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("poster-review: Cannot find the settings file")
    assert "Traceback" not in err and "\n" not in err


def test_db_upgrade_current_and_user_add(tmp_path, capsys):
    ini = str(_ini(tmp_path))
    assert main(["-c", ini, "db", "current"]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["-c", ini, "db", "upgrade"]) == 0
    assert main(["-c", ini, "db", "current"]) == 0
    assert "(up to date)" in capsys.readouterr().out
    assert (
        main(
            [
                "-c",
                ini,
                "user",
                "add",
                "Chair@Example.org",
                "--name",
                "Шолпан Ахметова",
                "--role",
                "admin",
                "--password",
                "a long passphrase",
            ]
        )
        == 0
    )
    assert "<chair@example.org>: admin" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "user",
                "add",
                "not-an-email",
                "--role",
                "admin",
                "--name",
                "X",
                "--password",
                "a long passphrase",
            ],
            "is not an e-mail address",
        ),
        (
            [
                "user",
                "add",
                "a@example.org",
                "--role",
                "chair",
                "--name",
                "X",
                "--password",
                "a long passphrase",
            ],
            "needs --conference SLUG",
        ),
        (
            [
                "user",
                "add",
                "a@example.org",
                "--role",
                "chair",
                "--conference",
                "nope",
                "--name",
                "X",
                "--password",
                "a long passphrase",
            ],
            "There is no conference 'nope'",
        ),
        (
            [
                "user",
                "add",
                "a@example.org",
                "--role",
                "admin",
                "--name",
                "X",
                "--password",
                "short",
            ],
            "Use at least 10 characters.",
        ),
    ],
)
def test_bad_input_exit_2(tmp_path, capsys, argv, message):
    ini = str(_ini(tmp_path))
    assert main(["-c", ini, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["-c", ini, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_console_script_starts_without_pyramid_or_sqlalchemy():
    code = (
        "import sys; from poster_review.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('pyramid', 'sqlalchemy', 'numpy', 'pypdf') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.strip()
    assert out == "[]"


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "poster_review.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    for command in ("db", "demo", "user", "serve", "send-mail"):
        assert command in out


def test_send_mail_delivers_the_outbox_as_eml_files(tmp_path, capsys):
    import datetime as dt

    from sqlalchemy import select

    from poster_review.db import get_session_factory, make_engine
    from poster_review.notifications.models import OutboxMessage, OutboxState

    ini = str(_ini(tmp_path))
    assert main(["-c", ini, "db", "upgrade"]) == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    now = dt.datetime.now(dt.UTC)
    with get_session_factory(engine).begin() as s:
        for i in range(3):
            s.add(
                OutboxMessage(
                    event="test",
                    to_email=f"p{i}@example.org",
                    to_name="Дана",
                    subject=f"Hello {i}",
                    body_text="Body",
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    capsys.readouterr()
    assert main(["-c", ini, "send-mail"]) == 0
    assert capsys.readouterr().out.strip() == "sent 3, failed 0"
    assert len(list((tmp_path / "mail").glob("outbox-*.eml"))) == 3
    with get_session_factory(engine)() as s:
        assert set(s.scalars(select(OutboxMessage.state))) == {OutboxState.sent}
    engine.dispose()


def test_sweep_command_reports_what_it_removed(tmp_path, capsys):
    ini = str(_ini(tmp_path))
    assert main(["-c", ini, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["-c", ini, "sweep", "--dry-run"]) == 0
    assert "would remove 0 files" in capsys.readouterr().out
    assert main(["-c", ini, "sweep", "--grace-hours", "-1"]) == 2
    assert "--grace-hours cannot be negative." in capsys.readouterr().err


def test_assign_command_on_the_demo(tmp_path, capsys):
    import sqlite3

    ini = str(_ini(tmp_path))
    assign = ["-c", ini, "assign", "--conference", "wlic-astana"]
    assert main(["-c", ini, "db", "upgrade"]) == 0
    assert main(["-c", ini, "demo", "--no-inspect"]) == 0
    capsys.readouterr()
    # The demo comes assigned (3 reviewers for each of its 34 submitted posters): the
    # proposal keeps those pairs and has nothing to add.
    assert main(assign) == 0
    out = capsys.readouterr().out
    assert "proposal 2: 102 pairs, total affinity" in out and "applied" not in out
    assert main([*assign, "--apply"]) == 0
    assert "applied: 0 new assignments" in capsys.readouterr().out
    # A poster that lost a reviewer (here one whose review was not started) gets one again.
    db = sqlite3.connect(tmp_path / "cli.sqlite")
    with db:
        db.execute(
            "DELETE FROM assignments WHERE id = (SELECT min(a.id) FROM assignments a "
            "LEFT JOIN reviews r ON r.assignment_id = a.id WHERE r.id IS NULL)"
        )
    db.close()
    assert main([*assign, "--apply"]) == 0
    assert "applied: 1 new assignments" in capsys.readouterr().out
    # Kept pairs are binding: fewer reviewers than a poster has is impossible, and a
    # fourth one exceeds what the reviewers' limits leave.
    assert main([*assign, "--k", "2"]) == 2
    assert "Poster 1 has more fixed reviewers (3) than it needs (2)." in capsys.readouterr().err
    assert main([*assign, "--k", "4"]) == 2
    err = capsys.readouterr().err
    assert "The posters need 34 reviews but the reviewers' maximum loads allow only" in err
    assert main([*assign, "--k", "40"]) == 2
    err = capsys.readouterr().err
    assert "fewer eligible reviewers than they need" in err and "Traceback" not in err
    assert main(["-c", ini, "assign", "--conference", "nope"]) == 2


def test_rank_command_on_the_database(tmp_path, capsys):
    import json
    import sqlite3

    ini = str(_ini(tmp_path))
    assert main(["-c", ini, "db", "upgrade"]) == 0
    assert main(["-c", ini, "demo", "--no-inspect"]) == 0  # assigned, mostly reviewed
    out = tmp_path / "ranking.json"
    capsys.readouterr()
    argv = ["-c", ini, "rank", "--conference", "wlic-astana", "--output", str(out)]
    assert main([*argv, "--bootstrap", "50"]) == 0
    assert "Ranked" in capsys.readouterr().out
    document = json.loads(out.read_text())
    db = sqlite3.connect(tmp_path / "cli.sqlite")
    submitted = db.execute(
        "SELECT count(*) FROM reviews r JOIN assignments a ON a.id = r.assignment_id "
        "WHERE r.state = 'submitted' AND r.total IS NOT NULL AND a.round = 'review'"
    ).fetchone()[0]
    numbers = {n for (n,) in db.execute("SELECT number FROM submissions")}
    assert submitted > 0
    assert document["method"] == "calibrated"
    assert sum(p["n_reviews"] for p in document["posters"]) == submitted
    assert {p["poster"] for p in document["posters"]} <= numbers
    assert [p["rank"] for p in document["posters"]] == sorted(
        p["rank"] for p in document["posters"]
    )
    assert main(["-c", ini, "rank", "--conference", "nope", "--output", str(out)]) == 2
    assert "There is no conference nope." in capsys.readouterr().err
