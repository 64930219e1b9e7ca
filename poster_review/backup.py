"""One-file backups of an instance: every table plus the uploaded files they refer to.

An archive is a tar (optionally gzipped) holding, in this order:

- ``manifest.json``: the format version, the app version, the Alembic revision, when
  and from which dialect it was made, per table its columns, row count, size and
  sha256, and per blob its sha256 and size;
- ``tables/<name>.jsonl``: one JSON object per row, tables in foreign-key order.
  Instants are ISO 8601 in UTC, bytes are base64, enumerations their values, JSON
  columns as they are, so an archive from SQLite restores into PostgreSQL and back
  (a JSON ``null`` and SQL NULL both read as None, and are restored as SQL NULL);
- ``blobs/<sha256>``: the uploaded files that the rows refer to.

Consistency: every table is read in one transaction (PostgreSQL: REPEATABLE READ, READ
ONLY; SQLite in WAL mode: one read transaction), so the archive is one snapshot. Blobs
are content-addressed and never change, so copying exactly the ones that snapshot names,
after its transaction has ended, gives what copying them inside it would.

A restore checks every checksum before it writes anything. Then, in one transaction, it
brings the schema to the archive's revision, inserts the rows, copies the blobs into the
store (each one verified) and commits. A failure leaves the database as it was; blobs
already copied are unreferenced, and ``poster-review sweep`` removes them.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import enum
import gzip
import hashlib
import io
import json
import logging
import os
import re
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    Uuid,
    false,
    func,
    literal,
    select,
)
from sqlalchemy.engine import Connection, Engine

from poster_review.i18n import _, render
from poster_review.storage import CHUNK, LocalBlobStore

log = logging.getLogger(__name__)

FORMAT = "poster-review-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"

#: Columns that hold the sha256 of a blob in the store, per table. A new column that
#: names a blob belongs here (a test fails for a ``*sha256`` column left unclassified).
BLOB_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "poster_files": ("sha256", "thumb_small_sha256", "thumb_large_sha256", "blind_sha256"),
}

_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_REVISION = re.compile(r"[A-Za-z0-9_]{1,64}")
#: The manifest is read into memory; about 100 bytes per blob leaves room for millions.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
_STREAM_ROWS = 1000
_INSERT_BATCH = 500
#: What a damaged or cut-off archive raises from tarfile, gzip and zlib.
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


class BackupError(Exception):
    """A backup or restore that cannot go on. Takes a translatable message (``_()``)
    and keeps its English text, one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(render(message))


class CorruptArchive(BackupError):
    """The archive is damaged, truncated, unsafe, or not one that this program wrote."""


Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True)
class TableEntry:
    name: str
    columns: tuple[str, ...]
    rows: int
    size: int
    sha256: str

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"


@dataclass(frozen=True)
class BlobEntry:
    sha256: str
    size: int

    @property
    def member(self) -> str:
        return f"blobs/{self.sha256}"


@dataclass(frozen=True)
class Manifest:
    app_version: str
    alembic_revision: str
    created_at: dt.datetime
    dialect: str
    tables: tuple[TableEntry, ...]
    blobs: tuple[BlobEntry, ...]
    #: Files the rows name that were not in the store when the backup was made.
    missing_blobs: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def blob_bytes(self) -> int:
        return sum(b.size for b in self.blobs)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": self.app_version,
            "alembic_revision": self.alembic_revision,
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(),
            "dialect": self.dialect,
            "tables": [
                {
                    "name": t.name,
                    "file": t.member,
                    "columns": list(t.columns),
                    "rows": t.rows,
                    "size": t.size,
                    "sha256": t.sha256,
                }
                for t in self.tables
            ],
            "blobs": [{"sha256": b.sha256, "size": b.size} for b in self.blobs],
            "missing_blobs": list(self.missing_blobs),
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n"


@dataclass(frozen=True)
class RestoreSummary:
    manifest: Manifest
    blobs_written: int
    bytes_written: int


def human_size(size: int) -> str:
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    if size < 1_000_000_000:
        return f"{size / 1e6:.1f} MB"
    return f"{size / 1e9:.2f} GB"


# --- Values ------------------------------------------------------------------------------


