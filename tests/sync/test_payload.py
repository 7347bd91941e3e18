"""The national-portal payload (docs/regulations.md §8): field names, codes, dates in +07:00."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.dossiers import actions
from motcua.dossiers.models import ApplicantKind, Event, Status
from motcua.sync import payload
from motcua.sync.client import accepted
from tests.dossiers.conftest import BIRTH, PDF, T0, at, counter_dossier, fresh, online_dossier, result_file

from .fake_portal import DOSSIER_FIELDS, validate


def test_it_formats_dates_as_yyyymmddhhmmss_in_vietnam_time():
    utc = dt.datetime(2026, 3, 9, 2, 15, 7, tzinfo=dt.UTC)
    assert payload.fmt(utc) == "20260309091507"
    assert payload.fmt(dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)) == "20270101030000"  # the next local day
    assert payload.fmt(None) == ""
    with pytest.raises(ValueError):
        payload.fmt(dt.datetime(2026, 3, 9, 9, 15))


def test_it_maps_every_status_to_the_portal_codes_1_to_10():
    assert sorted(payload.STATUS_CODES) == sorted(Status.values)
    assert sorted(payload.STATUS_CODES.values()) == list(range(1, 11))
    assert payload.STATUS_CODES[Status.AWAITING_PAYMENT] == 6 and payload.STATUS_CODES[Status.RETURNED] == 10


def test_it_builds_the_record_of_a_counter_reception(people):
    dossier = counter_dossier(people, BIRTH, T0)
    event = Event.objects.get(dossier=dossier, version=1)
    body = payload.envelope(fresh(dossier), event)
    assert validate(body) == []
    assert body["service"] == "DongBoHoSoMC" and body["isUpdating"] is False
    [record] = body["data"]
    assert set(DOSSIER_FIELDS) <= set(record)
    version = dossier.procedure_version
    assert record["MaHoSo"] == dossier.code and record["MaTTHC"] == BIRTH
    assert (record["TenTTHC"], record["MaLinhVuc"]) == (version.name, version.sector.code)
    assert record["TrangThaiHoSo"] == 2 and record["KenhThucHien"] == 1
    assert record["NgayTiepNhan"] == "20260309091500"
    assert record["NgayHenTra"] == "20260309170000"  # same-day case: the close of the day
    assert record["NgayTra"] == "" and record["NgayKetThucXuLy"] == ""
    assert (record["ChuHoSo"], record["LoaiDoiTuong"], record["MaDoiTuong"]) == ("Nguyễn Văn An", 1, "096090001234")
    assert record["DonViXuLy"] == people.commune.name
    fees = list(version.fees.order_by("order", "id"))
    assert [(f["TenPhiLePhi"], f["Gia"]) for f in record["DanhSachLePhi"]] == [(f.name, f.amount_vnd) for f in fees]
    assert len(fees) == 1 and record["DanhSachLePhi"][0]["LoaiPhiLePhi"] == 2  # "Lệ phí …"
    assert record["TaiLieuNop"] == [] and record["DanhSachGiayToKetQua"] == []


def test_an_online_submission_has_channel_2_and_no_reception_date(people):
    dossier = online_dossier(people, BIRTH, T0)
    record = payload.envelope(dossier, Event.objects.get(dossier=dossier, version=1))["data"][0]
    assert (record["KenhThucHien"], record["TrangThaiHoSo"], record["NgayTiepNhan"]) == (2, 1, "")


def test_files_results_and_later_changes_are_reported(people):
    dossier = counter_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.order_by("order", "id").first()
    actions.add_file(dossier, actor=people.receptionist, upload=io.BytesIO(PDF), name="to-khai.pdf",
                     component=component, source="scanned", at=at(9, 9, 30))
    for actor, minutes in ((people.receptionist, 40), (people.officer, 50), (people.leader, 60)):
        actions.handover(dossier, actor=actor, at=T0 + dt.timedelta(minutes=minutes))
    result_file(fresh(dossier), people.clerk, at(9, 11))
    done = actions.complete(fresh(dossier), actor=people.clerk, note="Đã ký", at=at(9, 11, 30))
    body = payload.envelope(fresh(dossier), done.event)
    assert validate(body) == [] and body["isUpdating"] is True
    record = body["data"][0]
    assert record["TrangThaiHoSo"] == 9 and record["NgayKetThucXuLy"] == "20260309113000"
    assert record["GhiChu"] == "Đã ký"
    [submitted] = record["TaiLieuNop"]
    assert (submitted["TenTepDinhKem"], submitted["DuocSoHoa"], submitted["IsDeleted"]) == ("to-khai.pdf", True, False)
    assert submitted["MaThanhPhanHoSo"] == str(component.pk)
    assert record["HoSoCoThanhPhanSoHoa"] == 1
    assert [r["TenGiayTo"] for r in record["DanhSachGiayToKetQua"]] == ["ket-qua.pdf"]


def test_an_organisation_is_applicant_kind_2(people):
    dossier = counter_dossier(people, BIRTH, T0)
    dossier.applicant_kind = ApplicantKind.ORGANISATION  # in memory only: the mapping, not the action
    record = payload.dossier_data(dossier, Event.objects.get(dossier=dossier, version=1))
    assert record["LoaiDoiTuong"] == 2


def test_a_handover_makes_a_progress_record(people):
    dossier = counter_dossier(people, BIRTH, T0)
    actions.handover(dossier, actor=people.receptionist, at=at(9, 9, 40))
    second = actions.handover(fresh(dossier), actor=people.officer, at=at(9, 10, 5))
    body = payload.progress_envelope(fresh(dossier), second.event)
    assert validate(body) == []
    record = body["data"][0]
    assert record["ThoiDiemXuLy"] == "20260309100500" and record["TrangThai"] == 4
    assert record["NguoiXuLy"] == "CV_XA"


@pytest.mark.parametrize(("status", "body", "ok"), [
    (200, '{"error_code": 0, "message": "ok"}', True),
    (200, '{"error_code": "0"}', True),
    (200, '{"message": "ok"}', True),
    (200, '{"error_code": 3, "message": "sai"}', False),
    (200, "<html>502</html>", False),
    (200, "[1, 2]", False),
    (200, "", False),
    (500, '{"error_code": 0}', False),
    (302, '{"error_code": 0}', False),
])
def test_only_a_json_success_counts_as_accepted(status, body, ok):
    assert accepted(status, body) is ok


def test_the_fake_portal_really_refuses_bad_payloads(people):
    import copy

    dossier = counter_dossier(people, BIRTH, T0)
    good = payload.envelope(dossier, Event.objects.get(dossier=dossier, version=1))
    assert validate(good) == []

    def broken(**changes):
        body = copy.deepcopy(good)
        for name, value in changes.items():
            if value is None:
                del body["data"][0][name]
            else:
                body["data"][0][name] = value
        return validate(body)

    assert broken(MaTTHC=None) == ["thiếu trường MaTTHC"]
    assert broken(TrangThaiHoSo=11) == ["TrangThaiHoSo ngoài 1–10"]
    assert broken(TrangThaiHoSo="2") == ["TrangThaiHoSo sai kiểu"]
    assert broken(NgayHenTra="20260230170000") == ["ngày không tồn tại: '20260230170000'"]
    assert broken(NgayTiepNhan="") == ["hồ sơ đã tiếp nhận phải có NgayTiepNhan"]
    assert broken(KenhThucHien=4) == ["KenhThucHien ngoài 1–3"]
    assert broken(DanhSachLePhi=[{"TenPhiLePhi": "x"}]) == ["DanhSachLePhi: thiếu trường"]
    assert validate({"service": "Khac", "data": [{}]}) == ["dịch vụ không hỗ trợ: 'Khac'"]
    assert validate([]) == ["thân yêu cầu không phải đối tượng JSON"]


def test_a_supplement_request_of_items_is_reported_as_before(people):
    """#17: the items and their reasons stay ours; the portal gets the status and the note, as it did."""
    import json

    dossier = counter_dossier(people, BIRTH, T0)
    component = dossier.procedure_version.components.order_by("order", "id").first()
    done = actions.request_supplement(dossier, actor=people.receptionist, note="Thiếu giấy tờ", at=at(9, 10), items=[
        {"component": component, "reason": "Ảnh chụp bị mờ"}, {"text": "Giấy xác nhận cư trú", "reason": "Còn thiếu"}])
    body = payload.envelope(fresh(dossier), done.event)
    assert validate(body) == []
    record = body["data"][0]
    assert record["TrangThaiHoSo"] == 5 and record["GhiChu"] == "Thiếu giấy tờ"
    assert "Ảnh chụp bị mờ" not in json.dumps(body, ensure_ascii=False)
    old = counter_dossier(people, BIRTH, T0)
    before = actions.request_supplement(old, actor=people.receptionist, note="Thiếu giấy tờ", at=at(9, 10),
                                        missing=[component.name, "Giấy xác nhận cư trú"])
    record_before = payload.envelope(fresh(old), before.event)["data"][0]
    assert set(record_before) == set(record) and record_before["GhiChu"] == record["GhiChu"]
