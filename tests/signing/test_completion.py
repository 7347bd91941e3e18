"""Completing a dossier signs its result files: a new stored file, the source untouched."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage

from motcua.dossiers.models import DossierFile, FileKind, Status
from motcua.signing.errors import CertificateUnavailable
from motcua.signing.models import AgencyCertificate, SignedResult
from motcua.signing.verify import Verdict, results_for, verify_pdf

from .conftest import at, completed_dossier, counter_dossier, fresh

pytestmark = pytest.mark.django_db

DAMAGED_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _read(file: DossierFile) -> bytes:
    with default_storage.open(file.storage_key, "rb") as handle:
        return handle.read()


def test_it_signs_the_result_when_the_dossier_is_completed(people, commune_certificate, sample_pdf, client):
    done = completed_dossier(people, sample_pdf)
    d = done.dossier
    assert d.status == Status.COMPLETED
    source, signed = DossierFile.objects.filter(dossier=d, kind=FileKind.RESULT).order_by("id")
    record = SignedResult.objects.get(dossier=d)
    assert (record.source_file, record.signed_file, record.certificate) == (source, signed, commune_certificate)

    # The source is stored as uploaded; the signed copy is a new stored file.
    assert _read(source) == sample_pdf and source.sha256 == hashlib.sha256(sample_pdf).hexdigest()
    data = _read(signed)
    assert signed.storage_key != source.storage_key and signed.storage_key == record.storage_key
    assert signed.sha256 == record.signed_sha256 == hashlib.sha256(data).hexdigest()
    assert (signed.size, signed.content_type, signed.original_name) == (
        len(data), "application/pdf", "giay-khai-sinh-ky-so.pdf")
    assert record.signer_fingerprint == commune_certificate.fingerprint
    assert record.signer_subject == commune_certificate.subject

    # The completion event says what was signed.
    [entry] = done.event.data["signed_results"]
    assert entry["source_file_id"] == source.pk and entry["file_id"] == signed.pk and entry["sha256"] == signed.sha256

    # The verdict on the signed copy names the dossier.
    result = verify_pdf(data)
    assert result.verdict == Verdict.VALID
    assert result.issued.dossier_code == d.code and result.issued.procedure_code == "1.001193"
    assert result.issued.agency == people.commune.name

    # Signing again finds nothing left to sign.
    from motcua.signing.services import sign_results

    assert sign_results(fresh(d), at(9, 12)) == {}

    # The API's /result serves the signed copy.
    client.force_login(people.receptionist)
    response = client.get(f"/api/v1/dossiers/{d.code}/result")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == signed.sha256

    # By code and tracking key: the results issued; a wrong key is an unknown code.
    listed = results_for(d.code, d.tracking_key)
    assert [r.sha256 for r in listed.results] == [signed.sha256]
    assert results_for(d.code, "WRONG1") is None and results_for("000.21.01.H12-260309-9999", d.tracking_key) is None


def test_a_scanned_image_result_is_signed_as_pdf(people, commune_certificate):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(buffer, "PNG", dpi=(150, 150))
    done = completed_dossier(people, buffer.getvalue(), name="ket-qua-quet.png")
    record = SignedResult.objects.get(dossier=done.dossier)
    assert record.source_file.content_type == "image/png"
    assert record.signed_file.original_name == "ket-qua-quet-ky-so.pdf"
    assert verify_pdf(_read(record.signed_file)).verdict == Verdict.VALID


def test_without_a_certificate_the_dossier_completes_unsigned(people, sample_pdf):
    done = completed_dossier(people, sample_pdf)
    assert done.dossier.status == Status.COMPLETED
    assert not SignedResult.objects.exists()
    assert DossierFile.objects.filter(dossier=done.dossier, kind=FileKind.RESULT).count() == 1
    [entry] = done.event.data["unsigned_results"]
    assert entry["reason"] == "no_certificate"


def test_a_damaged_result_stays_unsigned_but_does_not_block_completion(people, commune_certificate):
    done = completed_dossier(people, DAMAGED_PDF, name="hong.pdf")
    assert done.dossier.status == Status.COMPLETED
    [entry] = done.event.data["unsigned_results"]
    assert entry["reason"] == "not_signable" and "PDF" in entry["message"]
    assert not SignedResult.objects.exists()


def test_an_unusable_certificate_refuses_completion(people, commune_certificate, sample_pdf, monkeypatch):
    from motcua.dossiers import actions

    AgencyCertificate.objects.filter(pk=commune_certificate.pk).update(passphrase_ref="env:MOTCUA_TEST_NO_SUCH_PASS")
    monkeypatch.delenv("MOTCUA_TEST_NO_SUCH_PASS", raising=False)
    d = counter_dossier(people)
    for actor in (people.receptionist, people.officer, people.leader):
        actions.handover(fresh(d), actor=actor, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.clerk, upload=io.BytesIO(sample_pdf), name="kq.pdf", kind="result",
                     at=at(9, 10, 30))
    before = fresh(d)
    with pytest.raises(CertificateUnavailable) as info:
        actions.complete(before, actor=people.clerk, at=at(9, 11))
    assert info.value.status == 503 and "MOTCUA_TEST_NO_SUCH_PASS" in info.value.message
    after = fresh(d)
    assert (after.status, after.version) == (before.status, before.version)  # nothing happened
    assert DossierFile.objects.filter(dossier=d, kind=FileKind.RESULT).count() == 1


def test_the_receiving_agency_signs_when_the_handling_agency_has_no_certificate(people):
    from motcua.signing import certificates
    from motcua.signing.services import certificate_for

    d = counter_dossier(people)
    assert certificate_for(d) is None
    mine = certificates.make_dev_certificate(people.commune)
    assert certificate_for(d) == mine
    other = certificates.make_dev_certificate(people.other_commune)
    assert certificate_for(d) == mine and other.pk != mine.pk