def encode_value(value: object) -> object:
    """A column value as JSON: instants as ISO 8601 UTC, bytes as base64, enumerations
    as their values. Raises TypeError for a type this format does not carry."""
    if isinstance(value, enum.Enum):
        return encode_value(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        # SQLite gives back naive values: the app stores every instant as naive UTC there.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return value  # a JSON column: JSON already
    raise TypeError(f"a backup cannot hold a {type(value).__name__}")


def _decoder(column_type: Any, dialect: str) -> Callable[[Any], Any] | None:
    """The inverse of encode_value for a column of the target database (None: as is)."""
    if isinstance(column_type, DateTime):
        naive = dialect == "sqlite" or not column_type.timezone

        def instant(value: str) -> dt.datetime:
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.UTC)
            parsed = parsed.astimezone(dt.UTC)
            return parsed.replace(tzinfo=None) if naive else parsed

        return instant
    if isinstance(column_type, Date):
        return dt.date.fromisoformat
    if isinstance(column_type, Time):
        return dt.time.fromisoformat
    if isinstance(column_type, LargeBinary):
        return base64.b64decode
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        return Decimal
    if isinstance(column_type, Uuid) and column_type.as_uuid:
        return uuid.UUID
    return None


# --- Backup ------------------------------------------------------------------------------


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("poster_review")
    except PackageNotFoundError:
        return "unknown"


