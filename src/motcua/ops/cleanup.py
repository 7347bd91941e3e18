"""Housekeeping: remove what is left behind and no longer used (the daily `core.cleanup` job and
`python -m motcua cleanup [--dry-run]`).

One function per kind; each removes in batches and returns how many it removed (with
`dry_run`, how many it would remove, removing nothing). Nothing in use is touched:

* abandoned drafts: not saved for MOTCUA_DRAFT_RETENTION_DAYS (180); with their files;
* verification codes, the messages that carried them, users' API tokens: MOTCUA_CODE_RETENTION_DAYS
  (7) after they expired;
* pending counter uploads (backoffice.uploads): once their signed token has expired, plus a day;
* background jobs done MOTCUA_JOB_RETENTION_DAYS (30) ago (failed ones and deduplicated ones stay);
* orphan files under drafts/ and dossiers/: stored, but no row refers to them (a process killed
  between storing and recording, a transaction rolled back after the file was stored), and older
  than a day, since every file is stored before its row and may belong to a transaction still open.

Rows are deleted in a transaction; their stored files go through the default storage (the data
folder or S3) only after it commits, so a rollback never leaves a row without its file. A file
that could not be deleted is found again by the orphan sweep. Idempotency keys (the API promises a
repeat never acts twice, without a time limit) and integration service tokens (audit) are kept.
Citizens are not notified when a draft is removed; the count is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import VerificationCode
from motcua.backoffice.uploads import PENDING_MAX_AGE
from motcua.dossiers.models import ApiToken, DossierFile
from motcua.jobs.models import Job
from motcua.notify.models import Message
from motcua.signing.models import SignedResult
from motcua.submissions.models import Draft, DraftFile
from motcua.submissions.services import draft_retention_days, forget_previews, preview_keys

log = logging.getLogger(__name__)

BATCH = 500
# Files are stored before the row that refers to them is committed: a younger file may be in use.
FILE_GRACE = dt.timedelta(days=1)
# A pending upload is useless once its token expired (read_pending refuses it); a day's margin.
PENDING_RETENTION = dt.timedelta(seconds=PENDING_MAX_AGE) + dt.timedelta(days=1)
ORPHAN_PREFIXES = ("drafts", "dossiers")
PREVIEWS = "drafts/previews/"


def code_retention_days() -> int:
    return max(int(settings.MOTCUA_CODE_RETENTION_DAYS), 0)


# --- stored files ---------------------------------------------------------------------------------


def _delete_stored(keys: list[str]) -> int:
    """Delete files from the default storage; a failure is logged, not raised (the orphan sweep
    finds the file again), so one bad file never stops the rest."""
    deleted = 0
    for key in keys:
        try:
            default_storage.delete(key)
            deleted += 1
        except Exception:
            log.warning("cleanup: could not delete stored file %s", key, exc_info=True)
    return deleted


def _walk(directory: str) -> Iterator[str]:
    """Every file key under `directory`, one folder at a time (drafts/2026/03/…)."""
    try:
        dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:  # local storage: nothing was ever stored there
        return
    for name in sorted(files):
        yield f"{directory}/{name}"
    for sub in sorted(dirs):
        yield from _walk(f"{directory}/{sub}")


def _chunks(keys: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for key in keys:
        chunk.append(key)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _referenced(keys: list[str]) -> set[str]:
    """The keys that some row refers to (any table that holds a storage key)."""
    found = set(DossierFile.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True))
    found |= set(DraftFile.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True))
    rest = [k for k in keys if k not in found]  # SignedResult's key is not indexed: only the few left
    if rest:
        found |= set(SignedResult.objects.filter(storage_key__in=rest).values_list("storage_key", flat=True))
    return found


def _older_than(key: str, cutoff: dt.datetime) -> bool:
    try:
        modified = default_storage.get_modified_time(key)
    except Exception:  # gone meanwhile, or the storage cannot tell: leave it
        return False
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified)
    return modified < cutoff


def _live_previews(keys: list[str]) -> set[str]:
    """The application previews (drafts/previews/<draft id>/…) of drafts that still exist: no
    row names them, yet they belong to their draft and go with it (forget_previews)."""
    owners = {k: k[len(PREVIEWS):].split("/", 1)[0] for k in keys if k.startswith(PREVIEWS)}
    if not owners:
        return set()
    ids = set()
    for owner in set(owners.values()):
        try:
            ids.add(uuid.UUID(owner))
        except ValueError:
            continue
    alive = {str(pk) for pk in Draft.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    return {k for k, owner in owners.items() if owner in alive}


def _sweep(directory: str, cutoff: dt.datetime, *, dry_run: bool, batch: int) -> int:
    removed = 0
    for chunk in _chunks(_walk(directory), batch):
        referenced = _referenced(chunk) | _live_previews(chunk)
        stale = [k for k in chunk if k not in referenced and _older_than(k, cutoff)]
        if dry_run:
            removed += len(stale)
            continue
        previews = [k for k in stale if k.startswith(PREVIEWS)]
        forget_previews(previews)  # with their page images, which show personal data
        removed += len(previews) + _delete_stored([k for k in stale if not k.startswith(PREVIEWS)])
    return removed


# --- one function per kind --------------------------------------------------------------------------


def remove_abandoned_drafts(*, now: dt.datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Drafts not saved for MOTCUA_DRAFT_RETENTION_DAYS, with their files (rows, then stored files
    after the commit); returns the number of drafts."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=draft_retention_days())
    stale = Draft.objects.filter(updated_at__lt=cutoff)
    if dry_run:
        return stale.count()
    drafts = files = 0
    while True:
        with transaction.atomic():
            # Locked and checked again: a draft saved meanwhile (or being saved) is left alone.
            ids = list(stale.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            keys = list(DraftFile.objects.filter(draft_id__in=ids).values_list("storage_key", flat=True))
            previews = [key for pk in ids for key in preview_keys(pk)]  # with their page images
            Draft.objects.filter(pk__in=ids).delete()
            transaction.on_commit(lambda keys=keys: _delete_stored(keys))
            transaction.on_commit(lambda previews=previews: forget_previews(previews))
        drafts += len(ids)
        files += len(keys)
    if drafts:
        log.info("cleanup: removed %d abandoned draft(s) with %d file(s), not saved since %s",
                 drafts, files, cutoff.date().isoformat())
    return drafts


def _remove_rows(queryset, *, dry_run: bool, batch: int) -> int:
    """Delete the rows of `queryset` (a filter that stays true: expired things stay expired)."""
    if dry_run:
        return queryset.count()
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return removed
            removed += queryset.filter(pk__in=ids).delete()[1].get(queryset.model._meta.label, 0)


def _code_cutoff(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=code_retention_days())


def remove_expired_codes(*, now: dt.datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Verification codes (accounts) that expired more than MOTCUA_CODE_RETENTION_DAYS ago."""
    stale = VerificationCode.objects.filter(expires_at__lt=_code_cutoff(now))
    return _remove_rows(stale, dry_run=dry_run, batch=batch)


