"""``poster-review backup`` and ``poster-review restore``: the database and the uploaded
files in one archive (see poster_review.backup for the format and its guarantees)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

SUFFIXES = (".tar", ".tar.gz", ".tgz")


def add_parser(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup", help="write the database and the uploaded files to one archive"
    )
    backup.add_argument(
        "output", metavar="OUTPUT", help="the archive: NAME.tar, NAME.tar.gz, or - for stdout"
    )
    backup.add_argument(
        "--allow-missing-blobs",
        action="store_true",
        help="back up even when files that the database refers to are missing (listed)",
    )
    backup.add_argument("-v", "--verbose", action="store_true", help="report each table")
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser(
        "restore", help="restore an archive written by `backup` into an empty database"
    )
    restore.add_argument("archive", metavar="ARCHIVE", help="the .tar or .tar.gz file")
    restore.add_argument(
        "--force",
        action="store_true",
        help="delete everything in the database first when it is not empty",
    )
    restore.add_argument("-v", "--verbose", action="store_true", help="report each table")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from poster_review.backup import BackupError, backup_to_file, human_size, write_backup
    from poster_review.cli import UsageError
    from poster_review.commands.env import load_settings
    from poster_review.db import make_engine, utcnow
    from poster_review.i18n import _, render
    from poster_review.storage import blob_store

    to_stdout = args.output == "-"
    path = Path(args.output)
    if not to_stdout:
        if not path.name.endswith(SUFFIXES):
            raise UsageError(
                render(_("Name the archive NAME.tar or NAME.tar.gz (or - for stdout)."))
            )
        if not path.parent.is_dir():
            raise UsageError(
                render(_("The folder ${folder} does not exist.", {"folder": str(path.parent)}))
            )
    # With the archive on stdout, everything else goes to stderr.
    report = sys.stderr if to_stdout else sys.stdout

    def progress(message: str) -> None:
        if args.verbose:
            print(f"  {message}", file=sys.stderr, flush=True)

    settings = load_settings(args)
    engine = make_engine(settings.database_url)
    store = blob_store(settings.upload_dir)
    try:
        if to_stdout:
            manifest = write_backup(
                engine,
                store,
                sys.stdout.buffer,
                now=utcnow(),
                allow_missing_blobs=args.allow_missing_blobs,
                progress=progress,
            )
            sys.stdout.buffer.flush()
            where, size = "stdout", None
        else:
            manifest, size = backup_to_file(
                engine,
                store,
                path,
                now=utcnow(),
                allow_missing_blobs=args.allow_missing_blobs,
                progress=progress,
            )
            where = str(path)
    except BackupError as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    print(
        render(
            _(
                "Backed up ${tables} tables (${rows} rows) and ${blobs} files (${bytes}) "
                "at schema revision ${revision} to ${where}.",
                {
                    "tables": len(manifest.tables),
                    "rows": manifest.rows,
                    "blobs": len(manifest.blobs),
                    "bytes": human_size(manifest.blob_bytes),
                    "revision": manifest.alembic_revision,
                    "where": where,
                },
            )
        ),
        file=report,
    )
    if size is not None:
        print(render(_("Archive size: ${size}.", {"size": human_size(size)})), file=report)
    if manifest.missing_blobs:
        print(
            render(
                _(
                    "Warning: ${count} files that the database refers to were missing and "
                    "are not in the archive; the manifest lists them.",
                    {"count": len(manifest.missing_blobs)},
                )
            ),
            file=sys.stderr,
        )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    import datetime as dt
    from pathlib import Path

    from poster_review import migrate
    from poster_review.backup import BackupError, human_size, restore_backup
    from poster_review.cli import UsageError
    from poster_review.commands.env import ensure_sqlite_dir, load_settings
    from poster_review.db import make_engine
    from poster_review.i18n import _, render
    from poster_review.storage import blob_store

    archive = Path(args.archive)
    if args.archive == "-" or not archive.is_file():
        raise UsageError(
            render(
                _(
                    "Cannot find the archive ${archive}; restore reads a file (not stdin).",
                    {"archive": args.archive},
                )
            )
        )

    def progress(message: str) -> None:
        if args.verbose:
            print(f"  {message}", flush=True)

    settings = load_settings(args)
    ensure_sqlite_dir(settings)
    engine = make_engine(settings.database_url)
    try:
        summary = restore_backup(
            engine,
            blob_store(settings.upload_dir),
            archive,
            force=args.force,
            progress=progress,
        )
    except BackupError as exc:
        raise UsageError(str(exc)) from None
    finally:
        engine.dispose()
    manifest = summary.manifest
    print(
        render(
            _(
                "Restored ${tables} tables (${rows} rows) and ${blobs} files (${bytes}) "
                "from a backup made ${created_at} on ${dialect}.",
                {
                    "tables": len(manifest.tables),
                    "rows": manifest.rows,
                    "blobs": len(manifest.blobs),
                    "bytes": human_size(manifest.blob_bytes),
                    "created_at": manifest.created_at.astimezone(dt.UTC).strftime(
                        "%Y-%m-%d %H:%M UTC"
                    ),
                    "dialect": manifest.dialect,
                },
            )
        )
    )
    present = len(manifest.blobs) - summary.blobs_written
    if present:
        print(
            render(
                _(
                    "${count} of the files were already in the upload folder, intact.",
                    {"count": present},
                )
            )
        )
    if manifest.missing_blobs:
        print(
            render(
                _(
                    "Warning: ${count} files were already missing when the backup was made.",
                    {"count": len(manifest.missing_blobs)},
                )
            ),
            file=sys.stderr,
        )
    head = migrate.head_revision(settings.database_url)
    if manifest.alembic_revision != head:
        print(
            render(
                _(
                    "The schema is at revision ${revision}, as in the archive; run "
                    "`poster-review db upgrade` to bring it to ${head}.",
                    {"revision": manifest.alembic_revision, "head": head},
                )
            )
        )
    return 0