def app_tables(connection: Connection) -> list[Table]:
    """Every table of the schema but Alembic's, read from the database, parents first."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


@dataclass(frozen=True)
class _Spooled:
    entry: TableEntry
    file: IO[bytes]


def _spool_table(
    connection: Connection, table: Table, spool_dir: Path | None, digests: set[str]
) -> _Spooled:
    """Stream one table into an anonymous temporary file as JSON lines."""
    order = list(table.primary_key.columns) or list(table.columns)
    query = select(table).order_by(*order).execution_options(yield_per=_STREAM_ROWS)
    blob_columns = BLOB_COLUMNS.get(table.name, ())
    spool = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115 - the caller closes it
    digest = hashlib.sha256()
    rows = size = 0
    try:
        for row in connection.execute(query).mappings():
            encoded = {key: encode_value(value) for key, value in row.items()}
            line = json.dumps(encoded, ensure_ascii=False, separators=(",", ":")).encode()
            line += b"\n"
            spool.write(line)
            digest.update(line)
            size += len(line)
            rows += 1
            digests.update(row[name] for name in blob_columns if row[name] is not None)
    except BaseException:
        spool.close()
        raise
    columns = tuple(c.name for c in table.columns)
    return _Spooled(TableEntry(table.name, columns, rows, size, digest.hexdigest()), spool)


def _read_snapshot(
    engine: Engine, spool_dir: Path | None, progress: Progress
) -> tuple[str, list[_Spooled], set[str]]:
    """Spool every table from one snapshot. Returns the schema revision, the spooled
    tables and the digests of the blobs that the rows name."""
    from alembic.runtime.migration import MigrationContext

    spooled: list[_Spooled] = []
    digests: set[str] = set()
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            # SQLite: make_engine emits BEGIN, and in WAL mode the first read fixes a
            # snapshot that writers committing meanwhile do not change.
            with connection.begin():
                revision = MigrationContext.configure(connection).get_current_revision()
                if revision is None:
                    raise BackupError(
                        _("The database has no schema yet: there is nothing to back up.")
                    )
                for table in app_tables(connection):
                    spooled.append(_spool_table(connection, table, spool_dir, digests))
                    rows = spooled[-1].entry.rows
                    progress(
                        render(_("${table}: ${rows} rows", {"table": table.name, "rows": rows}))
                    )
    except BaseException:
        for item in spooled:
            item.file.close()
        raise
    return revision, spooled, digests


class _HashingReader:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _tar_member(name: str, size: int, mtime: dt.datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime.timestamp())
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_backup(
    engine: Engine,
    store: LocalBlobStore,
    out: BinaryIO,
    *,
    now: dt.datetime,
    compress: bool = False,
    allow_missing_blobs: bool = False,
    spool_dir: Path | None = None,
    progress: Progress = _quiet,
) -> Manifest:
    """Write a backup archive to ``out``, front to back (a pipe will do).

    Raises BackupError when the database has no schema, or when a file that the rows
    name is missing from the store (unless ``allow_missing_blobs``) or damaged.
    """
    revision, spooled, digests = _read_snapshot(engine, spool_dir, progress)
    try:
        blobs: list[BlobEntry] = []
        missing: list[str] = []
        for digest in sorted(digests):
            try:
                blobs.append(BlobEntry(digest, store.local_path(digest).stat().st_size))
            except ValueError:
                raise BackupError(
                    _(
                        'The database names a stored file "${digest}", which is not a '
                        "SHA-256 digest.",
                        {"digest": digest[:80]},
                    )
                ) from None
            except FileNotFoundError:
                missing.append(digest)
        if missing and not allow_missing_blobs:
            raise BackupError(
                _(
                    "${count} stored files that the database refers to are missing from the "
                    "upload folder (the first is ${digest}); pass --allow-missing-blobs to "
                    "back up without them.",
                    {"count": len(missing), "digest": missing[0]},
                )
            )
        manifest = Manifest(
            app_version=app_version(),
            alembic_revision=revision,
            created_at=now,
            dialect=engine.dialect.name,
            tables=tuple(s.entry for s in spooled),
            blobs=tuple(blobs),
            missing_blobs=tuple(missing),
        )
        _write_tar(out, manifest, spooled, store, compress=compress)
    finally:
        for item in spooled:
            item.file.close()
    log.info(
        "backup written revision=%s tables=%d rows=%d blobs=%d missing=%d",
        revision,
        len(manifest.tables),
        manifest.rows,
        len(manifest.blobs),
        len(missing),
    )
    return manifest


def _write_tar(
    out: BinaryIO,
    manifest: Manifest,
    spooled: list[_Spooled],
    store: LocalBlobStore,
    *,
    compress: bool,
) -> None:
    mtime = manifest.created_at
    with contextlib.ExitStack() as stack:
        gz = gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6, mtime=0) if compress else None
        if gz is not None:
            stack.enter_context(gz)
        tar = stack.enter_context(
            tarfile.open(fileobj=gz or out, mode="w|", format=tarfile.PAX_FORMAT)
        )
        data = manifest.to_json()
        tar.addfile(_tar_member(MANIFEST, len(data), mtime), io.BytesIO(data))
        for item in spooled:
            item.file.seek(0)
            tar.addfile(_tar_member(item.entry.member, item.entry.size, mtime), item.file)
        for blob in manifest.blobs:
            with store.open(blob.sha256) as stream:
                reader = _HashingReader(stream)
                try:
                    tar.addfile(_tar_member(blob.member, blob.size, mtime), reader)
                except OSError as exc:  # shorter than when it was measured
                    raise BackupError(
                        _(
                            "The stored file ${digest} changed while it was copied (${error}).",
                            {"digest": blob.sha256, "error": str(exc)},
                        )
                    ) from None
            if reader.digest.hexdigest() != blob.sha256:
                raise BackupError(
                    _(
                        "The stored file ${digest} is damaged: its content does not match "
                        "its name.",
                        {"digest": blob.sha256},
                    )
                )


def backup_to_file(
    engine: Engine,
    store: LocalBlobStore,
    path: Path,
    *,
    now: dt.datetime,
    allow_missing_blobs: bool = False,
    progress: Progress = _quiet,
) -> tuple[Manifest, int]:
    """Write the archive to a temporary file beside ``path``, then rename it, so a crash
    never leaves a partial archive under the final name. Gzipped when ``path`` ends in
    ``.gz`` or ``.tgz``. Readable by its owner only: it holds password hashes.

    Returns the manifest and the size of the archive in bytes.
    """
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            manifest = write_backup(
                engine,
                store,
                out,
                now=now,
                compress=path.name.endswith((".gz", ".tgz")),
                allow_missing_blobs=allow_missing_blobs,
                spool_dir=directory,
                progress=progress,
            )
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)
    return manifest, size


# --- Reading an archive ------------------------------------------------------------------


def _check_member_name(name: str) -> None:
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or ".." in parts or "\\" in name or "\x00" in name:
        raise CorruptArchive(
            _('The archive holds a member with an unsafe name: "${name}".', {"name": name[:200]})
        )


def _invalid(what: str) -> CorruptArchive:
    return CorruptArchive(_("The archive's manifest is not valid (${what}).", {"what": what}))


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise _invalid(what)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and bool(_DIGEST.fullmatch(value))


def parse_manifest(data: bytes) -> Manifest:
    """Check and read ``manifest.json``. Raises CorruptArchive naming the problem."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _invalid("JSON") from None
    _expect(isinstance(raw, dict) and raw.get("format") == FORMAT, "format")
    version = raw.get("format_version")
    _expect(_count(version), "format_version")
    if version > FORMAT_VERSION:
        raise CorruptArchive(
            _(
                "The archive uses backup format ${version}, newer than this version of "
                "poster-review reads (${known}); upgrade poster-review first.",
                {"version": version, "known": FORMAT_VERSION},
            )
        )
    revision = raw.get("alembic_revision")
    _expect(isinstance(revision, str) and bool(_REVISION.fullmatch(revision)), "revision")
    try:
        created_at = dt.datetime.fromisoformat(str(raw.get("created_at")))
    except ValueError:
        raise _invalid("created_at") from None
    tables: list[TableEntry] = []
    _expect(isinstance(raw.get("tables"), list), "tables")
    for item in raw["tables"]:
        _expect(isinstance(item, dict), "tables")
        name, columns = item.get("name"), item.get("columns")
        _expect(isinstance(name, str) and bool(_TABLE_NAME.fullmatch(name)), "table name")
        _expect(
            isinstance(columns, list)
            and all(isinstance(c, str) and _COLUMN_NAME.fullmatch(c) for c in columns),
            "columns",
        )
        _expect(_count(item.get("rows")) and _count(item.get("size")), "rows")
        _expect(_is_digest(item.get("sha256")), "sha256")
        entry = TableEntry(name, tuple(columns), item["rows"], item["size"], item["sha256"])
        _expect(item.get("file") == entry.member, "file")
        tables.append(entry)
    _expect(len({t.name for t in tables}) == len(tables), "tables")
    blobs: list[BlobEntry] = []
    _expect(isinstance(raw.get("blobs"), list), "blobs")
    for item in raw["blobs"]:
        _expect(isinstance(item, dict) and _is_digest(item.get("sha256")), "blobs")
        _expect(_count(item.get("size")), "blobs")
        blobs.append(BlobEntry(item["sha256"], item["size"]))
    _expect(len({b.sha256 for b in blobs}) == len(blobs), "blobs")
    missing = raw.get("missing_blobs", [])
    _expect(isinstance(missing, list) and all(_is_digest(d) for d in missing), "missing_blobs")
    return Manifest(
        app_version=str(raw.get("app_version", "")),
        alembic_revision=revision,
        created_at=created_at,
        dialect=str(raw.get("dialect", "")),
        tables=tuple(tables),
        blobs=tuple(blobs),
        missing_blobs=tuple(missing),
    )


