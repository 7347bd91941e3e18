"""Counter reception as one domain function (`dossiers.reception`, #15): the completeness rule,
the API's door, the same dossier through the page and through the API, and all-or-nothing."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import issue_token
from motcua.dossiers import reception
from motcua.dossiers.errors import FileRefused, InvalidInput, PermissionDenied
from motcua.dossiers.lifecycle import MAX_MISSING_ITEMS
from motcua.dossiers.models import Dossier, DossierFile, Event, IdempotencyKey

from .conftest import BIRTH, PDF, PNG, applicant, version_of

PAGE = f"/can-bo/tiep-nhan/{BIRTH}/"
APPLICANT = {
    "name": "Nguyễn Văn An", "id_number": "096090001234", "phone": "0912345678",
    "email": "an@example.invalid", "address": "Phường Tân Thành, Cà Mau",
}


def components():
    return list(version_of(BIRTH).components.order_by("order", "id"))


def stored_keys() -> set[str]:
    """Every file under dossiers/ in the storage (the test's MEDIA_ROOT)."""
    found: set[str] = set()

    def walk(path: str) -> None:
        if not default_storage.exists(path or "."):
            return
        dirs, files = default_storage.listdir(path or ".")
        found.update(f"{path}/{name}" if path else name for name in files)
        for d in dirs:
            walk(f"{path}/{d}" if path else d)

    walk("dossiers")
    return found


# --- the completeness rule ---------------------------------------------------------------------------


def _component(pk: int, name: str, required: bool = True):
    return SimpleNamespace(pk=pk, name=name, required=required)


RULE_COMPONENTS = [_component(1, "Tờ khai"), _component(2, "Giấy chứng sinh"), _component(3, "Ủy quyền", False)]


def test_completeness_lists_the_required_components_not_present_then_the_written_items():
    result = reception.completeness(RULE_COMPONENTS, {1}, ["  Bản sao  sổ hộ khẩu ", "", "\t"])
    assert result.lacking == ("Giấy chứng sinh",) and not result.complete
    assert result.missing == ("Giấy chứng sinh", "Bản sao sổ hộ khẩu")
    # An optional component is never required; present may be components or their ids.
    full = reception.completeness(RULE_COMPONENTS, RULE_COMPONENTS[:2])
    assert full.complete and full.missing == ()


def test_receiving_needs_every_required_component():
    _result, problems = reception.outcome_problems("receive", RULE_COMPONENTS, {1})
    assert list(problems) == ["present"] and "Giấy chứng sinh" in problems["present"]
    assert reception.outcome_problems("receive", RULE_COMPONENTS, {1, 2})[1] == {}


def test_a_supplement_needs_something_to_list_and_not_too_much():
    assert list(reception.outcome_problems("supplement", RULE_COMPONENTS, {1, 2})[1]) == ["missing"]
    result, problems = reception.outcome_problems("supplement", RULE_COMPONENTS, {1, 2}, extra=["Giấy kết hôn"])
    assert problems == {} and result.missing == ("Giấy kết hôn",)
    too_many = [f"Mục {i}" for i in range(MAX_MISSING_ITEMS)]
    _result, problems = reception.outcome_problems("supplement", RULE_COMPONENTS, {1}, extra=too_many)
    assert "tối đa 50" in problems["missing"]


def test_a_refusal_needs_a_reason_and_the_outcome_must_be_one_of_three():
    assert list(reception.outcome_problems("refuse", RULE_COMPONENTS, set(), reason="  \n ")[1]) == ["reason"]
    assert reception.outcome_problems("refuse", RULE_COMPONENTS, set(), reason="Không thuộc thẩm quyền")[1] == {}
    assert list(reception.outcome_problems("accept", RULE_COMPONENTS, {1, 2})[1]) == ["outcome"]


def test_check_outcome_raises_every_problem_with_its_field():
    with pytest.raises(InvalidInput) as caught:
        reception.check_outcome("receive", RULE_COMPONENTS, set())
    assert caught.value.field == "present"
    assert [f["field"] for f in caught.value.extra["fields"]] == ["present"]
    assert reception.check_outcome("supplement", RULE_COMPONENTS, {1}).missing == ("Giấy chứng sinh",)


# --- the domain function -----------------------------------------------------------------------------


def receive(people, *, files=(), **kwargs):
    kwargs.setdefault("present", [])
    return reception.receive_at_counter(
        actor=kwargs.pop("actor", people.receptionist), version=version_of(BIRTH), applicant=applicant(),
        files=files, **kwargs)


def test_it_receives_with_the_scans_and_a_scan_counts_as_present(people):
    form, birth_cert, _proxy = components()
    result = receive(people, files=[(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, io.BytesIO(PNG), "gcs.png")])
    d = result.dossier
    assert (d.status, d.channel, d.version) == (2, 1, 3) and not result.replayed
    assert result.event.kind == "received"
    assert [(f.component_id, f.original_name, f.source) for f in result.extra["reception"].files] == [
        (form.pk, "to-khai.pdf", "scanned"), (birth_cert.pk, "gcs.png", "scanned")]
    assert list(Event.objects.filter(dossier=d).order_by("version").values_list("kind", flat=True)) == [
        "received", "file_added", "file_added"]


def test_a_supplement_lists_what_is_lacking_and_a_refusal_stores_no_scan(people):
    form, birth_cert, _proxy = components()
    result = receive(people, outcome="supplement", files=[(form, io.BytesIO(PDF), "to-khai.pdf")],
                     missing=["Giấy kết hôn"])
    assert result.dossier.status == 5 and result.event.data["missing"] == [birth_cert.name, "Giấy kết hôn"]
    refused = receive(people, outcome="refuse", reason="Không cư trú trên địa bàn",
                      files=[(form, io.BytesIO(PDF), "to-khai.pdf")])
    assert refused.dossier.status == 3 and not DossierFile.objects.filter(dossier=refused.dossier).exists()


def test_post_delivery_goes_to_the_applicants_address_unless_another_is_given(people):
    form, birth_cert, _proxy = components()
    d = receive(people, present=[form, birth_cert], delivery="post").dossier
    assert d.delivery == "post" and d.delivery_address == "Phường Tân Thành, Cà Mau"
    d = receive(people, present=[form, birth_cert], delivery="post", delivery_address="Số 1 Lý Văn Lâm").dossier
    assert d.delivery_address == "Số 1 Lý Văn Lâm"


def test_a_bad_file_at_the_end_leaves_nothing_written(people):
    form, birth_cert, _proxy = components()
    files = [(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, io.BytesIO(PNG), "gcs.png"),
             (birth_cert, io.BytesIO(b"MZ\x90\x00 not a scan"), "virus.pdf")]
    with pytest.raises(InvalidInput) as caught:
        receive(people, files=files, idempotency_key="k1")
    assert caught.value.field == "files.2" and "virus.pdf" in caught.value.message
    assert not Dossier.objects.exists() and not Event.objects.exists() and not DossierFile.objects.exists()
    assert not IdempotencyKey.objects.exists() and stored_keys() == set()


class ChangedOnDisk(io.BytesIO):
    """A scan that passes the check and then changes before it is stored (read the second time:
    not a PDF any more) - a refusal only the storing step sees."""

    def __init__(self) -> None:
        super().__init__(PDF)
        self.reads = 0

    def read(self, size=-1):
        if self.tell() == 0:
            self.reads += 1
            if self.reads > 2:
                self.seek(0)
                self.write(b"MZ\x90\x00 not a scan any more" + b" " * len(PDF))
                self.seek(0)
        return super().read(size)


def test_a_refusal_while_storing_removes_the_scans_already_stored(people):
    form, birth_cert, _proxy = components()
    files = [(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, ChangedOnDisk(), "gcs.pdf")]
    with pytest.raises(FileRefused):
        receive(people, files=files)
    assert not Dossier.objects.exists() and not Event.objects.exists() and not DossierFile.objects.exists()
    assert stored_keys() == set()


def test_it_checks_the_checklist_and_the_files_before_the_receptionist_right_writes_anything(people):
    form, birth_cert, _proxy = components()
    with pytest.raises(InvalidInput) as caught:
        receive(people, files=[(birth_cert, io.BytesIO(b""), "rong.png")], outcome="receive")
    assert [f["field"] for f in caught.value.extra["fields"]] == ["present", "files.2"]
    with pytest.raises(PermissionDenied):
        receive(people, actor=people.other_receptionist, present=[form, birth_cert])
    with pytest.raises(InvalidInput) as caught:
        receive(people, present=[form, birth_cert], channel=2)
    assert caught.value.field == "channel"
    assert not Dossier.objects.exists()


def test_the_same_key_replays_and_another_request_under_it_is_a_conflict(people):
    from motcua.dossiers.errors import IdempotencyConflict

    form, birth_cert, _proxy = components()
    first = receive(people, present=[form, birth_cert], idempotency_key="quay-1")
    again = receive(people, present=[form, birth_cert], idempotency_key="quay-1")
    assert again.replayed and again.dossier.pk == first.dossier.pk
    with pytest.raises(IdempotencyConflict):
        receive(people, present=[form], outcome="supplement", idempotency_key="quay-1")
    assert Dossier.objects.count() == 1
    scanned = receive(people, files=[(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, io.BytesIO(PNG), "a.png")],
                      idempotency_key="quay-2")
    same = receive(people, files=[(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, io.BytesIO(PNG), "a.png")],
                   idempotency_key="quay-2")
    assert same.replayed and same.dossier.pk == scanned.dossier.pk
    with pytest.raises(IdempotencyConflict):  # other scans under the same key: not silently dropped
        receive(people, files=[(form, io.BytesIO(PDF), "to-khai.pdf"), (birth_cert, io.BytesIO(PDF), "a.png")],
                idempotency_key="quay-2")
    assert Dossier.objects.count() == 2


# --- the API's door ----------------------------------------------------------------------------------


def api_client(user) -> tuple[Client, dict]:
    raw, _token = issue_token(user)
    return Client(), {"Authorization": f"Bearer {raw}"}


def post_reception(user, data: dict, files: dict | None = None, **headers):
    client, auth = api_client(user)
    body = {"data": json.dumps(data)} | (files or {})
    return client.post("/api/v1/dossiers/receptions", body, headers=auth | headers)


def test_the_api_receives_in_one_call(people):
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "receive", "present": [1],
    }, {"files.2": [SimpleUploadedFile("gcs-1.png", PNG), SimpleUploadedFile("gcs-2.png", PNG)]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status_code"] == 2 and body["replayed"] is False and body["event"]["kind"] == "received"
    assert [(f["component"], f["name"]) for f in body["files"]] == [(2, "gcs-1.png"), (2, "gcs-2.png")]


@pytest.mark.parametrize(("data", "files", "field"), [
    ({"outcome": "receive", "present": [1]}, {}, "present"),
    ({"outcome": "supplement", "present": [1, 2]}, {}, "missing"),
    ({"outcome": "refuse"}, {}, "reason"),
    ({"outcome": "receive", "present": [1, 2]}, {"files.1": SimpleUploadedFile("x.pdf", b"MZ not a pdf")}, "files.1"),
    ({"outcome": "receive", "present": [1, 2]}, {"files.9": SimpleUploadedFile("x.pdf", PDF)}, "files.9"),
    ({"outcome": "receive", "present": [1, 7]}, {}, "present"),
    ({"outcome": "receive", "present": [1, 2], "applicant": APPLICANT | {"id_number": "123"}}, {},
     "applicant.id_number"),
    ({"outcome": "receive", "present": [1, 2], "procedure": "9.999999"}, {}, "procedure"),
])
def test_the_api_refuses_what_the_page_refuses_naming_the_field(people, data, files, field):
    payload = {"procedure": BIRTH, "applicant": APPLICANT} | data
    response = post_reception(people.receptionist, payload, files)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not Dossier.objects.exists() and stored_keys() == set()


def test_the_api_answers_a_malformed_data_part_and_others_counters(people):
    client, auth = api_client(people.receptionist)
    response = client.post("/api/v1/dossiers/receptions", {"data": "{not json"}, headers=auth)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_parameter"
    response = post_reception(people.receptionist, {"procedure": BIRTH, "applicant": APPLICANT})
    assert response.status_code == 400 and "data.outcome" in [f["field"] for f in response.json()["error"]["fields"]]
    response = post_reception(people.other_receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "refuse", "reason": "x"})
    assert response.status_code == 403
    response = post_reception(people.citizen, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "refuse", "reason": "x"})
    assert response.status_code == 403 and not Dossier.objects.exists()


