"""The online queue: dossiers submitted online (status 1) checked at the counter, with the same three
outcomes as at the counter."""

from __future__ import annotations

from motcua.dossiers.models import Event, Status

from .conftest import BIRTH, BUILDING, add_component_file, fresh, online_dossier


def rows(dossier):
    return list(dossier.procedure_version.components.order_by("order", "id"))


def post(c, dossier, **data):
    data.setdefault("version", dossier.version)
    data.setdefault("token", "")
    return c.post(f"/can-bo/cho-tiep-nhan/{dossier.code}/", data)


def test_it_lists_the_online_dossiers_of_my_counter_only(people, login):
    mine = online_dossier(people, BIRTH)
    theirs = online_dossier(people, BUILDING)
    page = login(people.receptionist).get("/can-bo/cho-tiep-nhan/").content.decode()
    assert mine.code in page and theirs.code not in page
    assert f'href="/can-bo/cho-tiep-nhan/{mine.code}/"' in page


def test_it_shows_the_uploaded_files_on_the_check_page(people, login):
    dossier = online_dossier(people, BIRTH)
    file = add_component_file(dossier, people.citizen, name="to-khai-khai-sinh.pdf")
    page = login(people.receptionist).get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert "to-khai-khai-sinh.pdf" in page and f"/can-bo/ho-so/{dossier.code}/tep/{file.pk}/" in page
    assert 'value="receive"' in page and 'value="supplement"' in page and 'value="refuse"' in page


def test_it_receives_an_online_dossier(people, login):
    dossier = online_dossier(people, BIRTH)
    form, birth_cert, _proxy = rows(dossier)
    c = login(people.receptionist)
    response = post(c, dossier, outcome="receive", present=[form.pk, birth_cert.pk])
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    dossier = fresh(dossier)
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None
    assert "Đã tiếp nhận hồ sơ" in c.get(response["Location"]).content.decode()
    assert dossier.code not in c.get("/can-bo/cho-tiep-nhan/").content.decode()


def test_it_requests_a_supplement_once(people, login):
    dossier = online_dossier(people, BIRTH)
    form, birth_cert, _proxy = rows(dossier)
    c = login(people.receptionist)
    response = post(c, dossier, outcome="supplement", present=[form.pk], missing_extra="Ảnh chân dung")
    assert response.status_code == 302
    event = Event.objects.get(dossier=dossier, kind="supplement_requested")
    assert event.data["missing"] == [birth_cert.name, "Ảnh chân dung"]
    # The applicant supplies; back in the queue, a second request is no longer offered.
    from motcua.dossiers import actions

    actions.supply(dossier, actor=people.citizen)
    dossier = fresh(dossier)
    assert dossier.status == Status.SUBMITTED
    page = c.get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert 'value="supplement"' not in page and "không được yêu cầu lần thứ hai" in page
    response = c.post(f"/can-bo/cho-tiep-nhan/{dossier.code}/",
                      {"version": dossier.version, "outcome": "supplement", "missing_extra": "Lại thiếu"}, follow=True)
    assert "một lần" in response.content.decode()
    assert fresh(dossier).status == Status.SUBMITTED


def test_it_refuses_with_a_reason_and_asks_for_one(people, login):
    dossier = online_dossier(people, BIRTH)
    c = login(people.receptionist)
    page = post(c, dossier, outcome="refuse").content.decode()
    assert "Cần nhập lý do từ chối tiếp nhận" in page and fresh(dossier).status == Status.SUBMITTED
    response = post(c, dossier, outcome="refuse", refuse_reason="Thủ tục không thuộc thẩm quyền của phường.")
    assert response.status_code == 302 and fresh(dossier).status == Status.REFUSED


def test_it_says_when_someone_else_checked_the_dossier_first(people, login):
    from motcua.accounts.models import Membership

    colleague = type(people.receptionist).objects.create_user("tn_xa_b")
    Membership.objects.create(user=colleague, agency=people.commune, role="receptionist")
    dossier = online_dossier(people, BIRTH)
    form, birth_cert, _proxy = rows(dossier)
    seen = dossier.version
    assert post(login(colleague), dossier, outcome="refuse", refuse_reason="Không hợp lệ").status_code == 302
    c = login(people.receptionist)
    response = post(c, dossier, version=seen, outcome="receive", present=[form.pk, birth_cert.pk])
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    response = c.get(response["Location"])
    assert "Hồ sơ vừa được người khác cập nhật" in response.content.decode()
    assert fresh(dossier).status == Status.REFUSED


