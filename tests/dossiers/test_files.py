"""Uploads: type from the bytes, size limit, SHA-256, generated storage names, rights."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage

from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed, FileRefused, InvalidInput, PermissionDenied
from motcua.dossiers.files import check_and_store, clean_name, sniff
from motcua.dossiers.models import DossierFile, Event

from .conftest import BIRTH, JPEG, PDF, PNG, T0, at, counter_dossier, fresh, online_dossier


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", ("application/pdf", "pdf")),
        (b"\xff\xd8\xff\xdb", ("image/jpeg", "jpg")),
        (b"\x89PNG\r\n\x1a\n\x00", ("image/png", "png")),
        (b"II*\x00\x08\x00", ("image/tiff", "tif")),
        (b"MM\x00*\x00\x00", ("image/tiff", "tif")),
        (b"PK\x03\x04", None),  # docx / zip
        (b"<html><body>", None),
        (b"MZ\x90\x00", None),  # an .exe renamed to .pdf
        (b"%PD", None),
        (b"", None),
    ],
)
def test_it_recognises_types_by_their_magic_numbers(head, expected):
    assert sniff(head) == expected


def test_it_stores_under_a_generated_name_with_the_hash(settings):
    stored = check_and_store(io.BytesIO(PDF), "../../etc/Giấy khai sinh.pdf")
    assert stored.original_name == "Giấy khai sinh.pdf"
    assert stored.storage_key.startswith("dossiers/") and stored.storage_key.endswith(".pdf")
    assert "khai" not in stored.storage_key and ".." not in stored.storage_key
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    with default_storage.open(stored.storage_key) as handle:
        assert handle.read() == PDF


def test_it_never_overwrites_a_stored_file():
    first = check_and_store(io.BytesIO(PDF), "a.pdf")
    second = check_and_store(io.BytesIO(PDF + b"x"), "a.pdf")
    assert first.storage_key != second.storage_key
    with default_storage.open(first.storage_key) as handle:
        assert handle.read() == PDF


def test_it_refuses_a_wrong_type_naming_the_file():
    with pytest.raises(FileRefused) as info:
        check_and_store(io.BytesIO(b"PK\x03\x04 docx inside"), "to-khai.pdf")
    assert "«to-khai.pdf»" in info.value.message and "PDF" in info.value.message
    assert info.value.code == "file_type_refused" and info.value.field == "file"


def test_it_refuses_a_file_above_the_limit(settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(FileRefused) as info:
        check_and_store(io.BytesIO(PDF + b"0" * 2000), "ban-ve.pdf")
    assert info.value.code == "file_too_large"
    assert "«ban-ve.pdf»" in info.value.message and "MB" in info.value.message


def test_it_refuses_an_empty_file():
    with pytest.raises(FileRefused) as info:
        check_and_store(io.BytesIO(b""), "trong.pdf")
    assert info.value.code == "file_empty" and "«trong.pdf»" in info.value.message


def test_it_refuses_a_type_the_component_does_not_accept():
    with pytest.raises(FileRefused) as info:
        check_and_store(io.BytesIO(PNG), "anh.png", accepted_types="pdf")
    assert "«anh.png»" in info.value.message and "PDF" in info.value.message
    assert check_and_store(io.BytesIO(JPEG), "anh.jpeg", accepted_types="pdf, jpeg").extension == "jpg"


def test_it_cleans_display_names():
    assert clean_name("C:\\Users\\an\\ho\u0302\u0300 so\u031b.pdf") == "hồ sơ.pdf"
    assert clean_name("a\x00b\nc.pdf") == "abc.pdf"
    assert clean_name("") == "tep-khong-ten"
    assert len(clean_name("x" * 400 + ".pdf")) == 255 and clean_name("x" * 400 + ".pdf").endswith(".pdf")


def test_the_applicant_adds_a_component_file_online(people):
    dossier = online_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.first()
    result = actions.add_file(dossier, actor=people.citizen, upload=io.BytesIO(PDF), name="to-khai.pdf",
                              component=component, at=at(9, 9, 30))
    file = result.file
    assert (file.kind, file.source, file.content_type, file.uploaded_by) == (
        "component", "uploaded", "application/pdf", people.citizen)
    assert default_storage.exists(file.storage_key)
    assert result.event.kind == "file_added" and result.event.data["file_id"] == file.pk
    assert result.event.data["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert fresh(dossier).version == 2


def test_a_refused_file_leaves_no_row_and_no_event(people):
    dossier = online_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.first()
    with pytest.raises(FileRefused):
        actions.add_file(dossier, actor=people.citizen, upload=io.BytesIO(b"GIF89a"), name="anh.gif",
                         component=component, at=at(9, 9, 30))
    assert not DossierFile.objects.exists() and Event.objects.filter(kind="file_added").count() == 0


def test_files_added_during_a_supplement_are_marked_as_supplements(people):
    dossier = online_dossier(people, BIRTH, T0)
    actions.request_supplement(dossier, actor=people.receptionist, missing=["Giấy chứng sinh"], at=at(9, 9, 20))
    component = dossier.procedure_version.components.all()[1]
    file = actions.add_file(dossier, actor=people.citizen, upload=io.BytesIO(PNG), name="chung-sinh.png",
                            component=component, at=at(9, 10)).file
    assert file.kind == "supplement" and file.component == component


def test_counter_scans_are_recorded_as_scanned(people):
    dossier = counter_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.first()
    file = actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="scan.pdf",
                            component=component, at=at(9, 9, 20)).file
    assert file.source == "scanned"


def test_who_may_add_files(people):
    dossier = online_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.first()

    def add(actor, **kwargs):
        return actions.add_file(dossier, actor=actor, upload=io.BytesIO(PDF), name="x.pdf",
                                **({"component": component} | kwargs), at=at(9, 10))

    with pytest.raises(PermissionDenied):
        add(people.citizen2)
    with pytest.raises(PermissionDenied):
        add(people.other_receptionist)
    with pytest.raises(PermissionDenied):
        add(people.citizen, kind="result", component=None)
    with pytest.raises(InvalidInput) as info:
        add(people.citizen, component=None)
    assert info.value.field == "component"
    other_component = dossier.procedure_version.__class__.objects.exclude(pk=dossier.procedure_version_id) \
        .first().components.first()
    with pytest.raises(InvalidInput):
        add(people.citizen, component=other_component)
    actions.receive(dossier, actor=people.receptionist, at=at(9, 11))
    # Received: the citizen's upload window is closed until a supplement is asked for.
    with pytest.raises(ActionNotAllowed):
        add(people.citizen)
    assert not DossierFile.objects.exists()