def test_the_api_replays_with_the_same_idempotency_key(people):
    data = {"procedure": BIRTH, "applicant": APPLICANT, "outcome": "supplement", "present": [1],
            "missing": ["Giấy kết hôn"]}
    first = post_reception(people.receptionist, data, **{"Idempotency-Key": "tt-hcc-42"})
    again = post_reception(people.receptionist, data, **{"Idempotency-Key": "tt-hcc-42"})
    assert first.status_code == again.status_code == 201
    assert again.json()["replayed"] is True and again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1


# --- one door or the other: the same dossier ---------------------------------------------------------

NOISE = {"file_id", "due_at", "step_due_at"}  # ids and times differ between two runs


def snapshot(dossier: Dossier) -> dict:
    d = Dossier.objects.get(pk=dossier.pk)
    fields = {
        name: getattr(d, name) for name in (
            "status", "channel", "version", "procedure_version_id", "case_id", "agency_id", "handling_agency_id",
            "current_step_id", "current_role", "assignee_id", "owner_id", "applicant_kind", "applicant_name",
            "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "delivery",
            "delivery_address", "delivery_fee", "form_data", "resume_status", "reception_supplement_requested",
            "supplement_count", "counts_as_late",
        )
    }
    events = [
        (e.version, e.kind, e.actor_id, e.from_status, e.to_status, e.from_step_id, e.to_step_id, e.from_agency_id,
         e.to_agency_id, e.from_assignee_id, e.to_assignee_id, e.note,
         {k: v for k, v in (e.data or {}).items() if k not in NOISE})
        for e in Event.objects.filter(dossier=d).order_by("version")
    ]
    files = [
        (f.kind, f.component_id, f.original_name, f.content_type, f.size, f.sha256, f.source, f.uploaded_by_id)
        for f in DossierFile.objects.filter(dossier=d).order_by("id")
    ]
    return {"dossier": fields, "events": events, "files": files}


