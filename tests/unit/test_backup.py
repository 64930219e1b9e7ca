"""``poster-review backup`` and ``restore``: one archive, restored row for row and byte
for byte into an empty instance (SQLite or PostgreSQL), and refused when damaged,
unsafe, too new, or aimed at a database that holds data."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, String, inspect, select, text
from sqlalchemy.engine import Engine

from poster_review import migrate
from poster_review.accounts.models import AuthToken, LoginFailure, Role, TokenPurpose, User
from poster_review.assignment.models import Bid, BidValue, Conflict, ConflictSource, ConflictStatus
from poster_review.awards.models import Decision, Outcome
from poster_review.backup import BLOB_COLUMNS, FORMAT, encode_value, write_backup
from poster_review.cli import main
from poster_review.db import Base, get_session_factory, make_engine
from poster_review.notifications.models import MailTemplate, OutboxMessage, OutboxState
from poster_review.reviews.services import review_for
from poster_review.settings import Settings, parse
from poster_review.storage import LocalBlobStore
from poster_review.submissions.models import PosterFile, SubmissionEvent
from tests.conftest import DB_ENV, require
from tests.factories import (
    add_role,
    make_assignment,
    make_conference,
    make_poster_file,
    make_submission,
    make_track,
    make_user,
)
from tests.pdfs import poster_pdf

T0 = dt.datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=dt.UTC)


@dataclass
class Instance:
    """A database and an upload folder, with an ini file that names both."""

    url: str
    ini: Path
    uploads: Path
    engine: Engine

    @property
    def store(self) -> LocalBlobStore:
        return LocalBlobStore(self.uploads)

    @property
    def settings(self) -> Settings:
        raw = {"sqlalchemy.url": self.url, "poster_review.upload_dir": str(self.uploads)}
        return parse(raw, environ={})


def _pg_base() -> str | None:
    base = os.environ.get(DB_ENV, "")
    return base or None


def _pg_reachable(base: str) -> bool:
    engine = make_engine(base)
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def make_instance(tmp_path: Path) -> Iterator[Callable[..., Instance]]:
    """``make_instance(name, dialect)``: a fresh, empty database (no tables) of
    ``dialect`` ("sqlite", "postgresql", or None for the suite's own)."""
    created: list[tuple[Engine, str | None]] = []

    def make(name: str, dialect: str | None = None) -> Instance:
        base = _pg_base()
        dialect = dialect or ("postgresql" if base else "sqlite")
        schema = None
        if dialect == "sqlite":
            url = f"sqlite:///{tmp_path / name}.sqlite"
        else:
            if base is None:
                pytest.skip(f"runs when the suite runs on PostgreSQL ({DB_ENV})")
            require(_pg_reachable(base), "PostgreSQL is not reachable")
            schema = f"pr_test_backup_{os.getpid()}_{len(created)}"
            admin = make_engine(base)
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            admin.dispose()
            joiner = "&" if "?" in base else "?"
            url = f"{base}{joiner}options=-csearch_path%3D{schema}"
        uploads = tmp_path / name / "uploads"
        ini = tmp_path / f"{name}.ini"
        ini.write_text(
            "[app:main]\nuse = egg:poster_review\n"
            # ConfigParser reads "%" as interpolation.
            f"sqlalchemy.url = {url.replace('%', '%%')}\n"
            f"poster_review.upload_dir = {uploads}\n"
            f"mail.transport = file:{tmp_path / name / 'mail'}\n"
        )
        engine = make_engine(url)
        created.append((engine, schema))
        return Instance(url, ini, uploads, engine)

    yield make
    for engine, schema in created:
        engine.dispose()
        if schema is not None:
            admin = make_engine(_pg_base() or "")
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


def populate(instance: Instance) -> dict[str, Any]:
    """Migrate and fill an instance with a bit of everything; commits."""
    migrate.upgrade(instance.engine)
    factory = get_session_factory(instance.engine)
    settings = instance.settings
    with factory.begin() as s:
        chair = make_user(s, name="Шолпан Ахметова", name_latin="Sholpan Akhmetova", is_admin=True)
        author = make_user(s, name="محمد الفارسي", locale="ar")
        reviewer = make_user(s, confirmed=False)
        conference = make_conference(s, phase="review", name="Конгресс ИФЛА 2025")
        make_track(s, conference)
        add_role(s, chair, conference, Role.chair)
        add_role(s, author, conference, Role.author)
        submission = make_submission(
            s, conference, authors=[author], state="submitted", declared_conflicts="x@y.org"
        )
        first = make_poster_file(s, settings, submission)
        second = make_poster_file(s, settings, submission, data=poster_pdf("Second revision"))
        assignment = make_assignment(
            s, conference=conference, reviewer=reviewer, submission=submission
        )
        review = review_for(s, assignment, T0)
        review.scores, review.texts = {"originality": 4, "clarity": 5}, {"comment": "Très bien ✓"}
        review.total = 86.66666666666667
        s.add(
            Decision(
                submission_id=submission.id,
                conference_id=conference.id,
                outcome=Outcome.accept,
                decided_at=T0,
                decided_by_id=chair.id,
            )
        )
        s.add(
            Bid(
                conference_id=conference.id,
                submission_id=submission.id,
                user_id=reviewer.id,
                value=BidValue.eager,
            )
        )
        s.add(
            Conflict(
                conference_id=conference.id,
                submission_id=submission.id,
                user_id=chair.id,
                kind="institution",
                source=ConflictSource.detected,
                status=ConflictStatus.suspected,
                evidence="Same library",
            )
        )
        s.add(
            SubmissionEvent(
                submission_id=submission.id,
                user_id=author.id,
                at=T0,
                action="file_uploaded",
                details={"sha256": first.sha256, "pages": 1, "nested": [1, 2.5, None]},
            )
        )
        for state in (OutboxState.queued, OutboxState.sent):
            s.add(
                OutboxMessage(
                    event="decision",
                    conference_id=conference.id,
                    recipient_id=author.id,
                    to_email=author.email,
                    to_name=author.name,
                    subject=f"Решение {state}",
                    body_text="Body\nwith lines",
                    state=state,
                    next_attempt_at=T0,
                    created_at=T0,
                    sent_at=T0 if state == OutboxState.sent else None,
                )
            )
        s.add(
            MailTemplate(
                conference_id=conference.id,
                event="decision",
                locale="fr",
                subject="Décision",
                body="Bonjour {{ recipient_name }}",
                updated_by_id=chair.id,
            )
        )
        s.add(
            AuthToken(
                purpose=TokenPurpose.invitation,
                token_hash="a" * 64,
                email="new@example.org",
                conference_id=conference.id,
                role="reviewer",
                expires_at=T0 + dt.timedelta(days=7),
            )
        )
        s.add(LoginFailure(email="nobody@example.org", ip="2001:db8::1", at=T0))
        s.flush()
        digests = {
            d
            for f in (first, second)
            for d in (f.sha256, f.thumb_small_sha256, f.thumb_large_sha256, f.blind_sha256)
            if d is not None
        }
    orphan = instance.store.put_bytes(b"an upload whose row never committed")
    return {"digests": digests, "orphan": orphan.sha256}


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read back from the database itself; instants as aware
    UTC (SQLite returns them naive) so that dialects compare."""

    def norm(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return value

    metadata = MetaData()
    with engine.connect() as conn:
        metadata.reflect(conn)
        return {
            t.name: [
                tuple(norm(v) for v in row)
                for row in conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in metadata.sorted_tables
        }


def assert_same_instance(source: Instance, target: Instance, digests: set[str]) -> None:
    before, after = dump(source.engine), dump(target.engine)
    assert list(after) == list(before)
    for name in before:
        assert after[name] == before[name], name
    assert sum(len(rows) for rows in after.values()) > 25
    assert {d for d, _mtime in target.store.iter_blobs()} == digests
    for digest in digests:
        assert (
            target.store.local_path(digest).read_bytes()
            == source.store.local_path(digest).read_bytes()
        )


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:*") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_every_sha256_column_is_known_as_a_blob_reference():
    found = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("sha256") and isinstance(column.type, String)
    }
    listed = {(table, column) for table, columns in BLOB_COLUMNS.items() for column in columns}
    # Fingerprints of data held in the row itself, not names of stored files.
    not_blobs = {("award_snapshots", "inputs_sha256"), ("award_snapshots", "result_sha256")}
    assert listed <= found
    assert found - not_blobs == listed, "a new *sha256 column: list it in BLOB_COLUMNS or here"


def test_values_are_encoded_portably():
    assert (
        encode_value(dt.datetime.fromisoformat("2025-01-02T03:04:05.000006"))
        == "2025-01-02T03:04:05.000006+00:00"
    )
    almaty = dt.timezone(dt.timedelta(hours=5))
    assert encode_value(dt.datetime(2025, 1, 2, 8, 0, tzinfo=almaty)) == "2025-01-02T03:00:00+00:00"
    assert encode_value(b"\x00\xff") == "AP8="
    assert encode_value(Role.chair) == "chair"
    assert encode_value({"a": [1, None]}) == {"a": [1, None]}
    with pytest.raises(TypeError):
        encode_value(object())


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz"])
def test_backup_then_restore_into_an_empty_instance_is_identical(make_instance, capsys, suffix):
    source, target = make_instance("source"), make_instance("target")
    facts = populate(source)
    archive = source.ini.parent / f"backup{suffix}"

    status, out, err = run(capsys, "-c", str(source.ini), "backup", str(archive))

    assert (status, err) == (0, "")
    assert f"and {len(facts['digests'])} files" in out
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    assert not list(archive.parent.glob(".*.partial"))
    assert (archive.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".tar.gz")
    manifest = manifest_of(archive)
    assert manifest["format"] == FORMAT and manifest["format_version"] == 1
    assert manifest["alembic_revision"] == migrate.current_revision(source.engine)
    assert manifest["dialect"] == source.engine.dialect.name
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert {
        name: len(rows) for name, rows in dump(source.engine).items() if name != "alembic_version"
    } == counts
    assert counts["poster_files"] == 2 and counts["outbox_messages"] == 2
    # Exactly the files the rows name: not the orphan upload.
    assert {b["sha256"] for b in manifest["blobs"]} == facts["digests"]
    assert facts["orphan"] not in {b["sha256"] for b in manifest["blobs"]}
    with tarfile.open(archive, "r:*") as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json"
    assert names.index("tables/users.jsonl") < names.index("tables/submissions.jsonl")

    status, out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert (status, err) == (0, "")
    assert f"({sum(counts.values())} rows) and {len(facts['digests'])} files" in out
    assert_same_instance(source, target, facts["digests"])
    # The ids continue after the restored ones (PostgreSQL sequences were reset).
    with get_session_factory(target.engine).begin() as s:
        newcomer = make_user(s)
        assert newcomer.id == max(row[0] for row in dump(source.engine)["users"]) + 1


def test_backup_is_one_snapshot_even_while_others_write(make_instance):
    source = make_instance("source")
    facts = populate(source)
    writer_engine = make_engine(source.url)
    writer = get_session_factory(writer_engine)
    late: dict[str, Any] = {}

    def write_meanwhile(message: str) -> None:
        if late:
            return
        # After the first table was read: a new person and a new revision commit.
        with writer.begin() as s:
            late["user"] = make_user(s, email="late@example.org").id
            blob = source.store.put_bytes(poster_pdf("Written during the backup"))
            poster = s.scalars(select(PosterFile)).first()
            assert poster is not None
            s.add(
                PosterFile(
                    submission_id=poster.submission_id,
                    sha256=blob.sha256,
                    size=blob.size,
                    original_filename="late.pdf",
                )
            )
            late["blob"] = blob.sha256

    out = io.BytesIO()
    try:
        manifest = write_backup(source.engine, source.store, out, now=T0, progress=write_meanwhile)
    finally:
        writer_engine.dispose()

    assert late  # the writer did commit during the backup
    rows = {t.name: t.rows for t in manifest.tables}
    assert rows["poster_files"] == 2
    assert late["blob"] not in {b.sha256 for b in manifest.blobs}
    assert {b.sha256 for b in manifest.blobs} == facts["digests"]
    out.seek(0)
    with tarfile.open(fileobj=out) as tar:
        users = tar.extractfile("tables/users.jsonl")
        assert users is not None
        emails = [json.loads(line)["email"] for line in users]
    assert len(emails) == rows["users"] and "late@example.org" not in emails


def test_backup_refuses_a_missing_file_and_leaves_no_partial_archive(make_instance, capsys):
    source = make_instance("source")
    facts = populate(source)
    lost = sorted(facts["digests"])[0]
    source.store.delete(lost)
    archive = source.ini.parent / "backup.tar"

    status, out, err = run(capsys, "-c", str(source.ini), "backup", str(archive))

    assert status == 2 and out == ""
    assert "1 stored files that the database refers to are missing" in err
    assert not archive.exists() and not list(archive.parent.glob(".*.partial"))

    status, _out, err = run(
        capsys, "-c", str(source.ini), "backup", str(archive), "--allow-missing-blobs"
    )
    assert status == 0 and "1 files that the database refers to were missing" in err
    assert manifest_of(archive)["missing_blobs"] == [lost]
    assert lost not in {b["sha256"] for b in manifest_of(archive)["blobs"]}


def test_backup_to_stdout_writes_a_tar(make_instance, capsysbinary):
    source = make_instance("source")
    populate(source)
    assert main(["-c", str(source.ini), "backup", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert b"Backed up" in err
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        assert tar.getnames()[0] == "manifest.json"


def test_backup_of_a_database_without_schema_is_refused(make_instance, capsys):
    empty = make_instance("empty")
    status, _out, err = run(capsys, "-c", str(empty.ini), "backup", str(empty.ini.parent / "b.tar"))
    assert status == 2 and "no schema yet" in err


@pytest.fixture
def archive_of(make_instance, capsys) -> tuple[Instance, Path, set[str]]:
    source = make_instance("source")
    facts = populate(source)
    archive = source.ini.parent / "backup.tar"
    assert main(["-c", str(source.ini), "backup", str(archive)]) == 0
    capsys.readouterr()
    return source, archive, facts["digests"]


def assert_untouched(target: Instance) -> None:
    assert inspect(target.engine).get_table_names() == []
    assert not target.uploads.exists() or list(target.store.iter_blobs()) == []


def _flip_byte(data: bytes, needle: bytes) -> bytes:
    at = data.index(needle)
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: _flip_byte(data, b"Person"), 'The archive is damaged: "tables/users.jsonl"'),
        (lambda data: data[: len(data) // 2], "The archive is"),  # truncated or incomplete
        (lambda data: data[:700], "The archive is"),  # cut inside the manifest
        (lambda data: b"not a tar file at all", "The archive is not a tar file"),
    ],
    ids=["flipped-byte", "truncated", "cut-in-manifest", "garbage"],
)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    archive_of, make_instance, capsys, damage, message
):
    _source, archive, _digests = archive_of
    archive.write_bytes(damage(archive.read_bytes()))
    target = make_instance("target")

    status, out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2 and out == ""
    assert err.startswith(f"poster-review: {message}") and "\n" not in err.strip()
    assert_untouched(target)


def test_a_truncated_gzip_archive_is_refused(make_instance, capsys):
    source = make_instance("source")
    populate(source)
    archive = source.ini.parent / "backup.tar.gz"
    assert main(["-c", str(source.ini), "backup", str(archive)]) == 0
    archive.write_bytes(archive.read_bytes()[:-2000])
    target = make_instance("target")
    capsys.readouterr()

    status, _out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2 and "The archive is" in err
    assert_untouched(target)


def test_restore_refuses_a_database_with_data_unless_forced(archive_of, make_instance, capsys):
    source, archive, digests = archive_of
    target = make_instance("target")
    migrate.upgrade(target.engine)
    with get_session_factory(target.engine).begin() as s:
        make_user(s, email="already@example.org")

    status, out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2 and out == ""
    assert "The database already holds data (in users)" in err and "--force" in err
    with target.engine.connect() as conn:
        assert conn.scalars(select(User.email)).all() == ["already@example.org"]
    assert list(target.store.iter_blobs()) == []

    status, out, err = run(capsys, "-c", str(target.ini), "restore", str(archive), "--force")

    assert (status, err) == (0, "")
    assert_same_instance(source, target, digests)


def _tar_with(archive: Path, extra: tarfile.TarInfo, data: bytes = b"") -> None:
    """Rewrite ``archive`` with one more member, right after the manifest."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, "w") as tar:
        for position, (member, content) in enumerate(members):
            tar.addfile(member, io.BytesIO(content))
            if position == 0:
                extra.size = len(data) if extra.isreg() else 0
                tar.addfile(extra, io.BytesIO(data) if extra.isreg() else None)


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tarfile.TarInfo("../evil"), 'unsafe name: "../evil"'),
        (tarfile.TarInfo("blobs/../../evil"), 'unsafe name: "blobs/../../evil"'),
        (tarfile.TarInfo("/srv/evil"), 'unsafe name: "/srv/evil"'),
        (tarfile.TarInfo("notes.txt"), 'unexpected member "notes.txt"'),
        (_link("blobs/" + "0" * 64, "/etc/passwd"), 'unexpected member "blobs/000'),
    ],
    ids=["parent", "nested-parent", "absolute", "unexpected", "link"],
)
def test_unsafe_or_unexpected_members_are_refused(
    archive_of, make_instance, capsys, member, message
):
    _source, archive, _digests = archive_of
    _tar_with(archive, member, b"pwned")
    target = make_instance("target")

    status, _out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2 and message in err
    assert_untouched(target)
    assert not (archive.parent.parent / "evil").exists()


