"""`backup DIR` then `restore DIR` into an empty database (a separate process, as an operator would):
every table has the same rows, every file the same bytes; a tampered backup is refused."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests import clock
from tests.dossiers.conftest import PDF, T0, counter_dossier

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_database(tmp_path):
    """A DATABASE_URL of an empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
        return
    import psycopg

    s = connection.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = f"postgresql://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    yield url, name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _motcua(args: list[str], database_url: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    """The command on "another machine": its own data folder, hence its own embedded audit key
    unless the operator supplies one (MOTCUA_AUDIT_KEY in `extra`)."""
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_AUDIT_KEY"}
    env.update(DATABASE_URL=database_url, MOTCUA_DATA_DIR=str(tmp_path / "other-data"),
               MOTCUA_MEDIA_ROOT=str(tmp_path / "restored-media"), **clock.child_env(), **extra)
    # At the test's clock: verify_audit judges the checkpoints' age by it.
    program = clock.CHILD_PROLOGUE + "import sys\nfrom motcua.__main__ import main\nsys.argv[0] = 'motcua'\nmain()\n"
    return subprocess.run([sys.executable, "-c", program, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _query(database_url: str, sql: str) -> list[tuple]:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql).fetchall()


def _dossier_with_a_scan(people):
    from motcua.dossiers import actions

    dossier = counter_dossier(people, when=T0)
    actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="to-khai.pdf",
                     component=dossier.procedure_version.components.first(), at=T0)
    actions.handover(type(dossier).objects.get(pk=dossier.pk), actor=people.receptionist, at=T0)
    return type(dossier).objects.get(pk=dossier.pk)


def test_it_restores_every_row_and_file_into_an_empty_database(people, empty_database, tmp_path):
    from motcua.audit import checkpoints
    from motcua.core.backup import table_counts

    dossier = _dossier_with_a_scan(people)
    stored = dossier.files.get()
    checkpoint = checkpoints.write()
    target = tmp_path / "backup"
    call_command("backup", str(target))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert any(e["path"] == stored.storage_key and e["sha256"] == stored.sha256 for e in manifest["files"])
    # Backups keep the checkpoints, copied before the dump (they refer to rows).
    assert [e["path"] for e in manifest["checkpoints"]] == [checkpoints._name(checkpoint["n"])]
    live_counts = table_counts()
    assert manifest["tables"] == live_counts and live_counts["dossiers_event"] >= 2

    url, _name = empty_database
    done = _motcua(["restore", str(target)], url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Đã phục hồi" in done.stdout

    for table, rows in live_counts.items():
        assert _query(url, f'SELECT count(*) FROM "{table}"')[0][0] == rows, table  # noqa: S608
    assert _query(url, f"SELECT code, status, version FROM dossiers_dossier WHERE id = {int(dossier.pk)}") == [  # noqa: S608
        (dossier.code, dossier.status, dossier.version)
    ]
    restored_file = tmp_path / "restored-media" / stored.storage_key
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == stored.sha256

    # The audit verifies on the new machine with the key supplied apart from the backup, not without.
    from django.conf import settings

    assert _motcua(["verify_audit"], url, tmp_path).returncode == 1
    verified = _motcua(["verify_audit"], url, tmp_path, MOTCUA_AUDIT_KEY=settings.MOTCUA_AUDIT_KEY)
    assert verified.returncode == 0, verified.stdout[-2000:]
    assert "toàn vẹn" in verified.stdout and f"Điểm kiểm tra gần nhất: #{checkpoint['n']}" in verified.stdout

    # Restoring again into the now filled database is refused.
    again = _motcua(["restore", str(target)], url, tmp_path)
    assert again.returncode != 0 and "cơ sở dữ liệu trống" in again.stderr


def test_it_refuses_a_tampered_backup_and_writes_nothing(people, empty_database, tmp_path):
    dossier = _dossier_with_a_scan(people)
    target = tmp_path / "backup"
    call_command("backup", str(target))
    scan = target / "files" / dossier.files.get().storage_key
    scan.write_bytes(scan.read_bytes().replace(b"%%EOF", b"%%EOX"))

    url, _name = empty_database
    refused = _motcua(["restore", str(target)], url, tmp_path)
    assert refused.returncode != 0 and "bị thay đổi" in refused.stderr
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        assert not path.exists() or _query(url, "SELECT count(*) FROM sqlite_master WHERE type='table'")[0][0] == 0
    else:
        assert _query(url, "SELECT count(*) FROM information_schema.tables WHERE table_schema='public'")[0][0] == 0
    assert not (tmp_path / "restored-media").exists() or not any((tmp_path / "restored-media").rglob("*.pdf"))


def test_it_never_writes_into_a_used_folder(people, tmp_path):
    from django.core.management.base import CommandError

    used = tmp_path / "old-backup"
    used.mkdir()
    (used / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="thư mục mới"):
        call_command("backup", str(used))
    shutil.rmtree(used)