@pytest.mark.parametrize(("outcome", "ticked", "extra"), [
    ("receive", [1], {}),
    ("supplement", [1], {"missing": ["Bản sao sổ hộ khẩu"]}),
    ("refuse", [], {"reason": "Người yêu cầu không cư trú trên địa bàn."}),
])
def test_the_page_and_the_api_make_the_same_dossier_events_and_files(people, outcome, ticked, extra):
    form, birth_cert, proxy = components()
    by_number = {1: form, 2: birth_cert, 3: proxy}
    # Through the counter page.
    page = Client()
    page.force_login(people.receptionist)
    post = {
        "token": "0123456789abcdef0123456789abcdef", "applicant_kind": "person", "name": APPLICANT["name"],
        "id_number": APPLICANT["id_number"], "phone": APPLICANT["phone"], "email": APPLICANT["email"],
        "address": APPLICANT["address"], "delivery": "post", "outcome": outcome,
        "present": [by_number[n].pk for n in ticked], "missing_extra": "\n".join(extra.get("missing", [])),
        "refuse_reason": extra.get("reason", ""),
        f"files-{form.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
        f"files-{birth_cert.pk}": [SimpleUploadedFile("gcs.png", PNG), SimpleUploadedFile("gcs-2.pdf", PDF)],
    }
    response = page.post(PAGE, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    by_page = Dossier.objects.get()
    # Through the API.
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT | {"kind": "person"}, "delivery": "post", "outcome": outcome,
        "present": ticked, **extra,
    }, {"files.1": SimpleUploadedFile("to-khai.pdf", PDF),
        "files.2": [SimpleUploadedFile("gcs.png", PNG), SimpleUploadedFile("gcs-2.pdf", PDF)]})
    assert response.status_code == 201, response.content
    by_api = Dossier.objects.get(code=response.json()["code"])
    assert by_api.pk != by_page.pk
    assert snapshot(by_api) == snapshot(by_page)
    expected_files = {"refuse": 0}.get(outcome, 3)
    assert len(snapshot(by_api)["files"]) == expected_files


