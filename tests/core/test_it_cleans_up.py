"""Housekeeping (motcua.ops.cleanup): for each kind an old item goes and a fresh or used one stays;
stored files really leave the (local) storage, only after the commit; a dry run removes nothing."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from motcua.ops import cleanup
from tests.dossiers.conftest import T0, counter_dossier
from tests.submissions.conftest import BIRTH, PDF, PNG, eforms, upload_file, version_of  # noqa: F401

DAY = dt.timedelta(days=1)


def _draft_with_a_file(owner, name: str = "giay-chung-sinh.pdf"):
    from motcua.submissions import services

    version = version_of(BIRTH)
    draft = services.start_draft(owner, version)
    comp = version.components.get(name__startswith="Giấy chứng sinh")
    row = services.add_upload(draft, comp, upload_file(name, PDF), name)
    return draft, row.storage_key


def _age_draft(draft, days: int) -> None:
    type(draft).objects.filter(pk=draft.pk).update(updated_at=timezone.now() - days * DAY)


def _age_file(key: str, days: float) -> None:
    when = (timezone.now() - days * DAY).timestamp()
    os.utime(default_storage.path(key), (when, when))


def _orphan(prefix: str, days: float) -> str:
    key = default_storage.save(f"{prefix}/2026/03/orphan.pdf", ContentFile(PDF))
    _age_file(key, days)
    return key


@pytest.fixture
def drafts(people, eforms):  # noqa: F811
    """An abandoned draft (181 days) and one saved 10 days ago, each with a stored file."""
    old, old_key = _draft_with_a_file(people.citizen)
    recent, recent_key = _draft_with_a_file(people.citizen2)
    _age_draft(old, 181)
    _age_draft(recent, 10)
    for key in (old_key, recent_key):
        _age_file(key, 181)  # files as old as the first: only the draft's age counts
    return old, old_key, recent, recent_key


def test_it_removes_abandoned_drafts_with_their_files_and_keeps_recent_ones(drafts,
                                                                            django_capture_on_commit_callbacks):
    from motcua.submissions.models import Draft, DraftFile

    old, old_key, recent, recent_key = drafts
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup.remove_abandoned_drafts() == 1
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert not DraftFile.objects.filter(storage_key=old_key).exists()
    assert not default_storage.exists(old_key)
    assert Draft.objects.filter(pk=recent.pk).exists() and default_storage.exists(recent_key)
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup.remove_abandoned_drafts() == 0


def test_it_follows_the_draft_retention_setting(drafts, settings, django_capture_on_commit_callbacks):
    from motcua.submissions.models import Draft

    settings.MOTCUA_DRAFT_RETENTION_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup.remove_abandoned_drafts() == 2
    assert not Draft.objects.exists()


def test_it_keeps_the_files_when_the_deletion_rolls_back(drafts, django_capture_on_commit_callbacks):
    from motcua.submissions.models import Draft, DraftFile

    old, old_key, _recent, _key = drafts
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        assert cleanup.remove_abandoned_drafts() == 1
        raise RuntimeError("rollback")
    assert not callbacks
    assert Draft.objects.filter(pk=old.pk).exists() and DraftFile.objects.filter(storage_key=old_key).exists()
    assert default_storage.exists(old_key)


def _code(user, expires_at, token: str):
    from motcua.accounts.models import VerificationCode

    return VerificationCode.objects.create(
        token=token, user=user, purpose="contact", channel="sms", field="phone", destination="0912345678",
        code_hash="x", created_at=expires_at - dt.timedelta(minutes=10), expires_at=expires_at,
    )


def _message(expires_at, **fields):
    from motcua.notify.models import Message

    values = {"channel": "sms", "recipient": "0912345678", "template": "code", "sensitive": True,
              "expires_at": expires_at, "state": "sent"}
    values.update(fields)
    return Message.objects.create(**values)


def test_it_removes_codes_a_week_after_they_expired_and_keeps_the_others(people):
    from motcua.accounts.models import VerificationCode
    from motcua.api.auth import issue_token
    from motcua.dossiers.models import ApiToken
    from motcua.notify.models import Message

    now = timezone.now()
    gone_code = _code(people.citizen, now - 8 * DAY, "old")
    kept = [_code(people.citizen, now - 2 * DAY, "recently-expired"),
            _code(people.citizen, now + dt.timedelta(minutes=10), "valid")]
    gone_message = _message(now - 8 * DAY)
    kept_messages = [
        _message(now + dt.timedelta(minutes=5), state="queued"),  # still valid
        _message(None, sensitive=False, template="received"),  # a dossier's notification: a record
        _message(now - 8 * DAY, state="queued", claimed_until=now + dt.timedelta(minutes=1)),  # being sent
    ]
    _raw, gone_token = issue_token(people.citizen, now=now - 60 * DAY)  # 30 days' life by default
    _raw, kept_token = issue_token(people.citizen, now=now)

    assert cleanup.remove_expired_codes() == 1
    assert cleanup.remove_expired_code_messages() == 1
    assert cleanup.remove_expired_api_tokens() == 1
    assert set(VerificationCode.objects.values_list("pk", flat=True)) == {c.pk for c in kept}
    assert gone_code.pk not in VerificationCode.objects.values_list("pk", flat=True)
    assert set(Message.objects.values_list("pk", flat=True)) == {m.pk for m in kept_messages}
    assert not Message.objects.filter(pk=gone_message.pk).exists()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [kept_token.pk]
    assert not ApiToken.objects.filter(pk=gone_token.pk).exists()


def test_it_removes_pending_counter_uploads_once_their_token_expired(people):
    from motcua.backoffice import uploads

    comp = version_of(BIRTH).components.first()
    old = uploads.keep_pending(upload_file("scan.png", PNG), "scan.png", comp.pk, people.receptionist.pk)
    fresh = uploads.keep_pending(upload_file("scan2.png", PNG), "scan2.png", comp.pk, people.receptionist.pk)
    _age_file(old.key, 3)
    _age_file(fresh.key, 0.5)  # its token is still good: the form may be sent again
    assert old.key.startswith("pending/")
    assert cleanup.remove_stale_pending_uploads() == 1
    assert not default_storage.exists(old.key) and default_storage.exists(fresh.key)
    assert uploads.read_pending(fresh.token, people.receptionist.pk) is not None


def test_it_removes_orphan_files_but_never_one_a_row_refers_to(people, eforms):  # noqa: F811
    from motcua.dossiers import actions

    dossier = counter_dossier(people, when=T0)
    scan = actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="to-khai.pdf",
                            component=dossier.procedure_version.components.first(), at=T0).file
    draft, draft_key = _draft_with_a_file(people.citizen)
    for key in (scan.storage_key, draft_key):
        _age_file(key, 400)
    old_orphans = [_orphan("dossiers", 2), _orphan("drafts", 2)]
    young_orphans = [_orphan("dossiers", 0.1), _orphan("drafts", 0.1)]  # may belong to an open transaction

    assert cleanup.remove_orphan_files() == 2
    assert not any(default_storage.exists(k) for k in old_orphans)
    assert all(default_storage.exists(k) for k in [*young_orphans, scan.storage_key, draft_key])


def test_it_removes_nothing_on_a_dry_run(drafts, people, django_capture_on_commit_callbacks):
    from motcua.accounts.models import VerificationCode
    from motcua.submissions.models import Draft

    _old, old_key, _recent, _key = drafts
    _code(people.citizen, timezone.now() - 30 * DAY, "old")
    orphan = _orphan("drafts", 5)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        counts = cleanup.run_all(dry_run=True)
        call_command("cleanup", "--dry-run", stdout=out)
    assert counts["drafts"] == 1 and counts["codes"] == 1 and counts["orphan_files"] == 1
    text = out.getvalue()
    assert "Hồ sơ nháp bỏ dở: sẽ xóa 1" in text and "Mã xác minh đã hết hạn: sẽ xóa 1" in text
    assert "chưa xóa gì" in text
    assert Draft.objects.count() == 2 and VerificationCode.objects.count() == 1
    assert default_storage.exists(old_key) and default_storage.exists(orphan)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cleanup", stdout=out)
    assert "Hồ sơ nháp bỏ dở: đã xóa 1" in out.getvalue()
    assert Draft.objects.count() == 1 and not VerificationCode.objects.exists()
    assert not default_storage.exists(old_key) and not default_storage.exists(orphan)


def test_it_runs_daily_in_the_worker(drafts, django_capture_on_commit_callbacks):
    from motcua.jobs import runner
    from motcua.submissions.models import Draft

    assert runner.PERIODIC["core.cleanup"].every == dt.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        runner.enqueue("core.cleanup")
    with django_capture_on_commit_callbacks(execute=True):
        assert runner.run_pending() == {"done": 1}
    assert Draft.objects.count() == 1


def test_it_removes_jobs_done_a_month_ago_and_keeps_failed_and_deduplicated_ones(db, settings):
    from motcua.jobs.models import Job
    from motcua.ops.cleanup import remove_finished_jobs

    now = timezone.now()
    old, month = now - dt.timedelta(days=31), now - dt.timedelta(days=29)

    def job(state, finished, dedupe=None):
        return Job.objects.create(kind="notify.send", payload={}, state=state, finished_at=finished, run_after=old,
                                  dedupe_key=dedupe)

    gone = job(Job.State.DONE, old)
    kept = [job(Job.State.DONE, month), job(Job.State.FAILED, old), job(Job.State.DONE, old, "receipt-sms-1"),
            job(Job.State.PENDING, None)]
    assert remove_finished_jobs(now=now, dry_run=True) == 1 and Job.objects.filter(pk=gone.pk).exists()
    assert remove_finished_jobs(now=now) == 1
    assert not Job.objects.filter(pk=gone.pk).exists()
    assert Job.objects.filter(pk__in=[k.pk for k in kept]).count() == 4
    settings.MOTCUA_JOB_RETENTION_DAYS = 7
    assert remove_finished_jobs(now=now) == 1  # the one done 29 days ago