def test_a_link_in_place_of_a_listed_file_is_refused(archive_of, make_instance, capsys):
    _source, archive, digests = archive_of
    listed = f"blobs/{sorted(digests)[0]}"
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, "w") as tar:
        for member, content in members:
            if member.name == listed:
                tar.addfile(_link(listed, "/etc/passwd"))
            else:
                tar.addfile(member, io.BytesIO(content))
    target = make_instance("target")

    status, _out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2 and f'"{listed}" is a link or a special file' in err
    assert_untouched(target)


def test_an_archive_from_a_newer_schema_is_refused(archive_of, make_instance, capsys):
    _source, archive, _digests = archive_of
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    manifest.update(alembic_revision="9999_from_the_future", app_version="9.0", tables=[], blobs=[])
    data = json.dumps(manifest).encode()
    info = tarfile.TarInfo("manifest.json")
    info.size = len(data)
    with tarfile.open(archive, "w") as tar:
        tar.addfile(info, io.BytesIO(data))
    target = make_instance("target")

    status, _out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert status == 2
    assert "comes from a newer version of poster-review (version 9.0, schema revision 9999" in err
    assert_untouched(target)


def test_restore_needs_a_file(make_instance, capsys):
    target = make_instance("target")
    status, _out, err = run(capsys, "-c", str(target.ini), "restore", "-")
    assert status == 2 and "restore reads a file" in err


def test_backup_names_its_format_by_suffix(make_instance, capsys):
    source = make_instance("source")
    status, _out, err = run(
        capsys, "-c", str(source.ini), "backup", str(source.ini.parent / "b.zip")
    )
    assert status == 2 and "NAME.tar or NAME.tar.gz" in err


@pytest.mark.parametrize(("from_", "to"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_restore_across_dialects(make_instance, capsys, from_, to):
    source, target = make_instance("source", from_), make_instance("target", to)
    facts = populate(source)
    archive = source.ini.parent / "backup.tar.gz"
    assert main(["-c", str(source.ini), "backup", str(archive)]) == 0

    status, _out, err = run(capsys, "-c", str(target.ini), "restore", str(archive))

    assert (status, err) == (0, "")
    assert manifest_of(archive)["dialect"] == from_
    assert_same_instance(source, target, facts["digests"])
    with get_session_factory(target.engine).begin() as s:
        assert make_user(s).id == max(row[0] for row in dump(source.engine)["users"]) + 1
