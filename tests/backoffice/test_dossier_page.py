"""The dossier page: facts, files, the process control sheet, and every action form, each posting the
version the user saw (a stale version gets a clear message, never a 500)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.dossiers import actions
from motcua.dossiers.models import Event, Status

from .conftest import BIRTH, PDF, PNG, TZ, add_component_file, counter_dossier, fresh

MONDAY = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)


def page(c, dossier) -> str:
    response = c.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.status_code == 200
    return response.content.decode()


def act(c, dossier, action: str, version: int | None = None, **fields):
    data = {f"{action}-version": dossier.version if version is None else version, f"{action}-token": ""}
    files = {}
    for name, value in fields.items():
        key = f"{action}-{name}"
        if isinstance(value, SimpleUploadedFile | list) and name == "files":
            files[key] = value
        else:
            data[key] = value
    return c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", {**data, **files})


def follow(c, response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return c.get(response["Location"]).content.decode()


def panels(html: str) -> set[str]:
    return set(re.findall(r'id="thao-tac-([a-z_]+)"', html))


def to_clerk(people, dossier):
    actions.handover(dossier, actor=people.receptionist)
    actions.handover(fresh(dossier), actor=people.officer)
    actions.handover(fresh(dossier), actor=people.leader)
    return fresh(dossier)


def test_it_shows_the_dossier_and_only_the_actions_allowed_now(people, login):
    dossier = counter_dossier(people, BIRTH)
    add_component_file(dossier, people.receptionist, name="to-khai.pdf")
    dossier = fresh(dossier)
    html = page(login(people.receptionist), dossier)
    for text in (dossier.code, "Nguyễn Văn An", "096090001234", "Đăng ký khai sinh", BIRTH, "phiên bản 1",
                 "2. Được tiếp nhận", "Hẹn trả kết quả", "Hạn của bước", "to-khai.pdf",
                 "Phiếu kiểm soát quá trình giải quyết", "Tiếp nhận hồ sơ", dossier.tracking_key):
        assert text in html, text
    assert f'href="/can-bo/ho-so/{dossier.code}/mau/01.pdf"' in html
    assert f'href="/can-bo/ho-so/{dossier.code}/mau/06.pdf"' in html
    shown = panels(html)
    assert {"handover", "component_files", "stop", "withdraw"} <= shown
    assert not shown & {"complete", "return_result", "claim", "result_files", "resume", "return_to_previous"}
    # The officer sees the dossier but has nothing to do yet.
    assert panels(page(login(people.officer), dossier)) == set()


def test_it_hands_over_to_a_person(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    html = page(c, dossier)
    assert f'<option value="{people.officer.pk}">' in html and "Cả nhóm chuyên viên" in html
    text = follow(c, act(c, dossier, "handover", to_user=people.officer.pk, note="Đủ giấy tờ"))
    assert "Đã chuyển hồ sơ" in text and "Thẩm tra, xử lý" in text
    dossier = fresh(dossier)
    assert dossier.assignee == people.officer and dossier.status == Status.PROCESSING
    event = Event.objects.get(dossier=dossier, kind="handover")
    assert (event.from_assignee, event.to_assignee, event.actor, event.note) == (
        people.receptionist, people.officer, people.receptionist, "Đủ giấy tờ")
    html = page(login(people.officer), dossier)
    assert "Trước hạn" in html or "Đúng hạn" in html or "Quá hạn" in html  # the step's punctuality


def test_it_refuses_a_target_who_does_not_hold_the_role(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    response = act(c, dossier, "handover", to_user=people.leader.pk)
    assert response.status_code == 400 and "Select a valid choice" not in response.content.decode()
    assert fresh(dossier).status == Status.RECEIVED


def test_it_hands_over_to_the_pool_and_a_member_claims_it(people, login):
    dossier = counter_dossier(people, BIRTH)
    follow(login(people.receptionist), act(login(people.receptionist), dossier, "handover"))
    dossier = fresh(dossier)
    assert dossier.assignee is None and dossier.current_role == "officer"
    c = login(people.officer2)
    html = page(c, dossier)
    assert "Nhóm vai trò: Chuyên viên" in html and {"claim", "handover"} <= panels(html)
    assert "Bạn đã nhận xử lý" in follow(c, act(c, dossier, "claim"))
    assert fresh(dossier).assignee == people.officer2
    assert "claim" not in panels(page(login(people.officer), fresh(dossier)))


def test_it_returns_to_the_previous_step_with_a_reason(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist, to_user=people.officer)
    dossier = fresh(dossier)
    c = login(people.officer)
    response = act(c, dossier, "return_to_previous", reason="")
    assert response.status_code == 400 and "Cần nhập lý do" in response.content.decode()
    assert 'id="thao-tac-return_to_previous" open' in response.content.decode()
    text = follow(c, act(c, dossier, "return_to_previous", reason="Thiếu chữ ký trên tờ khai"))
    assert "Đã trả hồ sơ" in text
    dossier = fresh(dossier)
    assert dossier.current_step.name == "Tiếp nhận hồ sơ" and dossier.assignee == people.receptionist


def test_it_requests_a_supplement_during_processing_and_warns_before_a_second(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist, to_user=people.officer)
    dossier = fresh(dossier)
    c = login(people.officer)
    html = page(c, dossier)
    assert "Đồng hồ dừng" in html and "Cảnh báo:" not in html
    assert "Cần liệt kê" in act(c, dossier, "request_supplement", missing="  \n ").content.decode()
    text = follow(c, act(c, dossier, "request_supplement", missing="Bản sao CCCD của mẹ\nGiấy xác nhận cư trú"))
    assert "Đã yêu cầu bổ sung" in text and "/mau/02.pdf" in text
    dossier = fresh(dossier)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.paused_at is not None
    assert Event.objects.get(dossier=dossier, kind="supplement_requested").data["missing"] == [
        "Bản sao CCCD của mẹ", "Giấy xác nhận cư trú"]
    # The applicant brings the papers to the counter: the counter records the supply with a scan.
    counter = login(people.receptionist)
    component = dossier.procedure_version.components.order_by("order", "id")[1]
    text = follow(counter, act(counter, dossier, "supply", component=component.pk, note="Đã nộp đủ",
                               files=SimpleUploadedFile("cccd-me.png", PNG)))
    assert "Đã ghi nhận bổ sung" in text
    dossier = fresh(dossier)
    assert dossier.status == Status.PROCESSING and dossier.paused_at is None
    assert dossier.files.filter(kind="supplement", original_name="cccd-me.png").exists()
    # A second request is allowed but counts the dossier as late: the page says so first.
    html = page(c, dossier)
    assert "Cảnh báo:" in html and "QUÁ HẠN" in html
    text = follow(c, act(c, dossier, "request_supplement", missing="Giấy tờ khác"))
    assert "bị tính là quá hạn" in text
    assert fresh(dossier).counts_as_late


def test_it_pauses_and_resumes_the_clock(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist, to_user=people.officer)
    dossier = fresh(dossier)
    c = login(people.officer)
    assert "Cần nhập lý do" in act(c, dossier, "pause", kind="other", reason="").content.decode()
    assert "Đã tạm dừng" in follow(c, act(c, dossier, "pause", kind="payment", reason="Chờ nộp lệ phí"))
    dossier = fresh(dossier)
    assert dossier.status == Status.AWAITING_PAYMENT and dossier.paused_at is not None
    html = page(c, dossier)
    assert "resume" in panels(html) and "handover" not in panels(html)
    assert "Đã tiếp tục xử lý" in follow(c, act(c, dossier, "resume"))
    assert fresh(dossier).status == Status.PROCESSING


def test_it_extends_before_the_due_time_with_a_reason(people, login):
    dossier = counter_dossier(people, "2.000488")  # 10 working days
    c = login(people.centre_receptionist)
    due = timezone.localtime(dossier.due_at)
    earlier = (due - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = act(c, dossier, "extend", new_due_at=earlier, reason="Cần xác minh thêm")
    assert response.status_code == 400 and "Thời hạn mới phải sau thời hạn hiện tại" in response.content.decode()
    response = act(c, dossier, "extend", new_due_at="31/02/2026 25:00", reason="x")
    assert "Ngày giờ không hợp lệ" in response.content.decode()
    # The form posts minutes only; the dossier was received (and is due) at a time with seconds.
    later = (due + dt.timedelta(days=3)).replace(hour=16, minute=0, second=0, microsecond=0)
    text = follow(c, act(c, dossier, "extend", new_due_at=later.strftime("%Y-%m-%dT%H:%M"),
                         reason="Chờ kết quả xác minh của cơ quan công an"))
    assert "Đã gia hạn" in text and "/mau/04.pdf" in text
    dossier = fresh(dossier)
    assert dossier.due_at == later and dossier.extension_count == 1


def test_it_offers_no_extension_once_the_due_time_has_passed(people, login):
    dossier = counter_dossier(people, BIRTH, when=MONDAY)
    html = page(login(people.receptionist), dossier)
    assert "extend" not in panels(html) and "Quá hạn" in html


def test_it_stops_processing_with_a_notice(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    assert "Cần nhập lý do" in act(c, dossier, "stop", reason="").content.decode()
    text = follow(c, act(c, dossier, "stop", reason="Người yêu cầu đã chết trước khi có kết quả"))
    assert "Đã dừng xử lý" in text and "/mau/05.pdf" in text
    assert fresh(dossier).status == Status.STOPPED


def test_it_attaches_the_result_then_completes_then_returns_it_at_the_counter(people, login):
    dossier = to_clerk(people, counter_dossier(people, BIRTH))
    clerk = login(people.clerk)
    html = page(clerk, dossier)
    assert "complete" not in panels(html) and "result_files" in panels(html)
    assert "Đính kèm ít nhất một tệp kết quả" in html
    response = act(clerk, dossier, "result_files", files=SimpleUploadedFile("ket-qua.docx", b"PK\x03\x04docx"))
    assert response.status_code == 400 and "Tệp «ket-qua.docx» không phải PDF" in response.content.decode()
    response = act(clerk, dossier, "result_files")
    assert "Chưa chọn tệp nào" in response.content.decode()
    text = follow(clerk, act(clerk, dossier, "result_files", files=[
        SimpleUploadedFile("trich-luc-khai-sinh.pdf", PDF), SimpleUploadedFile("ban-sao.png", PNG)]))
    assert "Đã lưu 2 tệp" in text and "trich-luc-khai-sinh.pdf" in text
    dossier = fresh(dossier)
    assert "Đã hoàn thành xử lý" in follow(clerk, act(clerk, dossier, "complete"))
    dossier = fresh(dossier)
    assert dossier.status == Status.COMPLETED

    counter = login(people.receptionist)
    assert dossier.code in counter.get("/can-bo/tra-ket-qua/").content.decode()
    response = act(counter, dossier, "return_result", originals_checked="on", applicant_signed="on",
                   fee_collected="8000", receipt_number="")
    assert "Đã thu phí thì cần nhập số biên lai" in response.content.decode()
    for bad in ("8,5", "-8000", "tám nghìn", "８０００"):
        response = act(counter, dossier, "return_result", fee_collected=bad, receipt_number="BL1")
        assert "Số tiền là số nguyên" in response.content.decode(), bad
    text = follow(counter, act(counter, dossier, "return_result", originals_checked="on", applicant_signed="on",
                               fee_collected="8.000 đ", receipt_number="BL-0042"))
    assert "Đã trả kết quả" in text and "10. Đã trả kết quả" in text
    dossier = fresh(dossier)
    assert (dossier.status, dossier.originals_checked, dossier.applicant_signed, dossier.fee_collected,
            dossier.receipt_number) == (Status.RETURNED, True, True, 8000, "BL-0042")
    assert panels(page(counter, dossier)) == set()


def test_it_withdraws_on_the_applicants_request(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    assert "Cần xác nhận người nộp đã yêu cầu rút" in act(c, dossier, "withdraw", reason="x").content.decode()
    text = follow(c, act(c, dossier, "withdraw", confirm="on", reason="Người nộp xin rút để bổ sung sau"))
    assert "Đã ghi nhận người nộp rút hồ sơ" in text
    assert fresh(dossier).status == Status.WITHDRAWN


def test_it_adds_scans_of_a_component(people, login):
    dossier = counter_dossier(people, BIRTH)
    component = dossier.procedure_version.components.order_by("order", "id")[2]
    c = login(people.receptionist)
    text = follow(c, act(c, dossier, "component_files", component=component.pk,
                         files=SimpleUploadedFile("uy-quyen.pdf", PDF)))
    assert "Đã lưu 1 tệp" in text and "uy-quyen.pdf" in text
    assert dossier.files.get().component == component


def test_it_tells_the_slower_of_two_officers_that_someone_else_acted(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist)  # to the officers' pool
    dossier = fresh(dossier)
    first, second = login(people.officer), login(people.officer2)
    seen = dossier.version
    assert page(first, dossier) and page(second, dossier)  # both open the page
    follow(first, act(first, dossier, "handover", version=seen))
    response = act(second, dossier, "handover", version=seen)
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    text = second.get(response["Location"]).content.decode()
    assert "Hồ sơ vừa được người khác cập nhật" in text
    assert Event.objects.filter(dossier=dossier, kind="handover").count() == 2  # reception + one officer
    assert fresh(dossier).current_role == "leader"


def test_it_maps_refusals_of_the_action_layer_to_messages(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    text = c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/complete/",
                  {"complete-version": dossier.version}, follow=True).content.decode()
    assert "hiện không thực hiện được" in text
    assert c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/explode/", {}).status_code == 404
    response = c.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/handover/", {"handover-version": "abc"})
    assert response.status_code == 400  # the form is shown again, never a 500
    response = act(c, dossier, "stop", reason="Ừ" * 5000)
    assert response.status_code == 400 and "dài quá" in response.content.decode()
    assert fresh(dossier).status == Status.RECEIVED
    assert c.get(f"/can-bo/ho-so/{dossier.code}/thao-tac/handover/").status_code == 405


def test_it_links_errors_to_their_fields(people, login):
    dossier = counter_dossier(people, BIRTH)
    html = act(login(people.receptionist), dossier, "stop", reason="").content.decode()
    assert re.search(r'<textarea[^>]*aria-invalid="true"', html)
    assert re.search(r'<textarea[^>]*aria-describedby="id_stop-reason-error[^"]*"', html)
    assert 'id="id_stop-reason-error"' in html


def test_it_treats_a_double_click_as_one_action(people, login):
    dossier = counter_dossier(people, BIRTH)
    c = login(people.receptionist)
    data = {"handover-version": dossier.version, "handover-token": "0123456789abcdef0123456789abcdef"}
    url = f"/can-bo/ho-so/{dossier.code}/thao-tac/handover/"
    assert c.post(url, data).status_code == 302
    response = c.post(url, data)
    assert response.status_code == 302
    text = c.get(response["Location"]).content.decode()
    assert "đã được thực hiện ở lần bấm trước" in text and "người khác cập nhật" not in text
    assert Event.objects.filter(dossier=dossier, kind="handover").count() == 1


def test_it_builds_the_dossier_page_in_a_bounded_number_of_queries(people, login, django_assert_max_num_queries):
    dossier = counter_dossier(people, BIRTH)
    for i in range(6):
        add_component_file(dossier, people.receptionist, name=f"trang-{i}.pdf")
    c = login(people.receptionist)
    c.get(f"/can-bo/ho-so/{dossier.code}/")
    # 16 + the personal-data access log (chain head, insert) + the working calendar's freshness
    # check (the "due soon" rule reads the step's quota in working time on every open dossier, #17)
    # + the version's fees, read once for the fee row and the fee panel (#17; payments and refunds
    # are read only when something is due or paid).
    with django_assert_max_num_queries(20):
        response = c.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.content.decode().count("trang-") >= 6


def test_it_requests_a_supplement_item_by_item_with_errors_named_per_field(people, login):
    dossier = counter_dossier(people, BIRTH)
    actions.handover(dossier, actor=people.receptionist, to_user=people.officer)
    dossier = fresh(dossier)
    components = list(dossier.procedure_version.components.order_by("order", "id"))
    birth_paper = components[1]
    c = login(people.officer)
    html = page(c, dossier)
    assert f'name="request_supplement-c{birth_paper.pk}"' in html
    assert f'name="request_supplement-c{birth_paper.pk}_reason"' in html
    assert 'name="request_supplement-free1_text"' in html
    assert f"{birth_paper.name} (bản chính, {birth_paper.copies} bản)" in html
    # A ticked component without a reason, a free item without a name: each error on its own field.
    response = act(c, dossier, "request_supplement", **{f"c{birth_paper.pk}": "on", "free1_reason": "Thiếu"})
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="id_request_supplement-c{birth_paper.pk}_reason-error"' in text
    assert "Ghi nội dung cần bổ sung của" in text
    assert 'id="id_request_supplement-free1_text-error"' in text and "Ghi tên giấy tờ khác 1" in text
    assert 'aria-invalid="true"' in text
    text = follow(c, act(c, dossier, "request_supplement", note="Liên hệ chị Lan nếu cần", **{
        f"c{birth_paper.pk}": "on", f"c{birth_paper.pk}_reason": "Ảnh chụp bị mờ",
        "free1_text": "Giấy xác nhận cư trú", "free1_reason": "Cần bản do công an xã cấp"}))
    assert "Đã yêu cầu bổ sung" in text
    event = Event.objects.get(dossier=dossier, kind="supplement_requested")
    assert [(i["component"], i["text"], i["reason"]) for i in event.data["items"]] == [
        (birth_paper.pk, birth_paper.name, "Ảnh chụp bị mờ"),
        (None, "Giấy xác nhận cư trú", "Cần bản do công an xã cấp")]
    assert event.note == "Liên hệ chị Lan nếu cần"  # the note is not an item
    assert fresh(dossier).status == Status.SUPPLEMENT_REQUESTED
    assert "Giấy xác nhận cư trú — <em>Cần bản do công an xã cấp</em>" in page(c, fresh(dossier))
