"""A POST without the page's own fields never wipes the answers (issue #18 review, item 1)."""

from __future__ import annotations

import pytest

from motcua.submissions.models import Draft

from .conftest import BIRTH, BIRTH_ANSWERS, PDF, component, start_draft, xhr_upload

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


def _filled(web):
    draft, url = start_draft(web)
    web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_save_exit": "1"})
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == BIRTH_ANSWERS["f-child_name"]
    return draft, url


def test_a_post_without_the_page_marker_saves_nothing(web):
    draft, url = _filled(web)
    before = dict(draft.form_data)
    for data in ({}, {"_continue": "1"}, {"_fill": "1"}, {"_save_exit": "1"}, {"case": "1"}):
        response = web.post(url, data)
        assert response.status_code == 400, data
        draft.refresh_from_db()
        assert draft.form_data == before, data
    response = web.post(url, {"_fill": "1"}, headers=XHR)
    assert response.status_code == 400 and "Chưa lưu được" in response.json()["error"]


def test_an_empty_body_with_a_valid_csrf_header_saves_nothing(citizen, eforms):
    from django.test import Client

    web = Client(enforce_csrf_checks=True)
    web.force_login(citizen)
    page = web.get(f"/nop-ho-so/{BIRTH}/")
    token = page.cookies["csrftoken"].value
    first = web.post(f"/nop-ho-so/{BIRTH}/", {**BIRTH_ANSWERS, "_fill": "page", "_save_exit": "1",
                                             "csrfmiddlewaretoken": token})
    assert first.status_code == 302
    draft = Draft.objects.get(owner=citizen)
    before = dict(draft.form_data)
    url = f"/nop-ho-so/nhap/{draft.pk}/to-khai/"
    # A body cut off before its fields: the CSRF header passes, the form has nothing.
    response = web.generic("POST", url, b"", content_type="application/x-www-form-urlencoded",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400
    # A multipart body cut off in the middle (no closing boundary, no final marker).
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"f-child_name\"\r\n\r\nB\xc3\xa9 C\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"f-mother_na")
    response = web.generic("POST", url, body, content_type="multipart/form-data; boundary=XyZ",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.form_data == before


def test_the_old_case_address_saves_only_the_case(web):
    draft, _url = _filled(web)
    before = dict(draft.form_data)
    response = web.post(f"/nop-ho-so/nhap/{draft.pk}/truong-hop/", {"case": str(draft.case_id)})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data == before


def test_remove_without_script_keeps_what_the_page_carried(web):
    draft, url = start_draft(web)
    f = xhr_upload(web, draft, component(BIRTH, "Giấy chứng sinh"), "a.pdf", PDF).json()["file"]
    response = web.post(f["remove_url"], {**BIRTH_ANSWERS, "f-child_name": "Bé Mới", "_fill": "page"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "Bé Mới" and not draft.files.exists()


def test_a_repeated_first_save_finds_the_draft_it_made(web, citizen):
    import uuid

    token = str(uuid.uuid4())
    data = {**BIRTH_ANSWERS, "_fill": "page", "_save_exit": "1", "_token": token}
    for _ in range(2):  # a double click without script, a retry after a lost answer
        assert web.post(f"/nop-ho-so/{BIRTH}/", data).status_code == 302
    section = {"_fill": "1", "_token": token, "_section": "", "_section_kind": "files", "delivery": "counter"}
    web.post(f"/nop-ho-so/{BIRTH}/", section, headers=XHR)
    assert Draft.objects.filter(owner=citizen).count() == 1
    web.post(f"/nop-ho-so/{BIRTH}/", {**data, "_token": str(uuid.uuid4())})
    assert Draft.objects.filter(owner=citizen).count() == 2
    web.post(f"/nop-ho-so/{BIRTH}/", {**data, "_token": "not-a-uuid"})
    assert Draft.objects.filter(owner=citizen).count() == 3


def test_the_page_carries_its_token_and_the_marker_last(web):
    page = web.get(f"/nop-ho-so/{BIRTH}/").content.decode()
    form = page[page.index('data-fill'):page.index("</form>", page.index("data-fill"))]
    assert 'name="_token" value="' in form
    assert form.rstrip().endswith('<input type="hidden" name="_fill" value="page">')


def test_the_start_page_is_never_cached(web):
    response = web.get(f"/nop-ho-so/{BIRTH}/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_at_the_draft_limit_the_page_says_so_before_any_typing(web, citizen):
    from motcua.submissions import services

    from .conftest import version_of

    other = version_of("2.000488")
    for _ in range(services.MAX_DRAFTS_PER_USER):
        services.start_draft(citizen, other)
    page = web.get(f"/nop-ho-so/{BIRTH}/").content.decode()
    assert "Đã đủ số hồ sơ nháp" in page and 'href="/nop-ho-so/nhap/"' in page and 'name="f-' not in page
    resume = web.get("/nop-ho-so/2.000488/").content.decode()  # drafts to resume, no new one offered
    assert "hồ sơ nháp, số nhiều nhất được giữ" in resume and "Tạo hồ sơ mới" not in resume
    response = web.post(f"/nop-ho-so/{BIRTH}/", {"_fill": "1", "_section": "", "_section_kind": "files"},
                        headers=XHR)
    assert response.status_code == 400 and "hồ sơ nháp" in response.json()["error"]


def test_two_sections_saved_from_stale_copies_both_stay(web):
    from motcua.submissions import services

    draft, _url = start_draft(web)
    schema = services.spec_for(draft).schema
    first, second = Draft.objects.get(pk=draft.pk), Draft.objects.get(pk=draft.pk)  # two requests at once
    services.save_section(first, schema, "II. Người được đăng ký khai sinh", {"child_name": "Bé Na"})
    services.save_section(second, schema, "III. Thông tin người mẹ", {"mother_name": "Trần Thị Mơ"})
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "Bé Na" and draft.form_data["mother_name"] == "Trần Thị Mơ"


def test_a_save_racing_the_submit_that_deleted_the_draft_is_a_404(web):
    import pytest

    from motcua.submissions import services

    draft, url = start_draft(web)
    stale = Draft.objects.get(pk=draft.pk)
    Draft.objects.filter(pk=draft.pk).delete()  # the submit committed meanwhile
    schema = services.spec_for(stale).schema
    for save in (lambda: services.save_section(stale, schema, "II. Người được đăng ký khai sinh", {"child_name": "X"}),
                 lambda: services.save_delivery(stale, "counter", ""),
                 lambda: services.save_form(stale, {"child_name": "X"}),
                 lambda: services.set_step(stale, "review")):
        with pytest.raises(services.DraftGone):
            save()
    assert not Draft.objects.filter(pk=draft.pk).exists()  # nothing made again
    assert web.post(url, {"_fill": "1", "_section": "", "_section_kind": "files"}, headers=XHR).status_code == 404


def test_every_no_script_button_saves_the_posted_files_and_names_the_refused(web):
    from motcua.submissions.models import DraftFile

    from .conftest import DOCX, upload_file

    draft, url = start_draft(web)
    cert = component(BIRTH, "Giấy chứng sinh")
    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_add_row": "x",
                              f"files-{cert.pk}": upload_file("a.pdf", PDF)})
    assert response.status_code == 200
    assert list(DraftFile.objects.values_list("original_name", flat=True)) == ["a.pdf"]
    response = web.post(url, {**BIRTH_ANSWERS, "_fill": "page", "_save_exit": "1",
                              f"files-{cert.pk}": upload_file("b.docx", DOCX)})
    assert response.status_code == 400 and "«b.docx»" in response.content.decode()  # said, not a silent exit
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == BIRTH_ANSWERS["f-child_name"]


def test_a_part_saved_between_the_review_and_the_submit_is_not_lost(web):
    """The review page read the draft and its key; a part saved in another window meanwhile
    forgets the key: the submit is refused (nothing made), the saved part stays."""
    from motcua.dossiers.models import Dossier
    from motcua.submissions import services

    from .conftest import ready_birth_draft, submit_key

    draft = ready_birth_draft(web)
    key = submit_key(web, draft)
    seen = Draft.objects.get(pk=draft.pk)  # what the submitting request holds
    services.save_delivery(Draft.objects.get(pk=draft.pk), "post", "Số 12, đường Lê Lợi")
    before = Dossier.objects.count()
    with pytest.raises(services.DraftProblem, match="vừa được sửa ở cửa sổ khác"):
        services.submit(seen, key=key)
    assert Dossier.objects.count() == before
    kept = Draft.objects.get(pk=draft.pk)
    assert kept.delivery == "post" and kept.delivery_address == "Số 12, đường Lê Lợi"