def _open_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    stream = tar.extractfile(member)
    if stream is None:  # only regular files are let through, and those have a stream
        raise CorruptArchive(
            _('The archive member "${name}" cannot be read.', {"name": member.name})
        )
    return stream


def _sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def verify_archive(tar: tarfile.TarFile) -> tuple[Manifest, dict[str, tarfile.TarInfo]]:
    """Read the whole archive once and check every member against the manifest.

    Returns the manifest and the members by name. Raises CorruptArchive for a missing,
    extra, duplicate, unsafe (absolute, ``..``, link, device) or damaged member.
    """
    members: dict[str, tarfile.TarInfo] = {}
    try:
        first = tar.next()
        if first is None:
            raise CorruptArchive(_("The archive is empty."))
        _check_member_name(first.name)
        if first.name != MANIFEST or not first.isreg() or first.size > MAX_MANIFEST_BYTES:
            raise CorruptArchive(_("The archive does not start with a manifest.json file."))
        manifest = parse_manifest(_open_member(tar, first).read())
        expected = {t.member: (t.size, t.sha256) for t in manifest.tables}
        expected.update({b.member: (b.size, b.sha256) for b in manifest.blobs})
        for member in iter(tar.next, None):
            name = member.name
            _check_member_name(name)
            if name not in expected:
                raise CorruptArchive(
                    _('The archive holds an unexpected member "${name}".', {"name": name[:200]})
                )
            if not member.isreg():
                raise CorruptArchive(
                    _(
                        'The archive member "${name}" is a link or a special file.',
                        {"name": name},
                    )
                )
            if name in members:
                raise CorruptArchive(_('The archive holds "${name}" twice.', {"name": name}))
            size, sha256 = expected[name]
            if member.size != size or _sha256_of(_open_member(tar, member)) != sha256:
                raise CorruptArchive(
                    _(
                        'The archive is damaged: "${name}" does not match its checksum.',
                        {"name": name},
                    )
                )
            members[name] = member
    except _READ_ERRORS as exc:
        raise CorruptArchive(
            _(
                "The archive is truncated or damaged (${error}).",
                {"error": " ".join(str(exc).split())[:200]},
            )
        ) from None
    absent = [name for name in expected if name not in members]
    if absent:
        raise CorruptArchive(
            _(
                'The archive is incomplete: ${count} members are missing, the first is "${name}".',
                {"count": len(absent), "name": absent[0]},
            )
        )
    return manifest, members