def test_it_keeps_officers_and_other_counters_out(people, login):
    dossier = online_dossier(people, BIRTH)
    assert login(people.officer).get("/can-bo/cho-tiep-nhan/").status_code == 403
    assert login(people.other_receptionist).get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").status_code == 404


def test_it_treats_a_double_click_on_receive_as_one(people, login):
    dossier = online_dossier(people, BIRTH)
    form, birth_cert, _proxy = rows(dossier)
    c = login(people.receptionist)
    data = {"version": dossier.version, "token": "feedface" * 4, "outcome": "receive",
            "present": [form.pk, birth_cert.pk]}
    assert c.post(f"/can-bo/cho-tiep-nhan/{dossier.code}/", data).status_code == 302
    response = c.post(f"/can-bo/cho-tiep-nhan/{dossier.code}/", data)
    text = c.get(response["Location"]).content.decode()
    assert "đã được thực hiện ở lần bấm trước" in text
    assert Event.objects.filter(dossier=dossier, kind="received").count() == 1


def test_a_reason_written_under_a_component_stays_with_it(people, login):
    dossier = online_dossier(people, BIRTH)
    form, birth_cert, proxy = rows(dossier)
    c = login(people.receptionist)
    page = c.get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert f'name="reason-{birth_cert.pk}"' in page
    # Ticked good and yet a reason: the error is on that component's box.
    response = post(c, dossier, outcome="supplement", present=[form.pk, birth_cert.pk],
                    **{f"reason-{birth_cert.pk}": "Ảnh mờ"})
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="reason-{birth_cert.pk}-error"' in text and "Bỏ đánh dấu" in text
    assert fresh(dossier).status == Status.SUBMITTED
    response = post(c, dossier, outcome="supplement", present=[form.pk], missing_extra="Ảnh chân dung",
                    **{f"reason-{birth_cert.pk}": "Ảnh chụp bị mờ, không đọc được số",
                       f"reason-{proxy.pk}": "Người nộp thay cần giấy ủy quyền"})
    assert response.status_code == 302
    event = Event.objects.get(dossier=dossier, kind="supplement_requested")
    # One item per component, each with its reason; the free line stays one item; no note turned item.
    assert [(i["component"], i["text"], i["reason"]) for i in event.data["items"]] == [
        (birth_cert.pk, birth_cert.name, "Ảnh chụp bị mờ, không đọc được số"),
        (proxy.pk, proxy.name, "Người nộp thay cần giấy ủy quyền"),
        (None, "Ảnh chân dung", ""),
    ]
    assert event.data["missing"] == [birth_cert.name, proxy.name, "Ảnh chân dung"]


def test_a_free_item_has_its_own_reason_box_and_a_lacking_component_its_reason(people, login):
    """#17: the check page's free rows take a name and a reason each (the dossier page's rows);
    a required component left unticked without a reason is listed with "chưa có"."""
    from motcua.dossiers.reception import LACKING_REASON

    dossier = online_dossier(people, BIRTH)
    form, birth_cert, _proxy = rows(dossier)
    c = login(people.receptionist)
    page = c.get(f"/can-bo/cho-tiep-nhan/{dossier.code}/").content.decode()
    assert 'name="free1_text"' in page and 'name="free1_reason"' in page and 'name="missing_extra"' not in page
    response = post(c, dossier, outcome="supplement", present=[form.pk], free1_text="Giấy xác nhận cư trú")
    assert response.status_code == 400 and "Ghi nội dung cần bổ sung của «Giấy xác nhận cư trú»" in \
        response.content.decode()
    response = post(c, dossier, outcome="supplement", present=[form.pk], free1_text="Giấy xác nhận cư trú",
                    free1_reason="Còn thiếu, nộp bản chính")
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(dossier=dossier, kind="supplement_requested")
    assert [(i["component"], i["text"], i["reason"]) for i in event.data["items"]] == [
        (None, "Giấy xác nhận cư trú", "Còn thiếu, nộp bản chính"),
        (birth_cert.pk, birth_cert.name, LACKING_REASON),
    ]
