"""Writing generated rows: events chained as the action layer chains them (motcua.audit.chain),
then COPY on PostgreSQL (psycopg 3) or multi-row inserts on SQLite, in batches, optionally from a
background thread while the next batch is simulated."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import JSONField

from motcua.audit.chain import GENESIS
from motcua.audit.chain import digest as chain_digest
from motcua.dossiers.models import Dossier, DossierSequence, Event, FormNumber, FormSeries
from motcua.dossiers.numbers import ISSUED_BY_EVENT, LEDGER, RECEIPT
from motcua.feedback.models import Rating

from .simulate import US

if TYPE_CHECKING:
    from . import Result

DOSSIER_FIELDS = list(Dossier._meta.concrete_fields)
EVENT_COLUMNS = [
    "dossier_id", "version", "kind", "actor_id", "at", "from_status", "to_status", "from_step_id", "to_step_id",
    "from_agency_id", "to_agency_id", "from_assignee_id", "to_assignee_id", "note", "data", "step_punctuality",
    "prev_hash", "hash",
]
_HASHED = EVENT_COLUMNS[1:16]  # what audit.chain hashes (EVENT_FIELDS), in our tuples' order


def sealed(code: str, events: list[tuple]) -> list[tuple]:
    """The dossier's events as rows, chained with the action layer's helper (motcua.audit.chain).

    The payload is what `chain.event_payload` builds (the data here is plain JSON already, so
    its JSON round trip is skipped; the tests compare both on generated rows)."""
    rows, prev = [], GENESIS
    for ev in events:
        payload = dict(zip(_HASHED, ev[1:16], strict=True))
        payload["dossier"] = code
        digest = chain_digest(payload, prev)
        rows.append((*ev[:14], json.dumps(ev[14], ensure_ascii=False), ev[15], prev, digest))
        prev = digest
    return rows




class Store:
    """Where the batches go, and the ids and code sequences they take."""

    def __init__(self, skip_fk_checks: bool = False):
        self.postgres = connection.vendor == "postgresql"
        # PostgreSQL superuser only: no per-row foreign-key triggers while copying (every id
        # written was read from the database in this run). A benchmark loader's option.
        self.skip_fk_checks = skip_fk_checks and self.postgres
        self._next: dict[str, int] = {}  # SQLite: table -> the next id not handed out yet

    def reserve_ids(self, n: int, model=Dossier) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [row[0] for row in cursor.fetchall()]
            # Under SQLite's write lock; the table name is the model's, not input. Ids handed out
            # for rows not written yet (a dossier waiting for its number) are not taken twice.
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            first = max(cursor.fetchone()[0] + 1, self._next.get(table, 0))
            self._next[table] = first + n
            return list(range(first, first + n))


    def sequences(self, agency_ids: set[int], first_day: dt.date) -> dict[tuple[int, dt.date], int]:
        return {
            (agency_id, day): last
            for agency_id, day, last in DossierSequence.objects.filter(
                agency_id__in=agency_ids, day__gte=first_day
            ).values_list("agency_id", "day", "last")
        }


    def save_sequences(self, sequences: dict[tuple[int, dt.date], int]) -> None:
        existing = {
            (row.agency_id, row.day): row
            for row in DossierSequence.objects.filter(agency_id__in={a for a, _ in sequences},
                                                      day__in={d for _, d in sequences})
        }
        new, changed = [], []
        for (agency_id, day), last in sequences.items():
            row = existing.get((agency_id, day))
            if row is None:
                new.append(DossierSequence(agency_id=agency_id, day=day, last=last))
            elif row.last < last:
                row.last = last
                changed.append(row)
        DossierSequence.objects.bulk_create(new, batch_size=1000)
        DossierSequence.objects.bulk_update(changed, ["last"], batch_size=1000)


    def form_series(self, agency_ids: set[int]) -> dict[tuple[int, str, int], int]:
        return {
            (agency_id, form, year): last
            for agency_id, form, year, last in FormSeries.objects.filter(
                agency_id__in=agency_ids, form__in=(RECEIPT, LEDGER)
            ).values_list("agency_id", "form", "year", "last")
        }

    def save_form_series(self, series: dict[tuple[int, str, int], int]) -> None:
        for (agency_id, form, year), last in series.items():
            FormSeries.objects.bulk_create([FormSeries(agency_id=agency_id, form=form, year=year, last=0)],
                                           ignore_conflicts=True)
            FormSeries.objects.filter(agency_id=agency_id, form=form, year=year, last__lt=last).update(last=last)

    def number_papers(self, first_id: int, last_id: int) -> None:
        """Number the papers the run's dossiers (ids first_id..last_id) hand out, as the action
        layer would have, in date order: forms 02-05 of the supplement requests, refusals,
        extensions and stops (`FormNumber` rows), each series per agency and local year continuing
        after the numbers already taken (`FormSeries`, locked). One INSERT … SELECT (a paper may
        come months after its dossier was submitted, so it is numbered once all are written)."""
        d_table, e_table = Dossier._meta.db_table, Event._meta.db_table
        n_table = FormNumber._meta.db_table
        year = ("CAST(EXTRACT(YEAR FROM {} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS integer)" if self.postgres
                else "CAST(strftime('%%Y', {}, '+7 hours') AS integer)")  # Vietnam: UTC+7, no summer time
        kinds = {kind: form for kind, (form, _who) in ISSUED_BY_EVENT.items()}
        form_case = "CASE e.kind " + " ".join(f"WHEN '{k}' THEN '{f}'" for k, f in kinds.items()) + " END"
        kind_list = ", ".join(f"'{k}'" for k in kinds)
        issuing = ("CASE WHEN e.kind = 'refused' THEN d.agency_id "
                   "ELSE COALESCE(e.from_agency_id, d.handling_agency_id) END")
        issued = (f'FROM "{e_table}" e JOIN "{d_table}" d ON d.id = e.dossier_id WHERE e.dossier_id '  # noqa: S608
                  f'BETWEEN %s AND %s AND e.kind IN ({kind_list}) AND NOT EXISTS (SELECT 1 FROM "{n_table}" n '
                  "WHERE n.event_id = e.id)")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {issuing}, {form_case}, {year.format('e.at')}, COUNT(*) {issued} "  # noqa: S608
                           "GROUP BY 1, 2, 3", [first_id, last_id])
            papers = cursor.fetchall()
            groups = {(a, f, y) for a, f, y, _n in papers}
            if not groups:
                return
            FormSeries.objects.bulk_create([FormSeries(agency_id=a, form=f, year=y, last=0) for a, f, y in groups],
                                           ignore_conflicts=True)
            base = {(r.agency_id, r.form, r.year): r.last for r in FormSeries.objects.select_for_update().filter(
                agency_id__in={a for a, _f, _y in groups}, form__in={f for _a, f, _y in groups},
                year__in={y for _a, _f, y in groups})}
            values = ", ".join(["(%s, %s, %s, %s)"] * len(papers))
            params = [v for a, f, y, _n in papers for v in (a, f, y, base[(a, f, y)])]
            cursor.execute(  # the table names are the models', the kinds ours
                f'INSERT INTO "{n_table}" (event_id, agency_id, form, year, number) '  # noqa: S608
                f"WITH bases(agency_id, form, year, base) AS (VALUES {values}), "
                f"src AS (SELECT e.id AS event_id, e.at AS at, {issuing} AS agency_id, {form_case} AS form, "
                f"{year.format('e.at')} AS year {issued}) "
                "SELECT s.event_id, s.agency_id, s.form, s.year, b.base + ROW_NUMBER() OVER "
                "(PARTITION BY s.agency_id, s.form, s.year ORDER BY s.at, s.event_id) "
                "FROM src s JOIN bases b ON b.agency_id = s.agency_id AND b.form = s.form AND b.year = s.year",
                params + [first_id, last_id])
            lasts = {(a, f, y): base[(a, f, y)] + n for a, f, y, n in papers}
            for (agency_id, form, year_), last in lasts.items():
                FormSeries.objects.filter(agency_id=agency_id, form=form, year=year_).update(last=last)

    def write_batch(self, batch: tuple, result: Result) -> None:
        dossiers, events, ratings, sequences, series = batch
        w0 = time.perf_counter()
        with transaction.atomic():
            self._write(dossiers, events, ratings)
            self.save_sequences(sequences)
            self.save_form_series(series)
        result.write_seconds += time.perf_counter() - w0  # with the commit (deferred FK checks)


    def _write(self, dossiers: list[dict], events: list[tuple], ratings: list[tuple]) -> None:
        dossier_columns = [f.column for f in DOSSIER_FIELDS]
        dossier_rows = [tuple(_db_value(f, d) for f in DOSSIER_FIELDS) for d in dossiers]
        rating_columns = ["id", "dossier_id", "agency_id", *[f"c{n}" for n in range(1, 10)], "score", "unsatisfied",
                          "comment", "recorded_by_id", "on_behalf", "created_at"]
        with transaction.atomic():
            if self.postgres and self.skip_fk_checks:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self._insert(Dossier._meta.db_table, dossier_columns, dossier_rows)
            self._insert(Event._meta.db_table, EVENT_COLUMNS, events)
            self._insert(Rating._meta.db_table, rating_columns, ratings)


    def _insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        quoted = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # SQLite: multi-row INSERTs under its variable limit (bulk, like bulk_create, without the signals).
            per = max(1, 999 // len(columns))
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for i in range(0, len(rows), per):
                chunk = rows[i:i + per]
                sql = f'INSERT INTO "{table}" ({quoted}) VALUES ' + ", ".join([one] * len(chunk))  # noqa: S608
                cursor.execute(sql, [_sqlite(v) for row in chunk for v in row])


class Writer:
    """One background thread writing batches in order; errors are raised in the caller."""

    def __init__(self, store: Store, result: Result):
        import queue
        import threading

        self.store, self.result = store, result
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="generate-dossiers-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        try:
            while True:
                batch = self.queue.get()
                if batch is None:
                    return
                if self.error is None:
                    self.store.write_batch(batch, self.result)
        except BaseException as exc:  # reported by finish()/put()
            self.error = exc
            while self.queue.get() is not None:  # drain so that put() never blocks
                pass
        finally:
            connection.close()

    def put(self, batch: tuple) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _db_value(model_field, d: dict) -> Any:
    name = model_field.attname
    if name in d:
        value = d[name]
    elif model_field.has_default():
        value = model_field.get_default()
    else:
        value = None
    if isinstance(model_field, JSONField):  # form_data, fee_inputs…
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() * US)  # Django stores durations as microseconds on SQLite
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value
