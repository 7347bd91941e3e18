"""Reuse from the document wallet: the citizen's earlier uploads and results, copied, tagged wallet."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage

from motcua.dossiers import actions
from motcua.dossiers.models import Dossier, FileSource
from motcua.submissions.models import DraftFile
from tests.answers import valid_answers

from .conftest import BIRTH, BIRTH_ANSWERS, CRIMINAL_RECORD, PDF, PNG, component, start_draft, submit, version_of


def earlier_dossier(citizen):
    """A criminal-record dossier the citizen submitted before, with an ID card scan."""
    version = version_of(CRIMINAL_RECORD)
    dossier = actions.create_dossier(
        actor=citizen, version=version, channel=2, form_data=valid_answers(version),
        applicant=actions.Applicant(name="Nguyễn Văn An", id_number="096090001234"),
    ).dossier
    comp = version.components.get(name__startswith="Bản chụp giấy tờ tùy thân")
    actions.add_file(dossier, actor=citizen, upload=io.BytesIO(PNG), name="can-cuoc.png", component=comp)
    actions.add_file(dossier, actor=citizen, upload=io.BytesIO(PDF), name="giay-chung-sinh-cu.pdf", component=comp)
    return dossier


def test_it_reuses_a_document_as_a_new_copy(web, citizen):
    old = earlier_dossier(citizen)
    source = old.files.get(original_name="giay-chung-sinh-cu.pdf")
    draft, _url = start_draft(web)
    comp = component(BIRTH, "Giấy chứng sinh")
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component={comp.pk}").content.decode()
    assert "giay-chung-sinh-cu.pdf" in page and "can-cuoc.png" in page and old.code in page
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/kho/", {"component": comp.pk, "file": source.pk})
    assert response.status_code == 302 and response["Location"].endswith("/to-khai/#phan-giay-to")
    copy = DraftFile.objects.get(draft=draft)
    assert copy.source == DraftFile.Source.WALLET and copy.wallet_file == source
    assert copy.storage_key != source.storage_key and copy.sha256 == source.sha256
    assert default_storage.exists(copy.storage_key) and default_storage.exists(source.storage_key)

    web.post(f"/nop-ho-so/nhap/{draft.pk}/to-khai/", {**BIRTH_ANSWERS, "_fill": "page"})
    response = submit(web, draft)
    assert response.status_code == 302
    new = Dossier.objects.exclude(pk=old.pk).get()
    reused = new.files.get(original_name="giay-chung-sinh-cu.pdf")
    assert reused.source == FileSource.WALLET and reused.component == comp
    assert reused.storage_key not in (source.storage_key, copy.storage_key)
    assert old.files.count() == 2  # the earlier dossier is untouched


def test_the_wallet_offers_only_types_the_component_takes(web, citizen):
    earlier_dossier(citizen)
    comp = component(BIRTH, "Giấy chứng sinh")
    comp.accepted_types = "pdf"
    comp.save()
    draft, _url = start_draft(web)
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component={comp.pk}").content.decode()
    assert "giay-chung-sinh-cu.pdf" in page and "can-cuoc.png" not in page


def test_an_empty_wallet_says_so(web):
    draft, _url = start_draft(web)
    comp = component(BIRTH, "Giấy chứng sinh")
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component={comp.pk}").content.decode()
    assert "chưa có giấy tờ phù hợp" in page


def test_a_result_is_in_the_wallet_only_once_the_dossier_is_completed(web, citizen):
    """A result attached by the office before completion was downloadable from the wallet."""
    from motcua.accounts.models import Membership, User
    from motcua.agencies.models import Agency
    from motcua.dossiers.models import FileKind, Status

    earlier_dossier(citizen)
    receptionist = User.objects.create_user("tn_tanthanh", full_name="Cán bộ một cửa")
    Membership.objects.create(user=receptionist, agency=Agency.objects.get(unit_code="000.21.01.H12"),
                              role="receptionist")
    birth = actions.create_dossier(actor=citizen, version=version_of(BIRTH), channel=2,
                                   form_data=valid_answers(version_of(BIRTH)),
                                   applicant=actions.Applicant(name="Nguyễn Văn An", id_number="096090001234")).dossier
    birth = actions.receive(birth, actor=receptionist).dossier
    result = actions.add_file(birth, actor=receptionist, upload=io.BytesIO(PDF), name="trich-luc-khai-sinh.pdf",
                              kind=FileKind.RESULT).file
    draft, _url = start_draft(web)
    comp = component(BIRTH, "Giấy chứng sinh")
    page = web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component={comp.pk}").content.decode()
    assert "giay-chung-sinh-cu.pdf" in page and "trich-luc-khai-sinh.pdf" not in page
    assert web.get(f"/nop-ho-so/kho/{result.pk}/").status_code == 404
    assert web.post(f"/nop-ho-so/nhap/{draft.pk}/kho/", {"component": comp.pk, "file": result.pk}).status_code == 400
    # Released with the completion (the walk to it is tested with the back office).
    Dossier.objects.filter(pk=birth.pk).update(status=Status.COMPLETED)
    assert web.get(f"/nop-ho-so/kho/{result.pk}/").status_code == 200
    assert "trich-luc-khai-sinh.pdf" in web.get(f"/nop-ho-so/nhap/{draft.pk}/kho/?component={comp.pk}").content.decode()