# --- Restore -----------------------------------------------------------------------------


def _known_revisions(url: str) -> list[str]:
    """The revisions of the shipped migrations, newest first."""
    from alembic.script import ScriptDirectory

    from poster_review import migrate

    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    return [s.revision for s in script.walk_revisions()]


def _migrate_to(connection: Connection, url: str, revision: str, known: list[str]) -> None:
    """Upgrade or downgrade the (empty) schema to ``revision``, in the open transaction."""
    from alembic.runtime.migration import MigrationContext

    from alembic import command
    from poster_review import migrate

    current = MigrationContext.configure(connection).get_current_revision()
    if current == revision:
        return
    if current is not None and current not in known:
        raise BackupError(
            _(
                "The database is at schema revision ${revision}, which this version of "
                "poster-review does not know.",
                {"revision": current},
            )
        )
    config = migrate.alembic_config(url)
    config.attributes["connection"] = connection
    if current is not None and known.index(current) < known.index(revision):
        command.downgrade(config, revision)  # the tables are empty: nothing is lost
    else:
        command.upgrade(config, revision)


def _iter_rows(stream: IO[bytes], name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        try:
            row = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            row = None
        if not isinstance(row, dict):
            raise CorruptArchive(
                _('Line ${line} of "${name}" is not a row.', {"line": number, "name": name})
            )
        yield row


def _insert_table(
    connection: Connection, table: Table, entry: TableEntry, stream: IO[bytes]
) -> None:
    dialect = connection.dialect.name
    decoders = {c.name: d for c in table.columns if (d := _decoder(c.type, dialect)) is not None}
    for column in table.columns:
        if isinstance(column.type, JSON):
            # None is SQL NULL: the app never stores a JSON 'null' on purpose.
            column.type.none_as_null = True
    columns = set(entry.columns)
    count = 0
    batch: list[dict[str, Any]] = []
    for row in _iter_rows(stream, entry.member):
        count += 1
        if set(row) != columns:
            raise CorruptArchive(
                _(
                    'Line ${line} of "${name}" does not have the columns the manifest lists.',
                    {"line": count, "name": entry.member},
                )
            )
        try:
            for name, decode in decoders.items():
                if row[name] is not None:
                    row[name] = decode(row[name])
        except (ValueError, TypeError):
            raise CorruptArchive(
                _(
                    'Line ${line} of "${name}" holds a value that cannot be read.',
                    {"line": count, "name": entry.member},
                )
            ) from None
        batch.append(row)
        if len(batch) >= _INSERT_BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    if count != entry.rows:
        raise CorruptArchive(
            _(
                '"${name}" holds ${count} rows, not the ${rows} that the manifest lists.',
                {"name": entry.member, "count": count, "rows": entry.rows},
            )
        )


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Rows came with their ids: make PostgreSQL hand out the ids after the largest."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            continue
        sequence = connection.scalar(
            select(func.pg_get_serial_sequence(preparer.format_table(table), pk[0].name))
        )
        if sequence is not None:
            next_id = select(func.coalesce(func.max(pk[0]), 0) + 1).scalar_subquery()
            connection.execute(select(func.setval(sequence, next_id, false())))


def _copy_blobs(
    tar: tarfile.TarFile,
    members: Mapping[str, tarfile.TarInfo],
    blobs: Iterable[BlobEntry],
    store: LocalBlobStore,
) -> tuple[int, int]:
    """Put each blob in the store, checking its digest; returns (files, bytes) written."""
    written = written_bytes = 0
    for blob in blobs:
        path = store.local_path(blob.sha256)
        if path.is_file():
            with path.open("rb") as present:
                if _sha256_of(present) == blob.sha256:
                    continue  # content-addressed: already there, intact
        stored = store.put(cast(BinaryIO, _open_member(tar, members[blob.member])))
        if stored.sha256 != blob.sha256:  # verified already; a disk error on the way
            raise CorruptArchive(
                _(
                    'The archive is damaged: "${name}" does not match its checksum.',
                    {"name": blob.member},
                )
            )
        written += 1
        written_bytes += stored.size
    return written, written_bytes


def restore_backup(
    engine: Engine,
    store: LocalBlobStore,
    archive: Path,
    *,
    force: bool = False,
    progress: Progress = _quiet,
) -> RestoreSummary:
    """Restore ``archive`` into the database of ``engine`` and into ``store``.

    Raises CorruptArchive, before anything is written, when the archive is damaged.
    Raises BackupError, writing nothing, when the archive comes from a newer schema
    than this program knows, or when the database holds rows and ``force`` is false
    (``force`` deletes them, in the same transaction as the restore).
    """
    url = engine.url.render_as_string(hide_password=False)
    try:
        tar = tarfile.open(archive, mode="r:*")  # noqa: SIM115 - closed below
    except _READ_ERRORS:
        raise CorruptArchive(
            _("The archive is not a tar file, or its beginning is damaged.")
        ) from None
    with tar:
        manifest, members = verify_archive(tar)
        progress(
            render(
                _(
                    "Archive verified: ${tables} tables, ${rows} rows, ${blobs} files, "
                    "schema revision ${revision}.",
                    {
                        "tables": len(manifest.tables),
                        "rows": manifest.rows,
                        "blobs": len(manifest.blobs),
                        "revision": manifest.alembic_revision,
                    },
                )
            )
        )
        known = _known_revisions(url)
        if manifest.alembic_revision not in known:
            raise BackupError(
                _(
                    "The archive comes from a newer version of poster-review (version "
                    "${version}, schema revision ${revision}); install that version or a "
                    "newer one to restore it.",
                    {"version": manifest.app_version, "revision": manifest.alembic_revision},
                )
            )
        with engine.connect() as connection:
            # SQLite: take the write lock at BEGIN, so the emptiness check stays true.
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                summary = _restore_in_transaction(
                    connection,
                    tar,
                    members,
                    manifest,
                    store,
                    url=url,
                    known=known,
                    force=force,
                    progress=progress,
                )
    log.info(
        "backup restored revision=%s rows=%d blobs=%d written=%d",
        manifest.alembic_revision,
        manifest.rows,
        len(manifest.blobs),
        summary.blobs_written,
    )
    return summary


def _restore_in_transaction(
    connection: Connection,
    tar: tarfile.TarFile,
    members: Mapping[str, tarfile.TarInfo],
    manifest: Manifest,
    store: LocalBlobStore,
    *,
    url: str,
    known: list[str],
    force: bool,
    progress: Progress,
) -> RestoreSummary:
    existing = app_tables(connection)
    occupied = [
        t.name
        for t in existing
        if connection.scalar(select(literal(1)).select_from(t).limit(1)) is not None
    ]
    if occupied and not force:
        raise BackupError(
            _(
                "The database already holds data (in ${tables}); restore into an empty "
                "database, or pass --force to delete everything in it first.",
                {"tables": ", ".join(occupied[:4])},
            )
        )
    for table in reversed(existing):  # children before parents
        connection.execute(table.delete())
    _migrate_to(connection, url, manifest.alembic_revision, known)
    tables = app_tables(connection)
    archived = {t.name: t for t in manifest.tables}
    differing = {t.name for t in tables} ^ set(archived)
    differing |= {
        t.name
        for t in tables
        if t.name in archived and set(archived[t.name].columns) != set(t.columns.keys())
    }
    if differing:
        raise BackupError(
            _(
                "The archive's tables do not match the schema at revision ${revision} (${tables}).",
                {"revision": manifest.alembic_revision, "tables": ", ".join(sorted(differing))},
            )
        )
    for table in tables:  # parents before children
        entry = archived[table.name]
        _insert_table(connection, table, entry, _open_member(tar, members[entry.member]))
        progress(render(_("${table}: ${rows} rows", {"table": table.name, "rows": entry.rows})))
    _reset_sequences(connection, tables)
    # The files go in before the commit that makes rows refer to them.
    written, written_bytes = _copy_blobs(tar, members, manifest.blobs, store)
    return RestoreSummary(manifest, written, written_bytes)