def test_the_api_answers_too_many_files_in_json(people):
    """More files than Django reads in one request (DATA_UPLOAD_MAX_NUMBER_FILES): a JSON 400 the
    client can act on, never the framework's HTML page."""
    from django.conf import settings

    many = [SimpleUploadedFile(f"gcs-{i}.png", PNG) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "receive", "present": [1],
    }, {"files.2": many})
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "too_many_files"
    assert not Dossier.objects.exists()


# --- supplement items at the counter (#17) -------------------------------------------------------------


def test_the_page_and_the_api_request_the_same_items_each_with_its_reason(people):
    """The counter page (a reason under an unticked component, a free row) and the API
    (`supplement.items`) make the same request: one rule (`reception.supplement_request`)."""
    form, birth_cert, proxy = components()
    page = Client()
    page.force_login(people.receptionist)
    response = page.post(PAGE, {
        "token": "0123456789abcdef0123456789abcdef", "applicant_kind": "person", "name": APPLICANT["name"],
        "id_number": APPLICANT["id_number"], "phone": APPLICANT["phone"], "email": APPLICANT["email"],
        "address": APPLICANT["address"], "delivery": "counter", "outcome": "supplement",
        "present": [form.pk], f"reason-{birth_cert.pk}": "Bản chụp mờ, không đọc được số",
        "free1_text": "Giấy xác nhận cư trú", "free1_reason": "Còn thiếu, nộp bản chính",
        f"files-{form.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    by_page = Dossier.objects.get()
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT | {"kind": "person"}, "delivery": "counter",
        "outcome": "supplement", "present": [1], "supplement": {"items": [
            {"component": 2, "reason": "Bản chụp mờ, không đọc được số"},
            {"text": "Giấy xác nhận cư trú", "reason": "Còn thiếu, nộp bản chính"}]},
    }, {"files.1": SimpleUploadedFile("to-khai.pdf", PDF)})
    assert response.status_code == 201, response.content
    by_api = Dossier.objects.get(code=response.json()["code"])
    assert snapshot(by_api) == snapshot(by_page)
    data = Event.objects.get(dossier=by_api, kind="supplement_requested").data
    assert [(i["component"], i["text"], i["reason"]) for i in data["items"]] == [
        (birth_cert.pk, birth_cert.name, "Bản chụp mờ, không đọc được số"),
        (None, "Giấy xác nhận cư trú", "Còn thiếu, nộp bản chính")]
    assert data["missing"] == [birth_cert.name, "Giấy xác nhận cư trú"]
    assert proxy.pk not in [i["component"] for i in data["items"]]  # optional, not asked for


