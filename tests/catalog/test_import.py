import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.agencies.models import Agency
from motcua.catalog.importer import CatalogError, export_catalog, import_catalog
from motcua.catalog.models import Procedure, ProcedureVersion


def test_it_imports_the_sample_catalogue(catalog, sample_data):
    assert Agency.objects.count() == len(sample_data["agencies"])
    assert Procedure.objects.count() == len(sample_data["procedures"])
    birth = Procedure.objects.get(code="1.001193").published
    assert birth.name == "Đăng ký khai sinh"
    assert birth.state == ProcedureVersion.State.PUBLISHED
    assert birth.level == 4
    assert birth.receiving_agency.unit_code == "000.21.01.H12"
    case = birth.cases.get()
    assert case.time_unit == "same_day"
    assert case.cutoff_time.strftime("%H:%M") == "15:00"
    assert [s.role for s in case.steps.all()] == ["receptionist", "officer", "leader", "clerk"]
    assert birth.components.count() == 3
    assert birth.components.first().form.filename == "to-khai-dang-ky-khai-sinh.docx"
    assert Agency.objects.get(unit_code="000.00.01.H12").parent.unit_code == "000.00.00.H12"


def test_it_changes_nothing_when_importing_twice(catalog, sample_data):
    versions = ProcedureVersion.objects.count()
    report = import_catalog(sample_data)
    assert not report.changed
    assert len(report.procedures_unchanged) == len(sample_data["procedures"])
    assert ProcedureVersion.objects.count() == versions


