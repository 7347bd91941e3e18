"""The review page's images of the application: made once per state, removed with the draft."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from motcua.signing import preview as signing_preview
from motcua.submissions import services
from motcua.submissions.models import Draft

from .conftest import ready_birth_draft, submit

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")


def _shown(web, draft) -> tuple[str, str]:
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    url = re.findall(r'<img src="(/nop-ho-so/nhap/[^"]+\.png)"', page)[0]
    return url, re.search(r"to-khai-([0-9a-f]{64})/", url)[1]


def _images(web, draft) -> str:
    url, sha = _shown(web, draft)
    image = web.get(url)
    assert image.status_code == 200 and image["Cache-Control"] == "private, no-store"
    b"".join(image.streaming_content)
    assert signing_preview.cache_dir(sha).is_dir()
    return sha


def test_a_review_shown_again_renders_nothing_new(web):
    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    assert _shown(web, draft)[1] == sha
    names = sorted(default_storage.listdir(f"drafts/previews/{draft.pk}")[1])
    assert len(names) == 2 and f"{sha}.pdf" in names  # the PDF and the marker of its inputs
    # The marker is what is read: pointed at another stored PDF, the page shows that one.
    marker = next(n for n in names if n.endswith(".key"))
    other = "f" * 64
    default_storage.save(f"drafts/previews/{draft.pk}/{other}.pdf",
                         default_storage.open(f"drafts/previews/{draft.pk}/{sha}.pdf"))
    default_storage.delete(f"drafts/previews/{draft.pk}/{marker}")
    default_storage.save(f"drafts/previews/{draft.pk}/{marker}", ContentFile(other.encode()))
    draft.refresh_from_db()
    spec = services.spec_for(draft)
    assert services.application_preview(draft, spec, services.check_draft(draft, spec).cleaned).sha256 == other


def test_a_changed_draft_drops_the_earlier_preview(web):
    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    web.post(f"/nop-ho-so/nhap/{draft.pk}/to-khai/", {"_fill": "1", "_section": "", "_section_kind": "files",
                                                      "delivery": "post", "delivery_address": "Số 9"},
             headers={"X-Requested-With": "XMLHttpRequest"})
    new = _images(web, draft)
    assert new != sha and not signing_preview.cache_dir(sha).exists()
    assert not default_storage.exists(f"drafts/previews/{draft.pk}/{sha}.pdf")


def test_the_previews_go_with_a_deleted_draft(web, django_capture_on_commit_callbacks):
    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    with django_capture_on_commit_callbacks(execute=True):
        assert web.post(f"/nop-ho-so/nhap/{draft.pk}/xoa/").status_code == 302
    assert not signing_preview.cache_dir(sha).exists() and not services.preview_keys(draft.pk)


def test_the_previews_go_with_a_submitted_draft(web, django_capture_on_commit_callbacks):
    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(web, draft).status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert not signing_preview.cache_dir(sha).exists() and not services.preview_keys(draft.pk)


def test_the_previews_go_with_an_abandoned_draft(web, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from motcua.ops import cleanup

    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        assert cleanup.remove_abandoned_drafts() == 1
    assert not signing_preview.cache_dir(sha).exists() and not services.preview_keys(draft.pk)


def test_a_form_longer_than_the_images_offers_the_whole_pdf(web, web2):
    import hashlib

    import weasyprint

    draft = ready_birth_draft(web)
    _url, sha = _shown(web, draft)
    folder = f"drafts/previews/{draft.pk}"
    marker = next(n for n in default_storage.listdir(folder)[1] if n.endswith(".key"))
    long_pdf = weasyprint.HTML(string='<p style="break-after: page">Trang</p>' * 12).write_pdf()
    long_sha = hashlib.sha256(long_pdf).hexdigest()
    default_storage.save(f"{folder}/{long_sha}.pdf", ContentFile(long_pdf))
    default_storage.delete(f"{folder}/{marker}")
    default_storage.save(f"{folder}/{marker}", ContentFile(long_sha.encode()))
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/xem-lai/").content.decode()
    assert len(re.findall(r'<img src="(/nop-ho-so/nhap/[^"]+\.png)"', page)) == signing_preview.MAX_PAGES
    assert "Trang 1–10 trên 12;" in page and "Tờ khai, trang 1/12" in page
    pdf_url = re.search(r'href="(/nop-ho-so/nhap/[^"]+\.pdf)" download>tải bản đầy đủ \(PDF\)', page)[1]
    response = web.get(pdf_url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == long_pdf
    assert web2.get(pdf_url).status_code == 404


def _age(keys: list[str], days: float) -> None:
    when = (dt.datetime.now() - dt.timedelta(days=days)).timestamp()
    for key in keys:
        os.utime(default_storage.path(key), (when, when))


def test_the_daily_sweep_keeps_a_live_drafts_previews_and_forgets_an_orphans(web):
    """Previews are named by no row: the sweep of orphan files must keep those of a living draft
    (else its page images outlive it, unreachable), and forget those of a vanished one with
    their page images."""
    from motcua.ops import cleanup

    draft = ready_birth_draft(web)
    sha = _images(web, draft)
    keys = services.preview_keys(draft.pk)
    _age(keys, 3)
    cleanup.remove_orphan_files()
    assert sorted(services.preview_keys(draft.pk)) == sorted(keys)
    assert signing_preview.cache_dir(sha).is_dir()
    Draft.objects.filter(pk=draft.pk).delete()  # gone without its previews (e.g. an old release)
    assert cleanup.remove_orphan_files() >= len(keys)  # other tests' old orphans may go too
    assert not services.preview_keys(draft.pk) and not signing_preview.cache_dir(sha).exists()


def test_a_part_saved_into_a_vanished_draft_is_told_in_words(web):
    draft = ready_birth_draft(web)
    url = f"/nop-ho-so/nhap/{draft.pk}/to-khai/"
    Draft.objects.filter(pk=draft.pk).delete()
    answer = web.post(url, {"_fill": "1", "_section": "", "_section_kind": "files", "delivery": "counter"},
                      headers={"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.json()["error"] == "Hồ sơ nháp này không còn (đã nộp hoặc đã xóa)."
