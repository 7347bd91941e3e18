"""Back up and restore the database and every stored file, with a checksum manifest.

    python -m motcua backup /var/backups/motcua/2026-11-27
    python -m motcua restore /var/backups/motcua/2026-11-27

The database is dumped with its own tools, so the copy is consistent while the system runs:
PostgreSQL with `pg_dump --format=custom` (restored by `pg_restore`), SQLite with its online backup
API. Files are copied from the configured storage (the data folder or S3) afterwards: a file is
always stored before a row refers to it, so every file the dump refers to is in the backup (files
added during the backup are harmless extras). The audit checkpoints are the exception: they refer
to rows, so they are copied before the dump (from MOTCUA_AUDIT_CHECKPOINT_DIR too, when set).

manifest.json lists the dump and every file with its size and SHA-256, the row count of every
table and the latest migration of each app. `restore` checks every checksum before it writes
anything, refuses a database that already has tables, and compares the row counts afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .storage import AUDIT_CHECKPOINT_FOLDER, audit_checkpoint_storage

FORMAT = "motcua-backup/1"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A problem the operator must fix; the message says what (Vietnamese, then the detail)."""


@dataclass
class Report:
    files: int = 0
    bytes: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = ["--host", str(s.get("HOST") or "127.0.0.1"), "--port", str(s.get("PORT") or 5432),
            "--username", str(s.get("USER") or "postgres")]
    return env, args


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and ours)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # Table names come from the database's own catalogue, quoted.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def _storage_files(directory: str = "", storage=default_storage) -> list[str]:
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    found = [f"{directory}/{name}" if directory else name for name in files]
    for sub in dirs:
        found += _storage_files(f"{directory}/{sub}" if directory else sub, storage)
    return found


def _copy_out(storage, names: list[str], folder: Path, report: Report) -> list[dict]:
    entries = []
    for name in sorted(names):
        dest = folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as src, open(dest, "wb") as out:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entries.append({"path": name, "size": size, "sha256": digest.hexdigest()})
        report.files += 1
        report.bytes += size
    return entries


def _copy_in(storage, entries: list[dict], folder: Path, report: Report) -> None:
    for entry in entries:
        name = entry["path"]
        if storage.exists(name):
            with storage.open(name, "rb") as existing:
                digest = hashlib.sha256()
                for chunk in iter(lambda: existing.read(CHUNK), b""):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                raise BackupError(f"Tệp {name} đã có trong kho lưu trữ với nội dung khác; không ghi đè.")
            report.skipped += 1
            continue
        with open(folder / name, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Kho lưu trữ đổi tên tệp {name} thành {saved}.")
        report.files += 1
        report.bytes += entry["size"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy lệnh {name}: hãy cài gói postgresql-client cùng phiên bản máy chủ.")
    return path


def _dump_database(target: Path) -> str:
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        out = target / "database.dump"
        proc = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(out),
             connection.settings_dict["NAME"]],
            env=env, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise BackupError(f"Không sao lưu được cơ sở dữ liệu (pg_dump): {proc.stderr.strip()[-500:]}")
        return out.name
    if connection.vendor == "sqlite":
        out = target / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(out) as copy:
            connection.connection.backup(copy)
        return out.name
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")


def backup(target: Path) -> Report:
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"Thư mục {target} đã có dữ liệu; hãy chọn một thư mục mới (không ghi đè bản sao lưu cũ).")
    (target / "files").mkdir(parents=True, exist_ok=True)
    report = Report(tables=table_counts())
    migrations = _migrations()
    # The audit checkpoints refer to rows (every other file is referred to by one): copied before
    # the dump, so every row they seal is in it.
    checkpoint_storage = audit_checkpoint_storage()
    checkpoints = _copy_out(checkpoint_storage, _storage_files(AUDIT_CHECKPOINT_FOLDER, checkpoint_storage),
                            target / "checkpoints", report)
    dump_name = _dump_database(target)
    own_folder = bool(settings.MOTCUA_AUDIT_CHECKPOINT_DIR)
    names = [n for n in _storage_files() if own_folder or not n.startswith(f"{AUDIT_CHECKPOINT_FOLDER}/")]
    entries = _copy_out(default_storage, names, target / "files", report)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": dump_name, "size": (target / dump_name).stat().st_size,
                     "sha256": sha256_file(target / dump_name)},
        "tables": report.tables,
        "migrations": migrations,
        "files": entries,
        "checkpoints": checkpoints,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def read_manifest(source: Path) -> dict:
    path = Path(source) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {path}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} không phải bản sao lưu motcua ({FORMAT}).")
    return manifest


def verify(source: Path, manifest: dict) -> list[str]:
    """Every problem with the backup's files (missing, wrong size, wrong checksum)."""
    source = Path(source)
    problems = []
    db = manifest["database"]
    items = [(source / db["file"], db["size"], db["sha256"], db["file"])]
    items += [(source / "files" / e["path"], e["size"], e["sha256"], e["path"]) for e in manifest["files"]]
    items += [(source / "checkpoints" / e["path"], e["size"], e["sha256"], e["path"])
              for e in manifest.get("checkpoints", [])]
    for path, size, digest, label in items:
        if not path.is_file():
            problems.append(f"thiếu tệp {label}")
        elif path.stat().st_size != size or sha256_file(path) != digest:
            problems.append(f"tệp {label} đã bị thay đổi (sai mã kiểm tra)")
    return problems


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(path: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"Bản sao lưu là của {vendor}, cơ sở dữ liệu đích là {connection.vendor}.")
    if vendor == "postgresql":
        env, args = _pg_env_and_args()
        proc = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             "--dbname", connection.settings_dict["NAME"], str(path)],
            env=env, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise BackupError(f"Không phục hồi được cơ sở dữ liệu (pg_restore): {proc.stderr.strip()[-500:]}")
        return
    connection.ensure_connection()
    with sqlite3.connect(path) as dump:
        dump.backup(connection.connection)


def restore(source: Path) -> Report:
    source = Path(source)
    manifest = read_manifest(source)
    problems = verify(source, manifest)
    if problems:
        raise BackupError("Bản sao lưu không toàn vẹn, không phục hồi: " + "; ".join(problems[:20]))
    if not _database_is_empty():
        raise BackupError("Cơ sở dữ liệu đích đã có bảng. Hãy phục hồi vào một cơ sở dữ liệu trống.")
    _restore_database(source / manifest["database"]["file"], manifest["database"]["vendor"])
    connection.close()
    report = Report(tables=table_counts())
    differing = {t: (n, report.tables.get(t)) for t, n in manifest["tables"].items() if report.tables.get(t) != n}
    if differing:
        raise BackupError(f"Số dòng sau phục hồi khác bản sao lưu: {differing}")
    _copy_in(default_storage, manifest["files"], source / "files", report)
    _copy_in(audit_checkpoint_storage(), manifest.get("checkpoints", []), source / "checkpoints", report)
    return report


def describe(report: Report, started: dt.datetime) -> str:
    seconds = (timezone.now() - started).total_seconds()
    rows = sum(report.tables.values())
    return (f"{len(report.tables)} bảng, {rows} dòng; {report.files} tệp ({report.bytes / 1e6:.1f} MB)"
            + (f", {report.skipped} tệp đã có sẵn" if report.skipped else "") + f"; {seconds:.1f} giây.")