def test_it_makes_a_new_version_of_a_changed_procedure(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    proc = next(p for p in data["procedures"] if p["code"] == "2.000488")
    proc["cases"][0]["time"]["amount"] = 8
    proc["cases"][0]["steps"][1]["quota_hours"] -= 16  # the workflow must still fit in the shorter legal time
    report = import_catalog(data)
    assert report.procedures_versioned == ["2.000488"]
    procedure = Procedure.objects.get(code="2.000488")
    states = dict(procedure.versions.values_list("number", "state"))
    assert states == {1: "retired", 2: "published"}
    assert procedure.published.number == 2
    assert procedure.published.cases.get().time_amount == 8
    # The old version keeps its own time: dossiers received under it are not changed.
    assert procedure.versions.get(number=1).cases.get().time_amount == 10
    # And importing the changed file again changes nothing more.
    assert not import_catalog(data).changed


def test_it_round_trips_through_export(catalog):
    exported = export_catalog()
    assert not import_catalog(json.loads(json.dumps(exported))).changed
    codes = [p["code"] for p in exported["procedures"]]
    assert "1.001193" in codes


def test_it_names_the_procedure_and_field_of_a_bad_file(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    data["procedures"][2]["cases"][0]["time"]["unit"] = "fortnights"
    data["procedures"][3]["components"][0]["copies"] = 0
    data["procedures"][4]["sector"] = "NOPE"
    with pytest.raises(CatalogError) as err:
        import_catalog(data)
    text = str(err.value)
    code2, code3, code4 = (data["procedures"][i]["code"] for i in (2, 3, 4))
    assert f"Thủ tục {code2}" in text and "'unit'" in text and "fortnights" in text
    assert f"Thủ tục {code3}" in text and "'copies'" in text
    assert f"Thủ tục {code4}" in text and "'sector'" in text


def test_it_imports_nothing_from_a_file_with_one_bad_procedure(db, sample_data):
    data = copy.deepcopy(sample_data)
    data["procedures"][-1]["agency"] = "999.99.99.X99"
    with pytest.raises(CatalogError):
        import_catalog(data)
    assert Agency.objects.count() == 0
    assert Procedure.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [[], "text", {"procedures": "x"}, {"procedures": [None]}, {"procedures": [{"code": 5}]},
     {"agencies": [{"unit_code": "lower.case", "name": "x", "kind": "province"}]}],
)
def test_it_refuses_malformed_structures(db, data):
    with pytest.raises(CatalogError):
        import_catalog(data)


def test_it_refuses_an_agency_cycle(db):
    data = {"agencies": [
        {"unit_code": "000.00.01.A01", "name": "A", "kind": "department", "parent": "000.00.01.A02"},
        {"unit_code": "000.00.01.A02", "name": "B", "kind": "department", "parent": "000.00.01.A01"},
    ]}
    with pytest.raises(CatalogError, match="vòng lặp"):
        import_catalog(data)
    assert Agency.objects.count() == 0


def test_it_reports_bad_files_from_the_command(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("import_catalog", str(bad))
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_catalog", str(tmp_path / "missing.json"))


def test_it_exports_and_imports_through_the_commands(catalog, tmp_path, capsys):
    out = tmp_path / "export.json"
    call_command("export_catalog", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["procedures"]) == 10
    call_command("import_catalog", str(out))
    assert "10 không đổi" in capsys.readouterr().out


def test_it_carries_an_eform_and_round_trips_it(catalog, sample_data):
    from motcua.eforms.models import EForm

    data = copy.deepcopy(sample_data)
    proc = next(p for p in data["procedures"] if p["code"] == "1.000894")
    proc["eform"] = {"title": "Tờ khai đăng ký kết hôn", "schema": [
        {"key": "ho_ten_nu", "label": "Họ, chữ đệm, tên bên nữ", "type": "text", "required": True},
    ]}
    report = import_catalog(data)
    assert report.procedures_versioned == ["1.000894"]
    version = Procedure.objects.get(code="1.000894").published
    assert EForm.objects.get(procedure_version=version).schema[0]["key"] == "ho_ten_nu"
    assert not import_catalog(json.loads(json.dumps(export_catalog()))).changed


def test_it_names_a_broken_eform(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    data["procedures"][0]["eform"] = {"title": "", "schema": [{"key": "a", "type": "nonsense"}]}
    with pytest.raises(CatalogError) as err:
        import_catalog(data)
    assert "'eform'" in str(err.value)


def test_it_keeps_an_agencys_eform_when_the_catalogue_changes(catalog, sample_data):
    from motcua.eforms.models import EForm
    from motcua.eforms.services import eform_from_dict

    version = Procedure.objects.get(code="2.000488").published
    eform_from_dict(version, {"title": "Tờ khai LLTP", "schema": [{"key": "x", "label": "X", "type": "text"}]})
    assert not import_catalog(sample_data).changed  # the file says nothing of e-forms
    data = copy.deepcopy(sample_data)
    next(p for p in data["procedures"] if p["code"] == "2.000488")["result"] = "Phiếu lý lịch tư pháp (mới)"
    import_catalog(data)
    new = Procedure.objects.get(code="2.000488").published
    assert new.pk != version.pk
    assert EForm.objects.get(procedure_version=new).title == "Tờ khai LLTP"


def test_the_sample_catalogue_passes_the_publication_check(catalog):
    """The demo's catalogue imports through the publication check (#15): every workflow fits."""
    from motcua.catalog.validation import validate_draft

    published = list(ProcedureVersion.objects.filter(state="published"))
    assert published and all(validate_draft(v, levels=False) == [] for v in published)


def test_an_import_over_the_legal_time_is_refused_and_writes_nothing(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    proc = next(p for p in data["procedures"] if p["code"] == "2.000488")
    proc["cases"][0]["time"]["amount"] = 8  # the sample's steps need 10 working days
    proc["name"] = "Cấp Phiếu lý lịch tư pháp (sửa)"
    before = ProcedureVersion.objects.count()
    with pytest.raises(CatalogError) as err:
        import_catalog(data)
    [problem] = err.value.problems
    assert problem.startswith("Thủ tục 2.000488 (thứ ") and "vượt thời hạn giải quyết" in problem
    assert ProcedureVersion.objects.count() == before
    assert Procedure.objects.get(code="2.000488").published.number == 1


def test_it_reports_what_a_stated_level_still_needs(catalog, sample_data):
    data = copy.deepcopy(sample_data)
    proc = copy.deepcopy(next(p for p in data["procedures"] if p["code"] == "2.001610"))
    proc.update(code="9.000001", name="Thủ tục thử mức 3", level=3)
    proc.pop("eform", None)
    data["procedures"] = [proc]
    report = import_catalog(data)
    # Imported and published at the stated level, and the admin is told what it lacks.
    assert Procedure.objects.get(code="9.000001").published.level == 3
    assert report.warnings == ["Thủ tục 9.000001: mức độ 3 chưa đủ điều kiện: "
                               "Cần biểu mẫu điện tử (tờ khai trực tuyến) có ít nhất một trường."]
    proc["name"] = "Thủ tục thử mức 2"
    proc["level"] = 2
    assert import_catalog(data).warnings == []


def test_it_carries_the_approval_step_flag(catalog):
    from motcua.catalog.models import Procedure

    exported = export_catalog()
    birth = next(p for p in exported["procedures"] if p["code"] == "1.001193")
    assert all("approval" not in s for c in birth["cases"] for s in c["steps"])  # false: absent
    birth["cases"][0]["steps"][2]["approval"] = True
    assert import_catalog(json.loads(json.dumps(exported))).changed
    version = Procedure.objects.get(code="1.001193").versions.order_by("-number").first()
    steps = list(version.cases.order_by("order").first().steps.order_by("order"))
    assert [s.approval for s in steps].count(True) == 1 and steps[2].approval
    again = export_catalog()
    assert next(p for p in again["procedures"] if p["code"] == "1.001193")["cases"][0]["steps"][2]["approval"] is True
    birth["cases"][0]["steps"][2]["approval"] = "có"
    with pytest.raises(CatalogError, match="approval"):
        import_catalog(json.loads(json.dumps(exported)))
