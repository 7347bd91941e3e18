"""MOTCUA_STORAGE=s3 against a real S3 endpoint (moto's server on loopback): the counter's upload
lands in the bucket, the back office downloads it, signed links work and expire."""

from __future__ import annotations

import hashlib
import io
import urllib.request

import pytest

from tests.dossiers.conftest import PDF, T0, counter_dossier

pytestmark = pytest.mark.django_db


def _upload(people):
    from motcua.dossiers import actions

    dossier = counter_dossier(people, when=T0)
    result = actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="don-de-nghi.pdf",
                              component=dossier.procedure_version.components.first(), at=T0)
    return dossier, result.dossier.files.get()


def test_it_keeps_uploaded_files_in_the_bucket(people, s3_storage, settings, tmp_path):
    client, bucket = s3_storage
    _dossier, stored = _upload(people)
    body = client.get_object(Bucket=bucket, Key=stored.storage_key)["Body"].read()
    assert body == PDF and stored.sha256 == hashlib.sha256(PDF).hexdigest()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_it_never_overwrites_an_object(people, s3_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    first = default_storage.save("dossiers/x/same.pdf", ContentFile(b"%PDF-1.4 one"))
    second = default_storage.save("dossiers/x/same.pdf", ContentFile(b"%PDF-1.4 two"))
    assert first != second
    with default_storage.open(first, "rb") as handle:
        assert handle.read() == b"%PDF-1.4 one"


def test_it_serves_the_file_to_staff_from_the_bucket(people, s3_storage, client):
    dossier, stored = _upload(people)
    client.force_login(people.receptionist)
    response = client.get(f"/can-bo/ho-so/{dossier.code}/tep/{stored.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == PDF


def test_it_gives_short_lived_signed_links_as_attachments(people, s3_storage, settings):
    from motcua.core.storage import signed_url

    _dossier, stored = _upload(people)
    url = signed_url(stored.storage_key, filename="Đơn đề nghị.pdf", content_type="application/pdf", seconds=60)
    assert url and "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url, url
    # The browser is told to save the file, never to render it: both overrides are inside the
    # signed part of the link, so nobody can strip them without breaking the signature. (moto's
    # server does not apply the overrides to objects stored by multipart-capable uploads; S3 and
    # MinIO do.)
    assert "response-content-disposition=attachment" in url and "response-content-type=application%2Fpdf" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (an http URL we made)
        assert response.read() == PDF
    # (moto's server checks neither signatures nor expiry; the link's life is the X-Amz-Expires above.)


def test_it_has_no_signed_links_with_local_files(settings):
    from motcua.core.storage import signed_url

    settings.MOTCUA_STORAGE = "local"
    assert signed_url("dossiers/a.pdf", filename="a.pdf") is None