def remove_expired_code_messages(*, now: dt.datetime | None = None, dry_run: bool = False,
                                 batch: int = BATCH) -> int:
    """The SMS / e-mails that carried a code (notify, sensitive, with expires_at), as long after
    expiry; never one a worker is sending right now. Other messages are the dossiers' record."""
    now = now or timezone.now()
    stale = Message.objects.filter(sensitive=True, expires_at__lt=_code_cutoff(now)).exclude(claimed_until__gt=now)
    return _remove_rows(stale, dry_run=dry_run, batch=batch)


def remove_expired_api_tokens(*, now: dt.datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Users' REST API bearer tokens (dossiers.ApiToken) as long after expiry; an expired token is
    refused either way. Integration service tokens are never removed (audit)."""
    stale = ApiToken.objects.filter(expires_at__lt=_code_cutoff(now))
    return _remove_rows(stale, dry_run=dry_run, batch=batch)


def remove_stale_pending_uploads(*, now: dt.datetime | None = None, dry_run: bool = False,
                                 batch: int = BATCH) -> int:
    """Counter scans kept under pending/ for a form shown again and never used, once their token
    can no longer be read; returns the number of files."""
    cutoff = (now or timezone.now()) - PENDING_RETENTION
    return _sweep("pending", cutoff, dry_run=dry_run, batch=batch)


def remove_orphan_files(*, now: dt.datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Files under drafts/ and dossiers/ that no row refers to, older than a day."""
    cutoff = (now or timezone.now()) - FILE_GRACE
    return sum(_sweep(prefix, cutoff, dry_run=dry_run, batch=batch) for prefix in ORPHAN_PREFIXES)


def remove_finished_jobs(*, now: dt.datetime | None = None, dry_run: bool = False, batch: int = BATCH) -> int:
    """Background jobs done more than MOTCUA_JOB_RETENTION_DAYS (30) ago: every event's messages and
    the periodic jobs (the reports' refresh runs 288 times a day) would otherwise pile up. Failed
    jobs stay for an admin to look at and retry; jobs with a dedupe key stay, since the key is what
    stops the same job being made twice."""
    days = max(int(settings.MOTCUA_JOB_RETENTION_DAYS), 1)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    stale = Job.objects.filter(state=Job.State.DONE, finished_at__lt=cutoff, dedupe_key__isnull=True)
    return _remove_rows(stale, dry_run=dry_run, batch=batch)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # Vietnamese, for the command's output
    remove: Callable[..., int]


KINDS: tuple[Kind, ...] = (
    Kind("drafts", "Hồ sơ nháp bỏ dở", remove_abandoned_drafts),
    Kind("codes", "Mã xác minh đã hết hạn", remove_expired_codes),
    Kind("code_messages", "Tin nhắn / thư gửi mã đã hết hạn", remove_expired_code_messages),
    Kind("api_tokens", "Mã truy cập API đã hết hạn", remove_expired_api_tokens),
    Kind("pending_uploads", "Tệp quét chờ tại quầy không dùng đến", remove_stale_pending_uploads),
    Kind("orphan_files", "Tệp không thuộc hồ sơ hay hồ sơ nháp nào", remove_orphan_files),
    Kind("jobs", "Tác vụ nền đã chạy xong", remove_finished_jobs),
)


def run_all(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Every kind in turn; {name: count}. One failing kind does not stop the others (it is logged
    and raised at the end, so the job is retried)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    failed: Exception | None = None
    for kind in KINDS:
        try:
            counts[kind.name] = kind.remove(now=now, dry_run=dry_run)
        except Exception as exc:
            log.exception("cleanup: %s failed", kind.name)
            failed = failed or exc
    if not dry_run and any(counts.values()):
        log.info("cleanup: %s", ", ".join(f"{name}={n}" for name, n in counts.items()))
    if failed is not None:
        raise failed
    return counts