def test_a_required_component_not_ticked_is_listed_with_a_reason_of_its_own(people):
    form, birth_cert, _proxy = components()
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "supplement", "present": [1],
        "supplement": {"items": [{"text": "Giấy ủy quyền", "reason": "Chưa công chứng"}]}})
    assert response.status_code == 201, response.content
    data = Event.objects.get(kind="supplement_requested").data
    assert [(i["text"], i["reason"]) for i in data["items"]] == [
        ("Giấy ủy quyền", "Chưa công chứng"), (birth_cert.name, reception.LACKING_REASON)]


def test_the_old_missing_is_still_read(people):
    _form, birth_cert, _proxy = components()
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "supplement", "present": [1],
        "missing": ["Bản sao sổ hộ khẩu"]})
    assert response.status_code == 201, response.content
    assert Event.objects.get(kind="supplement_requested").data["missing"] == [birth_cert.name, "Bản sao sổ hộ khẩu"]


@pytest.mark.parametrize(("items", "present", "field"), [
    ([{"component": 2}], [1], "items[0].reason"),  # every item needs its reason
    ([{"reason": "thiếu"}], [1], "items[0].text"),  # a free item needs its name
    ([{"component": 1, "reason": "mờ"}], [1, 2], "items[0].component"),  # ticked present, and listed
    ([{"component": 9, "reason": "mờ"}], [1], "items[0].component"),  # not a component of the procedure
    ([], [1, 2], "missing"),  # nothing to list
    ([{"text": f"Giấy {i}", "reason": "thiếu"} for i in range(MAX_MISSING_ITEMS)], [1], "items"),  # + 1 lacking
])
def test_the_api_refuses_bad_items_naming_the_field(people, items, present, field):
    response = post_reception(people.receptionist, {
        "procedure": BIRTH, "applicant": APPLICANT, "outcome": "supplement", "present": present,
        "supplement": {"items": items}})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not Dossier.objects.exists()
