"""A citizen can never open or act on another citizen's draft, draft file, dossier or wallet: 404."""

from __future__ import annotations

from motcua.dossiers.models import Dossier
from motcua.submissions.models import Draft, DraftFile

from .conftest import BIRTH, PDF, component, ready_birth_draft, start_draft, submit, submit_key, xhr_upload


def test_another_citizens_draft_is_not_found(web, web2):
    draft = ready_birth_draft(web)
    f = DraftFile.objects.filter(draft=draft).first()
    base = f"/nop-ho-so/nhap/{draft.pk}"
    for url in (f"{base}/", f"{base}/truong-hop/", f"{base}/to-khai/", f"{base}/giay-to/", f"{base}/xem-lai/",
                f"{base}/giay-to/{f.pk}/", f"{base}/kho/?component={component(BIRTH, 'Giấy chứng sinh').pk}"):
        assert web2.get(url).status_code == 404, url
    for url in (f"{base}/to-khai/", f"{base}/giay-to/", f"{base}/giay-to/{f.pk}/xoa/", f"{base}/xoa/",
                f"{base}/truong-hop/", f"{base}/kho/"):
        assert web2.post(url, {"f-child_name": "X", "_continue": "1"}).status_code == 404, url
    assert xhr_upload(web2, draft, component(BIRTH, "Giấy chứng sinh"), "x.pdf", PDF).status_code == 404
    assert web2.post(f"{base}/xem-lai/", {"submit_key": submit_key(web, draft), "confirm": "yes"}).status_code == 404
    assert "Hồ sơ nháp" in web2.get("/nop-ho-so/nhap/").content.decode()
    assert str(draft.pk) not in web2.get("/nop-ho-so/nhap/").content.decode()
    draft.refresh_from_db()
    assert draft.files.count() == 2 and draft.form_data["child_name"] == "Nguyễn Ngọc Hân"
    assert not Dossier.objects.exists()


def test_a_file_of_another_draft_is_not_found_even_in_my_own_draft_url(web, web2, citizen2):
    theirs = ready_birth_draft(web)
    their_file = DraftFile.objects.filter(draft=theirs).first()
    mine = Draft.objects.create(owner=citizen2, version=theirs.version, case=theirs.case)
    assert web2.get(f"/nop-ho-so/nhap/{mine.pk}/giay-to/{their_file.pk}/").status_code == 404
    assert web2.post(f"/nop-ho-so/nhap/{mine.pk}/giay-to/{their_file.pk}/xoa/").status_code == 404
    assert DraftFile.objects.filter(pk=their_file.pk).exists()


def test_another_citizens_dossier_and_wallet_are_not_found(web, web2):
    draft = ready_birth_draft(web)
    response = submit(web, draft)
    dossier = Dossier.objects.get()
    assert web.get(response["Location"]).status_code == 200
    assert web2.get(response["Location"]).status_code == 404
    their_file = dossier.files.first()
    assert web2.get(f"/nop-ho-so/kho/{their_file.pk}/").status_code == 404
    mine, _url = start_draft(web2)
    comp = component(BIRTH, "Giấy chứng sinh")
    page = web2.get(f"/nop-ho-so/nhap/{mine.pk}/kho/?component={comp.pk}").content.decode()
    assert their_file.original_name not in page
    response = web2.post(f"/nop-ho-so/nhap/{mine.pk}/kho/", {"component": comp.pk, "file": their_file.pk})
    assert response.status_code == 400 and not mine.files.exists()
