"""The review page's images of the application: made once per state, removed with the draft."""

from __future__ import annotations

import datetime as dt
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
