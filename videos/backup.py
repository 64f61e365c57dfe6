"""Back up the whole site (database and kept media) into one folder, and restore it.

A backup is a folder `luma-studio-<UTC time>/` holding:

- `database.dump` (PostgreSQL: `pg_dump --format=custom`, one consistent snapshot taken while
  the site runs) or `database.sqlite3` (SQLite's online backup API, consistent too);
- `media/`: every file under MEDIA_ROOT, copied after the dump, so each file the dump names
  is there unless it was deleted in between (a file added meanwhile is simply extra);
- `manifest.json`: what it holds and how to check it: the format, the time, the database
  vendor and the dump's SHA-256, the migrations applied, row counts, and every media file
  with its size and SHA-256.

It is written under a `.partial` name and renamed when complete, so a backup cut short is
never mistaken for a good one. With media in S3 the bucket is not copied (the manifest says
so): back it up with the store's own means (versioning, replication, `aws s3 sync`).

A restore goes into a new, empty database and an empty media folder (never over a live
site), checks every checksum, and says whether `migrate` is needed for newer code.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from .models import Video

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Left behind by /readyz's storage check between its write and its delete; not the site's.
SKIPPED_MEDIA = ("health_check_storage_test",)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Restored:
    users: int
    videos: int
    media_files: int
    needs_migrate: bool


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"Backing up a {connection.vendor} database is not supported.")
    return connection.vendor


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment."""
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args, env


def _run(argv: list[str], env: dict[str, str], what: str):
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{argv[0]} is not installed (PostgreSQL's client tools).")
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(target: Path):
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args]
            + ["--file", str(target), connection.settings_dict["NAME"]],
            env,
            "pg_dump",
        )
        return
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _media_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in SKIPPED_MEDIA:
            yield relative


def _copy_media(source_root: Path, target_root: Path) -> list[dict]:
    files = []
    for relative in _media_files(source_root):
        target = target_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_root / relative, target)
        files.append(
            {
                "path": relative.as_posix(),
                "size": target.stat().st_size,
                "sha256": sha256_of(target),
            }
        )
    return files


def _migrations() -> dict[str, str]:
    """The latest migration applied per app (what the dump's schema is)."""
    latest = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name
    return latest


def create(output_root: Path | None = None) -> Path:
    """Write a complete backup folder under output_root (BACKUP_ROOT); return its path."""
    vendor = _vendor()
    output_root = Path(output_root or settings.BACKUP_ROOT)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = output_root / f"luma-studio-{stamp}"
    partial = output_root / f".luma-studio-{stamp}.partial"
    if final.exists():
        raise BackupError(f"{final} already exists; try again in a second.")
    partial.mkdir(parents=True)
    try:
        dump = partial / DUMPS[vendor]
        _dump_database(dump)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"vendor": vendor, "file": dump.name, "sha256": sha256_of(dump)},
            "migrations": _migrations(),
            "counts": {
                "users": get_user_model().objects.count(),
                "videos": Video.objects.count(),
            },
        }
        if isinstance(default_storage, FileSystemStorage):
            files = _copy_media(Path(settings.MEDIA_ROOT), partial / "media")
            manifest["media"] = {"storage": "folder", "files": files}
        else:
            manifest["media"] = {
                "storage": type(default_storage).__name__,
                "files": [],
                "note": "Media lives in an object store; back it up with the store's own means.",
            }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{folder} is not a Luma Studio backup (no readable {MANIFEST}).")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not one this code reads.")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(dump: Path, vendor: str):
    if vendor != connection.vendor:
        raise BackupError(
            f"This backup holds a {vendor} database; DATABASE_URL points at {connection.vendor}."
        )
    if not _database_is_empty():
        raise BackupError(
            "The database in DATABASE_URL already has tables. Restore into a new, empty "
            "database, then point the site at it."
        )
    if vendor == "postgresql":
        args, env = _pg_environment()
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args]
            + ["--dbname", connection.settings_dict["NAME"], str(dump)],
            env,
            "pg_restore",
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(folder: Path, manifest: dict) -> int:
    files = manifest["media"]["files"]
    if manifest["media"]["storage"] != "folder":
        return 0
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError("This backup's media is a folder, but the site now stores media in S3.")
    root = Path(settings.MEDIA_ROOT)
    if root.exists() and any(root.iterdir()):
        raise BackupError(f"MEDIA_ROOT ({root}) is not empty. Restore into an empty folder.")
    for entry in files:
        source = folder / "media" / entry["path"]
        target = root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if sha256_of(target) != entry["sha256"]:
            raise BackupError(f"media/{entry['path']} does not match its checksum in the backup.")
    return len(files)


def restore(folder: Path) -> Restored:
    """Restore a backup folder into the (empty) database and media folder of this site."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    dump = folder / manifest["database"]["file"]
    if not dump.exists() or sha256_of(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump.name} is missing or does not match its checksum.")
    _restore_database(dump, manifest["database"]["vendor"])
    media_files = _restore_media(folder, manifest)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return Restored(
        users=get_user_model().objects.count(),
        videos=Video.objects.count(),
        media_files=media_files,
        needs_migrate=bool(plan),
    )
