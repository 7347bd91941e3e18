"""Page images of result files (issue #17 review): the dossier page only counts pages (cheap, cached),
each image is made when asked for, once, under a lock and within limits; viewing it is logged."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.test import Client

from motcua.audit.models import PersonalDataAccess
from motcua.dossiers.models import DossierFile, FileKind
from motcua.signing import preview

from .test_approval import _approval_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"  # the preview cache starts empty in each test


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    """A 12-page result (more than MAX_PAGES)."""
    import weasyprint

    html = "".join(f'<p style="page-break-after: always">Trang {n}</p>' for n in range(1, 13))
    return weasyprint.HTML(string=html).write_pdf()


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _result(d) -> DossierFile:
    return DossierFile.objects.get(dossier=d, kind=FileKind.RESULT)


def test_the_dossier_page_counts_pages_and_renders_none(people, commune_certificate, long_pdf):
    d = _approval_dossier(people, long_pdf)
    file = _result(d)
    folder = preview.cache_dir(file.sha256)
    leader = _client(people.leader)
    html = leader.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    images = re.findall(r'src="(/can-bo/ho-so/[^"]+/trang-(\d+)\.png)"', html)
    assert [int(n) for _src, n in images] == list(range(1, preview.MAX_PAGES + 1))
    assert "Chỉ hiển thị các trang đầu" in html
    assert (folder / "pages").read_text() == "12"
    assert not list(folder.glob("page-*.png"))  # nothing rendered while the page rendered

    # One image asked for: that page only is made, then served from the cache.
    src = images[1][0]
    page = leader.get(src)
    assert page.status_code == 200 and b"".join(page.streaming_content).startswith(b"\x89PNG")
    assert [p.name for p in folder.glob("page-*.png")] == ["page-2.png"]
    assert leader.get(src.replace("trang-2", "trang-11")).status_code == 404  # beyond MAX_PAGES


def test_viewing_a_page_image_is_logged_like_a_download(people, commune_certificate, sample_pdf):
    d = _approval_dossier(people, sample_pdf)
    file = _result(d)
    before = PersonalDataAccess.objects.filter(dossier=d, actor=people.leader).count()
    page = _client(people.leader).get(f"/can-bo/ho-so/{d.code}/tep/{file.pk}/trang-1.png")
    assert page.status_code == 200
    rows = PersonalDataAccess.objects.filter(dossier=d, actor=people.leader).order_by("seq")
    assert rows.count() == before + 1
    last = rows.last()
    assert last.what == "download" and last.path.endswith("/trang-1.png")


def test_concurrent_requests_wait_for_the_one_that_renders(people, sample_pdf):
    import fcntl

    d = _approval_dossier(people, sample_pdf)
    file = _result(d)
    assert preview.page_count(file) == 1
    folder = preview.cache_dir(file.sha256)
    got: list = []
    with open(folder / "page-1.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another worker is rendering page 1
        worker = threading.Thread(target=lambda: got.append(preview.page_image(file, 1)))
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive() and not got  # waiting for the lock, not rendering a second time
        fcntl.flock(handle, fcntl.LOCK_UN)
    worker.join(timeout=60)
    assert got == [folder / "page-1.png"] and got[0].is_file()
    # Beyond the file's pages: nothing.
    assert preview.page_image(file, 2) is None and preview.page_image(file, 0) is None


def test_a_damaged_file_has_no_page_images(people):
    d = _approval_dossier(people, b"%PDF-1.7\nnot really a pdf\n%%EOF\n")
    file = _result(d)
    assert preview.page_count(file) == 0
    assert preview.page_image(file, 1) is None


def test_the_child_processes_run_with_cpu_and_memory_limits():
    out = preview._run(["sh", "-c", "ulimit -t; ulimit -v"], timeout=5, cpu_seconds=7).stdout.split()
    assert out == [b"7", str(preview.MEMORY_BYTES // 1024).encode()]
