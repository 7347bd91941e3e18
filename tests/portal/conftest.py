"""Fixtures for the portal pages: the sample catalogue, more procedures, a form file."""

from __future__ import annotations

import copy
import io

import pytest


def make_docx(text: str = "Tờ khai") -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(text, level=1)
    document.add_paragraph("Họ, chữ đệm, tên người yêu cầu: ....................")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def many_procedures(catalog):
    """25 more procedures in the Hộ tịch sector at the Tân Thành ward: enough for two pages."""
    from motcua.catalog.importer import import_catalog

    template = next(p for p in catalog["procedures"] if p["code"] == "2.000635")
    extra = []
    for i in range(25):
        proc = copy.deepcopy(template)
        proc["code"] = f"9.{i:06d}"
        proc["name"] = f"Thủ tục thử nghiệm hộ tịch số {i:02d}"
        for comp in proc["components"]:
            comp["form"] = None
        extra.append(proc)
    import_catalog({"agencies": [], "sectors": [], "procedures": extra})
    return extra


@pytest.fixture
def form_with_file(catalog, media_root):
    """The criminal-record form of 2.000488 with a real .docx file."""
    from django.core.files.base import ContentFile

    from motcua.catalog.models import FormTemplate

    form = FormTemplate.objects.get(filename="to-khai-ly-lich-tu-phap.docx")
    form.file.save(form.filename, ContentFile(make_docx("Tờ khai lý lịch tư pháp")), save=True)
    return form
