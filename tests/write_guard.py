"""The write guard: only an aggregate's action layer writes its tables (#15).

Every SQL statement the suite runs goes through `Guard` (a Django execute wrapper installed on
every connection, threads included). An INSERT, UPDATE or DELETE on a guarded table is allowed
when the innermost frame of the application is an allowed module (the action layer itself,
migrations, restore, housekeeping, the bulk generator…; a model's own save() counts as its
caller), or when no frame of the application is (a test setting up its data, or breaking it on
purpose with raw SQL). A helper the action layer calls that writes must be listed by name.
Anything else is a stray write: the test that made it fails at teardown, naming the table and the
line that wrote.

So the rule is checked on every path the suite walks, through both doors (pages and API), with
one allow-list, kept here.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

SRC = str(Path(__file__).resolve().parent.parent / "src" / "motcua") + "/"

# table -> modules (paths under src/motcua/) allowed to write it, and why.
DOSSIER_WRITERS = (
    "dossiers/actions.py",  # the action layer
    "ops/generator/write.py",  # the bulk generator (bench, make test-scale): COPY-like inserts
    "ops/cleanup.py",  # housekeeping: drafts older than the retention
    "core/backup.py",  # restore
)
# The catalogue: a procedure, its versions and every part of a version (#15 item 4).
CATALOG_WRITERS = (
    "catalog/actions.py",  # the action layer: drafts, their parts, publish, retire, import
    "eforms/actions.py",  # the e-form's own action layer (it takes the draft with catalog's lock_draft)
    "core/backup.py",  # restore
)
# What catalogue search reads besides the versions (#18): its own actions, and the version counter
# that every catalogue action bumps through catalog_version.bump_catalog_version.
SEARCH_WRITERS = ("catalog/search_actions.py", "core/backup.py")
GUARDED: dict[str, tuple[str, ...]] = {
    "catalog_synonym": SEARCH_WRITERS,
    "catalog_colloquialname": SEARCH_WRITERS,
    "catalog_catalogversion": ("catalog/catalog_version.py",),
    "catalog_zeroresultquery": ("catalog/zero_results.py", "core/backup.py"),
    "dossiers_dossier": DOSSIER_WRITERS,
    "dossiers_event": DOSSIER_WRITERS,
    # The signed result is stored by the signing receiver, inside the completion's transaction.
    "dossiers_dossierfile": (*DOSSIER_WRITERS, "signing/services.py"),
    **dict.fromkeys((
        "catalog_procedure", "catalog_procedureversion", "catalog_procedurecase", "catalog_workflowstep",
        "catalog_component", "catalog_formtemplate", "catalog_fee", "catalog_guide", "catalog_faq",
        "eforms_eform",
    ), CATALOG_WRITERS),
}
ALWAYS = ("/migrations/",)  # schema and data migrations write what they must

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class StrayWrite:
    table: str
    where: str  # file:line of the innermost application frame
    statement: str

    def __str__(self) -> str:
        return f"{self.table} written by {self.where}: {self.statement[:120]}"


def _check(table: str, sql: str) -> StrayWrite | None:
    """The innermost frame of the application (a model's own save() aside: whoever called it) is
    the writer, and must be allowed; a write with no application frame is test code."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(SRC) and not name.endswith("/models.py"):
            relative = name[len(SRC):]
            if relative in GUARDED[table] or any(part in name for part in ALWAYS):
                return None
            return StrayWrite(table, f"src/motcua/{relative}:{frame.f_lineno}", " ".join(sql.split()))
        frame = frame.f_back
    return None


class Guard:
    def __init__(self) -> None:
        self.found: list[StrayWrite] = []

    def __call__(self, execute, sql, params, many, context):
        match = _WRITE.match(sql) if isinstance(sql, str) else None
        if match and match.group(1).lower() in GUARDED:
            stray = _check(match.group(1).lower(), sql)
            if stray is not None:
                self.found.append(stray)
        return execute(sql, params, many, context)

    def take(self) -> list[StrayWrite]:
        found, self.found = self.found, []
        return found


GUARD = Guard()


def install() -> None:
    """On every connection, present and future (threads open their own)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    def add(sender, connection, **kwargs):
        if GUARD not in connection.execute_wrappers:
            connection.execute_wrappers.append(GUARD)

    connection_created.connect(add, weak=False, dispatch_uid="motcua_write_guard")
    for connection in connections.all(initialized_only=True):
        add(None, connection)
