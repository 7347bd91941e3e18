"""/ho-so-cua-toi/: a citizen sees and acts on their own dossiers only, with the whole history."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import actions
from motcua.dossiers.models import DossierFile, Event, FileKind, Status

from .helpers import (
    APPLICANT_ID,
    APPLICANT_PHONE,
    PDF,
    completed,
    file_of,
    fresh,
    online_dossier,
    received,
    result_file,
    returned,
    upload,
)


def page(response) -> str:
    return response.content.decode()


# --- scoping --------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, people):
    response = client.get("/ho-so-cua-toi/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_it_lists_only_the_citizens_own_dossiers(citizen_client, people):
    mine = online_dossier(people)
    theirs = online_dossier(people, owner=people.citizen2)
    response = citizen_client.get("/ho-so-cua-toi/")
    assert response.status_code == 200
    assert mine.code in page(response)
    assert theirs.code not in page(response)
    assert "Đăng ký khai sinh" in page(response)
    assert "Mới đăng ký" in page(response)


def test_the_nav_links_to_my_dossiers_for_signed_in_users_only(client, people):
    assert "Hồ sơ của tôi" not in page(client.get("/"))
    client.force_login(people.citizen)
    assert 'href="/ho-so-cua-toi/"' in page(client.get("/"))


@pytest.mark.parametrize("suffix", ["", "giay-to/01.pdf", "giay-to/02.pdf", "rut/"])
def test_another_citizens_dossier_is_404(citizen_client, people, suffix):
    theirs = received(people, owner=people.citizen2)
    assert citizen_client.get(f"/ho-so-cua-toi/{theirs.code}/{suffix}").status_code == 404


def test_another_citizens_file_is_404_even_with_a_right_id(citizen_client, people):
    theirs = online_dossier(people, owner=people.citizen2)
    component = theirs.procedure_version.components.first()
    theirs_file = actions.add_file(theirs, actor=people.citizen2, upload=file_of(PDF), name="giay-to.pdf",
                                   component=component).file
    mine = online_dossier(people)
    assert citizen_client.get(f"/ho-so-cua-toi/{theirs.code}/tep/{theirs_file.pk}/").status_code == 404
    # Nor through my own dossier's address with their file's id.
    assert citizen_client.get(f"/ho-so-cua-toi/{mine.code}/tep/{theirs_file.pk}/").status_code == 404


def test_another_citizen_cannot_supply_or_withdraw(citizen_client, people):
    theirs = received(people, owner=people.citizen2)
    actions.request_supplement(theirs, actor=people.receptionist, missing=["Giấy chứng sinh"])
    theirs = fresh(theirs)
    response = citizen_client.post(f"/ho-so-cua-toi/{theirs.code}/bo-sung/", {"version": theirs.version})
    assert response.status_code == 404
    response = citizen_client.post(f"/ho-so-cua-toi/{theirs.code}/rut/", {"version": theirs.version, "confirm": "on"})
    assert response.status_code == 404
    assert fresh(theirs).status == Status.SUPPLEMENT_REQUESTED


def test_staff_see_only_what_they_submitted_here(client, people):
    d = received(people)
    client.force_login(people.receptionist)  # handles the dossier, but does not own it
    assert client.get(f"/ho-so-cua-toi/{d.code}/").status_code == 404


def test_an_unknown_or_absurd_code_is_404(citizen_client, people):
    for code in ["000.00.00.X00-260101-9999", "<script>", "x" * 300, "%00", "🙂"]:
        for suffix in ("", "tep/1/", "giay-to/01.pdf", "rut/"):
            assert citizen_client.get(f"/ho-so-cua-toi/{code}/{suffix}").status_code == 404
        assert citizen_client.post(f"/ho-so-cua-toi/{code}/bo-sung/").status_code == 404


# --- the dossier page ------------------------------------------------------------------------------


def test_the_page_shows_every_step_with_time_and_agency(citizen_client, people):
    d = completed(people, delivery="online")
    response = citizen_client.get(f"/ho-so-cua-toi/{d.code}/")
    assert response.status_code == 200
    html = page(response)
    for text in ("Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ", "Chuyển bước xử lý", "Thẩm tra, xử lý", "Ký duyệt",
                 "Vào sổ, trả kết quả", "Đã xử lý xong", "Ủy ban nhân dân phường Tân Thành"):
        assert text in html, text
    # The times of the events, in local time.
    assert "09:15 09/03/2026" in html and "09:20 09/03/2026" in html
    assert "Hoàn thành bước «Tiếp nhận hồ sơ»" in html
    # The due time and the delivery choice.
    assert "Hẹn trả kết quả" in html and "Nhận kết quả điện tử" in html
    # No staff names on the citizen's page.
    assert "TN_XA" not in html and "CV_XA" not in html


def test_the_page_offers_the_receipt_and_the_result_file(citizen_client, people):
    d = completed(people)
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert f"/ho-so-cua-toi/{d.code}/giay-to/01.pdf" in html
    assert "giay-to/06.pdf" not in html  # the agency's own record
    result = DossierFile.objects.get(dossier=d, kind=FileKind.RESULT)
    assert f"/ho-so-cua-toi/{d.code}/tep/{result.pk}/" in html
    pdf = citizen_client.get(f"/ho-so-cua-toi/{d.code}/giay-to/01.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    download = citizen_client.get(f"/ho-so-cua-toi/{d.code}/tep/{result.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_a_result_file_is_hidden_until_the_dossier_is_completed(citizen_client, people):
    d = received(people)
    actions.handover(d, actor=people.receptionist)
    actions.handover(d, actor=people.officer)
    actions.handover(d, actor=people.leader)
    file = result_file(d, people.clerk, dt.datetime.now(dt.UTC)).file
    assert fresh(d).status == Status.PROCESSING
    assert citizen_client.get(f"/ho-so-cua-toi/{d.code}/tep/{file.pk}/").status_code == 404
    assert f"/tep/{file.pk}/" not in page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))


def test_the_receipt_is_404_before_reception(citizen_client, people):
    d = online_dossier(people)
    assert citizen_client.get(f"/ho-so-cua-toi/{d.code}/giay-to/01.pdf").status_code == 404
    assert citizen_client.get(f"/ho-so-cua-toi/{d.code}/giay-to/99.pdf").status_code == 404


def test_the_list_invites_a_rating_after_return(citizen_client, people):
    d = returned(people)
    html = page(citizen_client.get("/ho-so-cua-toi/"))
    assert d.code in html and "Mời bạn đánh giá" in html
    detail = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Đánh giá mức độ hài lòng" in detail and 'name="c9"' in detail


# --- supplement ------------------------------------------------------------------------------------


def supply_post(client, d, files: dict, **extra):
    data = {"version": d.version, **extra, **files}
    return client.post(f"/ho-so-cua-toi/{d.code}/bo-sung/", data)


def test_a_supplement_at_reception_goes_back_to_the_counter(citizen_client, people):
    d = online_dossier(people)
    actions.request_supplement(d, actor=people.receptionist, missing=[
        "Giấy chứng sinh hoặc văn bản thay thế Giấy chứng sinh", "Bản sao sổ hộ khẩu của mẹ",
    ], note="Thiếu giấy chứng sinh")
    d = fresh(d)
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Cần bổ sung, hoàn thiện hồ sơ" in html
    assert "Giấy chứng sinh hoặc văn bản thay thế Giấy chứng sinh" in html and "Bản sao sổ hộ khẩu của mẹ" in html
    # The first item names a component; the second needs the citizen to say which document it is.
    assert 'name="giay-to-2"' in html and 'name="giay-to-1"' not in html
    other = d.procedure_version.components.get(name__startswith="Tờ khai")
    response = supply_post(citizen_client, d, {
        "tep-1": upload("chung-sinh.pdf", PDF), "tep-2": upload("ho-khau.pdf", PDF), "giay-to-2": str(other.pk),
    }, note="Đã bổ sung đủ")
    assert response.status_code == 302
    d = fresh(d)
    assert d.status == Status.SUBMITTED  # back to the counter's reception check
    files = list(DossierFile.objects.filter(dossier=d, kind=FileKind.SUPPLEMENT).order_by("id"))
    assert [f.original_name for f in files] == ["chung-sinh.pdf", "ho-khau.pdf"]
    assert files[0].component.name.startswith("Giấy chứng sinh") and files[1].component == other
    last = Event.objects.filter(dossier=d).order_by("-version").first()
    assert last.kind == "supplied" and last.actor == people.citizen and last.note == "Đã bổ sung đủ"
    follow = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Đã nộp bổ sung 2 tệp" in follow and "chung-sinh.pdf" in follow


def test_a_supplement_during_processing_returns_to_its_status_and_restarts_the_clock(citizen_client, people):
    d = received(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy chứng sinh"], note="Ảnh mờ")
    d = fresh(d)
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.paused_at is not None
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Ảnh mờ" in html and "tạm dừng" in html
    response = supply_post(citizen_client, d, {"tep-1": upload("chung-sinh.jpg", b"\xff\xd8\xff\xe0" + b"0" * 40)})
    assert response.status_code == 302
    d = fresh(d)
    assert d.status == Status.RECEIVED and d.paused_at is None


@pytest.mark.parametrize(("name", "content", "message"), [
    ("to-khai.pdf", b"MZ\x90\x00 not a pdf", "«to-khai.pdf» không phải PDF, JPEG, PNG hay TIFF"),
    ("rong.pdf", b"", "«rong.pdf» rỗng"),
])
def test_a_bad_file_is_refused_by_content_naming_the_file(citizen_client, people, name, content, message):
    d = received(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy chứng sinh"])
    d = fresh(d)
    response = supply_post(citizen_client, d, {"tep-1": upload(name, content)})
    assert response.status_code == 400
    assert message in page(response)
    d = fresh(d)
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert not DossierFile.objects.filter(dossier=d).exists()


def test_a_file_too_large_is_refused_with_the_limit(citizen_client, people, settings):
    settings.MOTCUA_MAX_UPLOAD_BYTES = 1024 * 1024
    d = received(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy chứng sinh"])
    d = fresh(d)
    response = supply_post(citizen_client, d, {"tep-1": upload("lon.pdf", PDF + b"0" * 1_250_000)})
    assert response.status_code == 400
    assert "Tệp «lon.pdf» lớn hơn giới hạn 1 MB (tệp này 1,2 MB)." in page(response)
    assert fresh(d).status == Status.SUPPLEMENT_REQUESTED


def test_supplying_without_a_file_or_component_says_what_to_do(citizen_client, people):
    d = online_dossier(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Một giấy tờ khác"])
    d = fresh(d)
    response = supply_post(citizen_client, d, {})
    assert response.status_code == 400 and "Chưa chọn tệp nào" in page(response)
    response = supply_post(citizen_client, d, {"tep-1": upload("a.pdf", PDF), "giay-to-1": "999999"})
    assert response.status_code == 400 and "Chọn giấy tờ tương ứng" in page(response)
    assert fresh(d).status == Status.SUPPLEMENT_REQUESTED


def test_a_stale_page_does_not_supply(citizen_client, people):
    d = received(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy chứng sinh"])
    stale = fresh(d)
    actions.supply(stale, actor=people.receptionist)  # the counter took the papers meanwhile
    response = supply_post(citizen_client, stale, {"tep-1": upload("a.pdf", PDF)})
    assert response.status_code == 302
    assert not DossierFile.objects.filter(dossier=d).exists()


def test_supply_is_refused_outside_status_5(citizen_client, people):
    d = received(people)
    response = supply_post(citizen_client, d, {"tep-1": upload("a.pdf", PDF)})
    assert response.status_code == 302
    assert fresh(d).status == Status.RECEIVED and not DossierFile.objects.filter(dossier=d).exists()


# --- withdraw --------------------------------------------------------------------------------------


def test_withdraw_needs_the_confirmation(citizen_client, people):
    d = received(people)
    confirm = citizen_client.get(f"/ho-so-cua-toi/{d.code}/rut/")
    assert confirm.status_code == 200 and "Xác nhận rút hồ sơ" in page(confirm)
    response = citizen_client.post(f"/ho-so-cua-toi/{d.code}/rut/", {"version": d.version, "reason": "Đổi ý"})
    assert response.status_code == 400 and "Hãy đánh dấu ô xác nhận" in page(response)
    assert fresh(d).status == Status.RECEIVED
    response = citizen_client.post(f"/ho-so-cua-toi/{d.code}/rut/",
                                   {"version": d.version, "reason": "Đổi ý", "confirm": "on"})
    assert response.status_code == 302
    d = fresh(d)
    assert d.status == Status.WITHDRAWN and d.events.order_by("-version").first().note == "Đổi ý"
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Đã rút hồ sơ" in html and "Rút hồ sơ" in html
    assert citizen_client.get(f"/ho-so-cua-toi/{d.code}/rut/").status_code == 302  # not twice


def test_withdraw_refuses_a_stale_version(citizen_client, people):
    d = received(people)
    actions.handover(d, actor=people.receptionist)
    response = citizen_client.post(f"/ho-so-cua-toi/{d.code}/rut/", {"version": d.version, "confirm": "on"})
    assert response.status_code == 302
    assert fresh(d).status == Status.PROCESSING


def test_bad_input_never_fails(citizen_client, people):
    d = received(people)
    for data in ({"version": "abc", "confirm": "on"}, {"version": "9" * 40}, {"reason": "x" * 5000, "version": 1},
                 {"reason": "\x00", "version": d.version, "confirm": "on"}):
        assert citizen_client.post(f"/ho-so-cua-toi/{d.code}/rut/", data).status_code in (302, 400)
    for data in ({"version": "abc"}, {"version": d.version, "giay-to-1": "<b>"}, {"note": "\x00"}):
        assert citizen_client.post(f"/ho-so-cua-toi/{d.code}/bo-sung/", data).status_code in (302, 400)
    assert citizen_client.get("/ho-so-cua-toi/?page=abc").status_code == 200
    assert citizen_client.get("/ho-so-cua-toi/?page=99999").status_code == 200


def test_fees_due_link_to_online_payment(citizen_client, people):
    from motcua.catalog.models import Fee

    d = received(people)
    Fee.objects.filter(version=d.procedure_version).update(amount_vnd=8000)
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Còn phải nộp" in html and "8.000 đ" in html
    assert f"/thanh-toan/ho-so/{d.code}/?next=%2Fho-so-cua-toi%2F" in html
    assert "Thanh toán trực tuyến" in html


def test_without_online_payment_fees_are_paid_at_the_counter(citizen_client, people):
    from motcua.catalog.models import Fee, ServiceLevel

    d = received(people)
    Fee.objects.filter(version=d.procedure_version).update(amount_vnd=8000)
    type(d.procedure_version).objects.filter(pk=d.procedure_version_id).update(level=ServiceLevel.PARTLY_ONLINE)
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "Còn phải nộp" in html and "8.000 đ" in html
    assert "Thanh toán trực tuyến" not in html and "Bộ phận Một cửa" in html


def test_a_signed_copy_replaces_its_source(citizen_client, people):
    from motcua.signing.models import SignedResult

    d = completed(people)
    source = DossierFile.objects.get(dossier=d, kind=FileKind.RESULT)
    copy = DossierFile.objects.create(
        dossier=d, kind=FileKind.RESULT, original_name="ket-qua-ky-so.pdf", content_type="application/pdf",
        size=source.size, sha256=source.sha256, storage_key=source.storage_key + ".signed",
        uploaded_at=source.uploaded_at,
    )
    SignedResult.objects.create(
        dossier=d, source_file=source, signed_file=copy, source_sha256=source.sha256, signed_sha256=copy.sha256,
        storage_key=copy.storage_key, agency=d.agency, signer_subject="UBND", signer_fingerprint="0" * 64,
        signed_at=source.uploaded_at,
    )
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert "ket-qua-ky-so.pdf" in html and "Đã ký số" in html and "/xac-thuc/" in html
    assert f"/tep/{source.pk}/" not in html
    assert citizen_client.get(f"/ho-so-cua-toi/{d.code}/tep/{source.pk}/").status_code == 404


def test_no_personal_data_of_others_leaks_into_my_list(citizen_client, people):
    online_dossier(people, owner=people.citizen2)
    html = page(citizen_client.get("/ho-so-cua-toi/"))
    assert APPLICANT_ID not in html and APPLICANT_PHONE not in html


def test_a_request_of_items_shows_one_upload_box_per_item_with_its_reason(citizen_client, people):
    d = online_dossier(people)
    components = list(d.procedure_version.components.order_by("order", "id"))
    actions.request_supplement(d, actor=people.receptionist, note="Gọi bộ phận một cửa nếu cần", items=[
        {"component": components[1], "reason": "Ảnh chụp bị mờ, không đọc được số"},
        {"text": "Giấy xác nhận cư trú", "reason": "Cần bản do công an xã cấp trong 30 ngày"},
    ])
    d = fresh(d)
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    assert html.count('<fieldset class="supply-row') == 2 and 'name="tep-1"' in html and 'name="tep-2"' in html
    assert f"1. {components[1].name}" in html and "2. Giấy xác nhận cư trú" in html
    assert "Ảnh chụp bị mờ, không đọc được số" in html and "Cần bản do công an xã cấp trong 30 ngày" in html
    assert 'aria-describedby="supply-1-reason"' in html
    # The note is the note, not a third box; the component item needs no choice, the free one does.
    assert "Gọi bộ phận một cửa nếu cần" in html and 'name="tep-3"' not in html
    assert 'name="giay-to-1"' not in html and 'name="giay-to-2"' in html
    response = supply_post(citizen_client, d, {
        "tep-1": upload("chung-sinh.pdf", PDF), "tep-2": upload("cu-tru.pdf", PDF), "giay-to-2": str(components[0].pk),
    })
    assert response.status_code == 302
    files = list(DossierFile.objects.filter(dossier=d, kind=FileKind.SUPPLEMENT).order_by("id"))
    assert [(f.original_name, f.component) for f in files] == [("chung-sinh.pdf", components[1]),
                                                               ("cu-tru.pdf", components[0])]
    assert fresh(d).status == Status.SUBMITTED


def test_the_due_time_names_its_weekday_the_vietnamese_way(citizen_client, people):
    from motcua.core.dates import TZ

    d = completed(people, delivery="online")
    html = page(citizen_client.get(f"/ho-so-cua-toi/{d.code}/"))
    due = d.due_at.astimezone(TZ)
    day = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][due.weekday()]
    assert f"{day}, {due:%d/%m/%Y %H:%M}" in html
    assert "Thứ 2" not in html and "Thứ hai" not in html


def test_the_postal_fee_is_written_with_a_thousands_dot(citizen_client, people, settings):
    # Django's floatformat does not group thousands in Vietnamese ("cước 25000 đồng").
    settings.MOTCUA_POSTAL_FEE_VND = 1_250_000
    mine = online_dossier(people, delivery="post", delivery_address="12 Lê Lợi, phường Tân Thành")
    assert mine.delivery_fee == 1_250_000
    text = page(citizen_client.get(f"/ho-so-cua-toi/{mine.code}/"))
    assert "cước 1.250.000 đồng" in text and "1250000" not in text
