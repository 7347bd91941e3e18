"""The dossier API: tokens, creation, files, every action, refusals, permissions, tracking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.api.auth import hash_token, issue_token
from motcua.dossiers.models import ApiToken, Dossier, Event
from motcua.dossiers.tracking import mask_name
from tests.answers import valid_answers

from .conftest import (
    BIRTH,
    COMPLAINT,
    CRIMINAL_RECORD,
    PASSWORD,
    PDF,
    at,
    counter_dossier,
    fresh,
    result_file,
    version_of,
)

APPLICANT = {
    "name": "Nguyễn Văn An", "id_number": "096090001234", "phone": "0912345678",
    "email": "an@example.invalid", "address": "Phường Tân Thành",
}


class Api:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, client: Client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            response = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                                   content_type="application/json")
            assert response.status_code == 200, response.content
            self.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data, **headers):
        return self.client.post(url, data, content_type="application/json", headers=self.headers | headers)

    def upload(self, url, data, **headers):
        return self.client.post(url, data, headers=self.headers | headers)

    def create(self, procedure=BIRTH, channel=1, **extra):
        """POST a dossier; online ones carry valid answers to the e-form unless `form_data` is given."""
        if channel == 2 and "form_data" not in extra:
            extra["form_data"] = answers(procedure)
        response = self.post("/api/v1/dossiers", {"procedure": procedure, "channel": channel,
                                                  "applicant": APPLICANT} | extra)
        assert response.status_code == 201, response.content
        return response.json()

    def act(self, code, action, **payload):
        return self.post(f"/api/v1/dossiers/{code}/actions", {"action": action} | payload)


def answers(procedure=BIRTH, **overrides):
    return valid_answers(version_of(procedure), **overrides)


@pytest.fixture
def api(client, people):
    def make(user=None):
        return Api(client, user)

    return make


def pdf(name="ket-qua.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- authentication ---------------------------------------------------------------------------------


def test_it_issues_a_token_and_refuses_a_bad_login(api, people, client):
    response = client.post("/api/v1/auth/token", {"username": "tn_xa", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 40 and response.json()["expires_at"].endswith("+07:00")
    # Only the hash is stored.
    assert ApiToken.objects.filter(key_hash=hash_token(token)).exists()
    assert not ApiToken.objects.filter(key_hash=token).exists()
    bad = client.post("/api/v1/auth/token", {"username": "tn_xa", "password": "wrong"},
                      content_type="application/json")
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer ", "Basic dG46eGE=", "Token abc"])
def test_it_answers_401_without_a_valid_token(api, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT},
                           content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/dossiers/000.21.01.H12-260309-0001", headers=headers).status_code == 401


def test_an_expired_token_is_refused(api, people, client):
    raw, token = issue_token(people.citizen)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/dossiers/x", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_the_browser_session_works_with_csrf(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.citizen)
    created = Api(Client(), people.citizen).create(channel=2)
    assert browser.get(f"/api/v1/dossiers/{created['code']}").status_code == 200
    # A write without the CSRF token is refused with a JSON error.
    response = browser.post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT},
                            content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


# --- creation ---------------------------------------------------------------------------------------


def test_the_counter_creates_a_received_dossier(api, people):
    body = api(people.receptionist).create(BIRTH, channel=1)
    assert body["status_code"] == 2 and body["status"] == "Được tiếp nhận"
    assert body["code"].startswith("000.21.01.H12-")
    assert body["due_at"].endswith("+07:00")
    assert len(body["tracking_key"]) == 6


def test_a_citizen_submits_online(api, people):
    body = api(people.citizen).create(BIRTH, channel=2, form_data=answers(applicant_phone="0912 345 678"))
    assert (body["status_code"], body["status"], body["due_at"]) == (1, "Mới đăng ký", None)
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.owner == people.citizen
    kept = dossier.form_data  # the cleaned answers
    assert set(kept) == set(answers()) and kept["applicant_phone"] == "0912345678"
    assert kept["applicant_address"]["commune_name"] == "Phường Tân Thành"


def test_an_unverified_self_registered_account_cannot_submit_through_the_api(api, people):
    """The wizard refused it but the API did not: the rule now lives in the action layer."""
    from django.utils import timezone

    from motcua.accounts.models import User

    stranger = User.objects.create_user("cd_chua_xac_minh", password=PASSWORD, phone="0987654321",
                                        self_registered=True)
    body = {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT, "form_data": answers()}
    response = api(stranger).post("/api/v1/dossiers", body)
    assert response.status_code == 403 and response.json()["error"]["code"] == "account_not_verified"
    assert "chưa được xác minh" in response.json()["error"]["message"] and not Dossier.objects.exists()
    stranger.phone_verified_at = timezone.now()
    stranger.save()
    assert api(stranger).post("/api/v1/dossiers", body).status_code == 201


def test_the_same_idempotency_key_creates_one_dossier(api, people):
    citizen = api(people.citizen)
    payload = {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT, "form_data": answers()}
    first = citizen.post("/api/v1/dossiers", payload, **{"Idempotency-Key": "retry-7"})
    again = citizen.post("/api/v1/dossiers", payload, **{"Idempotency-Key": "retry-7"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Dossier.objects.count() == 1 and Event.objects.count() == 1
    changed = payload | {"form_data": answers(request="Một đề nghị khác")}
    other = citizen.post("/api/v1/dossiers", changed, **{"Idempotency-Key": "retry-7"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"applicant": APPLICANT | {"id_number": "123"}}, 400, "applicant.id_number"),
        ({"applicant": APPLICANT | {"phone": "abc"}}, 400, "applicant.phone"),
        ({"applicant": {"name": "An"}}, 400, "applicant.id_number"),
        ({"procedure": "9.999999"}, 400, "procedure"),
        ({"procedure": COMPLAINT}, 400, "procedure"),
        ({"channel": 7}, 400, "channel"),
        ({"case": 5}, 400, "case"),
        ({"form_data": [1, 2]}, 400, "form_data"),
    ],
)
def test_it_names_the_wrong_field(api, people, payload, status, field):
    body = {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT} | payload
    response = api(people.citizen).post("/api/v1/dossiers", body)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert field in error["message"] or field in str(error.get("fields", "")) or error.get("field") == field


@pytest.mark.parametrize(
    ("channel", "form_data", "field"),
    [
        (2, None, "form_data.applicant_name"),  # online: the e-form must be filled in
        (2, {"applicant_id_number": None}, "form_data.applicant_id_number"),  # a required field left out
        (2, {"applicant_id_number": "12345"}, "form_data.applicant_id_number"),  # not 12 digits
        (2, {"applicant_phone": {"so": "0912345678"}}, "form_data.applicant_phone"),  # wrong type
        (2, {"request": "x" * 2001}, "form_data.request"),  # longer than the e-form allows
        (2, {"ten_tre": "Nguyễn Văn Bé"}, "form_data.ten_tre"),  # no such field in the e-form
        (1, {"applicant_email": "not-an-address"}, "form_data.applicant_email"),  # the counter too
    ],
)
def test_it_refuses_form_data_the_wizard_would_refuse(api, people, channel, form_data, field):
    """Issue #14, finding 13: the API stored any JSON object as the answers."""
    body = {"procedure": BIRTH, "channel": channel, "applicant": APPLICANT}
    if form_data is not None:
        body["form_data"] = answers(**form_data)
    actor = people.citizen if channel == 2 else people.receptionist
    response = api(actor).post("/api/v1/dossiers", body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", field)
    assert field in [f["field"] for f in error["fields"]] and field in error["message"]
    assert not Dossier.objects.exists()


def test_it_checks_the_answers_against_the_versions_own_e_form(api, people):
    """The version's e-form (here the demo one of birth registration), with its RE2 patterns."""
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    own = answers()  # now those of the demo e-form
    assert "child_name" in own
    citizen = api(people.citizen)
    response = citizen.post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT,
                                                 "form_data": own | {"child_name": "Bé 123"}})
    assert response.status_code == 400 and response.json()["error"]["field"] == "form_data.child_name"
    assert "«Họ, chữ đệm, tên của trẻ»" in response.json()["error"]["message"]
    # The generic application's answers are not this e-form's.
    response = citizen.post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 2, "applicant": APPLICANT,
                                                 "form_data": _generic_answers()})
    assert response.status_code == 400
    created = citizen.create(BIRTH, channel=2, form_data=own | {"mother_birth_year": " 1995 "})
    assert Dossier.objects.get(code=created["code"]).form_data["mother_birth_year"] == 1995  # stored cleaned


def _generic_answers():
    from motcua.eforms.defaults import GENERIC_SCHEMA
    from tests.answers import answers_for

    return answers_for(GENERIC_SCHEMA)


def test_a_citizen_cannot_create_a_counter_dossier(api, people):
    response = api(people.citizen).post("/api/v1/dossiers", {"procedure": BIRTH, "channel": 1, "applicant": APPLICANT})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


# --- reading and permissions -----------------------------------------------------------------------


def test_only_the_owner_and_the_agencies_staff_see_a_dossier(api, people):
    code = api(people.citizen).create(channel=2)["code"]
    assert api(people.citizen).get(f"/api/v1/dossiers/{code}").status_code == 200
    assert api(people.receptionist).get(f"/api/v1/dossiers/{code}").status_code == 200
    assert api(people.supervisor).get(f"/api/v1/dossiers/{code}").status_code == 200
    hidden = api(people.citizen2).get(f"/api/v1/dossiers/{code}")
    unknown = api(people.citizen2).get("/api/v1/dossiers/000.21.01.H12-260309-9999")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
    assert api(people.other_receptionist).get(f"/api/v1/dossiers/{code}").status_code == 404


def test_the_detail_has_the_events_and_local_times(api, people):
    staff = api(people.receptionist)
    code = staff.create(channel=1)["code"]
    body = staff.get(f"/api/v1/dossiers/{code}").json()
    assert body["status_code"] == 2 and body["current_step"] == "Tiếp nhận hồ sơ"
    assert body["assignee"] == "tn_xa" and body["version"] == 1
    [event] = body["events"]
    assert event["kind"] == "received" and event["kind_label"] == "Tiếp nhận" and event["at"].endswith("+07:00")
    assert "handover" in body["allowed_actions"] and "receive" not in body["allowed_actions"]
    assert body["components"][0]["number"] == 1


def test_staff_of_another_agency_cannot_act(api, people):
    code = api(people.receptionist).create(channel=1)["code"]
    response = api(people.other_receptionist).act(code, "handover")
    assert response.status_code == 404  # they cannot even see it
    # A supervisor of the agency sees it but may not hand it over.
    response = api(people.supervisor).act(code, "handover")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert Dossier.objects.get(code=code).version == 1


# --- files ------------------------------------------------------------------------------------------


def test_it_uploads_component_and_result_files(api, people):
    citizen = api(people.citizen)
    code = citizen.create(channel=2)["code"]
    response = citizen.upload(f"/api/v1/dossiers/{code}/files", {"component": 1, "file": pdf("to-khai.pdf")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["component"], body["kind"], body["content_type"], body["name"]) == (
        1, "component", "application/pdf", "to-khai.pdf")
    wrong = citizen.upload(f"/api/v1/dossiers/{code}/files",
                           {"component": 1, "file": pdf("giay-to.pdf", b"PK\x03\x04fake")})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "file_type_refused"
    assert "«giay-to.pdf»" in wrong.json()["error"]["message"]
    result = citizen.upload(f"/api/v1/dossiers/{code}/files", {"kind": "result", "file": pdf()})
    assert result.status_code == 403
    missing = citizen.upload(f"/api/v1/dossiers/{code}/files", {"component": 1})
    assert missing.status_code == 400 and "file" in missing.json()["error"]["message"]
    too_far = citizen.upload(f"/api/v1/dossiers/{code}/files", {"component": 99, "file": pdf()})
    assert too_far.status_code == 400 and too_far.json()["error"]["field"] == "component"


# --- actions ----------------------------------------------------------------------------------------


def test_every_action_through_the_api(api, people):
    counter, officer, officer2 = api(people.receptionist), api(people.officer), api(people.officer2)
    leader, clerk, citizen = api(people.leader), api(people.clerk), api(people.citizen)

    # A: the whole workflow, with a return to the previous step.
    code = counter.create(channel=1)["code"]
    assert counter.act(code, "handover").json()["status_code"] == 4
    assert officer2.act(code, "claim").json()["assignee"] == "cv2_xa"
    assert officer2.act(code, "handover", to_user="ld_xa").json()["assignee"] == "ld_xa"
    back = leader.act(code, "return_to_previous", reason="Thiếu chữ ký")
    assert back.status_code == 200 and back.json()["event"]["kind"] == "returned_to_previous"
    assert back.json()["assignee"] == "cv2_xa"
    officer2.act(code, "handover")
    leader.act(code, "handover")
    assert clerk.upload(f"/api/v1/dossiers/{code}/files", {"kind": "result", "file": pdf()}).status_code == 201
    done = clerk.act(code, "complete")
    assert done.status_code == 200 and done.json()["status_code"] == 9
    returned = counter.act(code, "return_result", originals_checked=True, applicant_signed=True,
                           fee_collected=8000, receipt_number="BL-01")
    assert returned.json()["status_code"] == 10 and returned.json()["receipt_number"] == "BL-01"

    # B: supplement during processing, pause/resume, extension, stop.
    code = counter.create(channel=1)["code"]
    counter.act(code, "handover")
    supplement = officer.act(code, "request_supplement", missing=["Giấy chứng sinh"])
    assert supplement.json()["status_code"] == 5 and supplement.json()["paused"] is True
    assert counter.act(code, "supply").json()["status_code"] == 4
    assert officer.act(code, "pause", reason="Chờ nộp lệ phí", kind="payment").json()["status_code"] == 6
    assert counter.act(code, "resume").json()["status_code"] == 4
    body = Dossier.objects.get(code=code)
    new_due = (body.due_at + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=7)))
    extended = leader.act(code, "extend", reason="Cần xác minh thêm", new_due_at=new_due.isoformat())
    assert extended.status_code == 200, extended.content
    assert extended.json()["due_at"] == new_due.isoformat()
    assert leader.act(code, "stop", reason="Không đủ điều kiện").json()["status_code"] == 8

    # C: online reception: supplement once, supply, then refuse; D: receive then withdraw.
    code = citizen.create(channel=2)["code"]
    assert counter.act(code, "request_supplement", missing=["Tờ khai"]).json()["status_code"] == 5
    assert citizen.act(code, "supply").json()["status_code"] == 1
    assert counter.act(code, "refuse", reason="Không thuộc thẩm quyền").json()["status_code"] == 3
    code = citizen.create(channel=2)["code"]
    assert counter.act(code, "receive").json()["status_code"] == 2
    assert citizen.act(code, "withdraw", reason="Nộp nhầm").json()["status_code"] == 7


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("receive", {}, "invalid_status"),
        ("refuse", {"reason": "x"}, "invalid_status"),
        ("return_result", {}, "invalid_status"),
        ("supply", {}, "invalid_status"),
        ("resume", {}, "not_paused"),
        ("return_to_previous", {"reason": "x"}, "invalid_status"),
        ("complete", {}, "not_last_step"),
    ],
)
def test_a_refused_transition_answers_409_with_a_stable_code(api, people, action, payload, code):
    counter = api(people.receptionist)
    dossier_code = counter.create(channel=1)["code"]
    response = counter.act(dossier_code, action, **payload)
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and not error["message"].isascii()  # a Vietnamese sentence
    assert Dossier.objects.get(code=dossier_code).version == 1


def test_a_stale_version_answers_409(api, people):
    counter = api(people.receptionist)
    code = counter.create(channel=1)["code"]
    assert counter.act(code, "handover", version=1).status_code == 200
    stale = api(people.officer).act(code, "claim", version=1)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "concurrent_update"
    assert stale.json()["error"]["current_version"] == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "fly"}, "action"),
        ({"action": "refuse"}, "reason"),
        ({"action": "request_supplement"}, "missing"),
        ({"action": "handover", "to_user": "nobody"}, "to_user"),
        ({"action": "handover", "version": 0}, "version"),
    ],
)
def test_bad_action_parameters_answer_400_naming_the_field(api, people, payload, field):
    counter = api(people.receptionist)
    code = counter.create(channel=1)["code"]
    if payload["action"] in ("refuse", "request_supplement"):  # reception decisions need an online dossier
        code = api(people.citizen).create(channel=2)["code"]
    response = counter.post(f"/api/v1/dossiers/{code}/actions", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["message"]


def test_the_same_idempotency_key_acts_once(api, people):
    counter = api(people.receptionist)
    code = counter.create(channel=1)["code"]
    first = counter.post(f"/api/v1/dossiers/{code}/actions", {"action": "handover"}, **{"Idempotency-Key": "h-1"})
    again = counter.post(f"/api/v1/dossiers/{code}/actions", {"action": "handover"}, **{"Idempotency-Key": "h-1"})
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True and again.json()["event"] == first.json()["event"]
    assert Event.objects.filter(dossier__code=code, kind="handover").count() == 1


# --- tracking ---------------------------------------------------------------------------------------


def test_tracking_shows_the_status_without_personal_data(api, people, client):
    counter = api(people.centre_receptionist)
    created = counter.create(CRIMINAL_RECORD, channel=1)
    counter.act(created["code"], "handover")
    response = client.get(f"/api/v1/track/{created['code']}", {"key": created["tracking_key"].lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["status_code"] == 4 and body["procedure_code"] == CRIMINAL_RECORD
    assert body["applicant"] == "N***** V** A*"
    assert body["received_at"].endswith("+07:00") and body["due_at"].endswith("+07:00")
    assert [s["name"] for s in body["steps"]] == ["Tiếp nhận, chuyển hồ sơ", "Thẩm định hồ sơ"]
    assert body["steps"][0]["finished_at"] and body["steps"][0]["punctuality"]
    text = response.content.decode()
    for private in (APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["email"], "Nguyễn", "tn_tt"):
        assert private not in text


def test_a_wrong_key_looks_exactly_like_an_unknown_code(api, people, client):
    created = api(people.receptionist).create(channel=1)
    code = created["code"]
    wrong_key = "Z" * 6 if created["tracking_key"] != "Z" * 6 else "Y" * 6
    answers = [
        client.get(f"/api/v1/track/{code}", {"key": wrong_key}),
        client.get(f"/api/v1/track/{code}"),
        client.get(f"/api/v1/track/{code}", {"key": ""}),
        client.get(f"/api/v1/track/{code}", {"key": "x" * 5000}),
        client.get("/api/v1/track/000.21.01.H12-260101-0001", {"key": created["tracking_key"]}),
        client.get("/api/v1/track/nothing-like-a-code", {"key": wrong_key}),
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert {a.headers["Content-Type"] for a in answers} == {"application/json; charset=utf-8"}


def test_it_masks_names():
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"
    assert mask_name("  Lê   Bá ") == "L* B*"
    assert mask_name("") == ""


# --- forms and result ------------------------------------------------------------------------------


def test_it_serves_the_forms_of_a_dossier(api, people):
    d = counter_dossier(people)
    client = api(people.receptionist)
    response = client.get(f"/api/v1/dossiers/{d.code}/forms/01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/dossiers/{d.code}/forms/01.pdf?layout=80mm").content.startswith(b"%PDF")
    assert client.get(f"/api/v1/dossiers/{d.code}/forms/06.pdf").status_code == 200
    assert client.get(f"/api/v1/dossiers/{d.code}/forms/07.pdf").status_code == 200
    missing = client.get(f"/api/v1/dossiers/{d.code}/forms/03.pdf")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "form_not_available"
    assert client.get(f"/api/v1/dossiers/{d.code}/forms/99.pdf").status_code == 404


def test_it_hides_the_forms_from_others(api, people):
    d = counter_dossier(people)
    response = api(people.other_officer).get(f"/api/v1/dossiers/{d.code}/forms/01.pdf")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_serves_the_result_once_completed(api, people):
    from motcua.dossiers import actions

    d = counter_dossier(people)
    client = api(people.receptionist)
    assert client.get(f"/api/v1/dossiers/{d.code}/result").json()["error"]["code"] == "result_not_available"
    for actor in (people.receptionist, people.officer, people.leader):
        actions.handover(fresh(d), actor=actor, at=at(9, 10))
    result_file(fresh(d), people.clerk, at(9, 10, 30))
    actions.complete(fresh(d), actor=people.clerk, at=at(9, 11))
    response = client.get(f"/api/v1/dossiers/{d.code}/result")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- supplement items (#17) -------------------------------------------------------------------------


def test_a_supplement_request_takes_items_and_the_detail_returns_them(api, people):
    counter = api(people.receptionist)
    citizen = api(people.citizen)
    code = citizen.create(channel=2)["code"]
    response = counter.act(code, "request_supplement", note="Gọi 0290 3829 999 nếu cần hướng dẫn", items=[
        {"component": 2, "reason": "Ảnh chụp bị mờ"},
        {"text": "Văn bản ủy quyền", "reason": "Người nộp thay cần giấy ủy quyền"},
    ])
    assert response.status_code == 200, response.content
    body = response.json()
    components = body["components"]
    assert body["status_code"] == 5
    assert body["supplement"]["open"] is True and body["supplement"]["phase"] == "reception"
    assert body["supplement"]["note"] == "Gọi 0290 3829 999 nếu cần hướng dẫn"
    first, second = body["supplement"]["items"]
    assert first["component"] == 2 and first["text"] == components[1]["name"] and first["reason"] == "Ảnh chụp bị mờ"
    assert first["paper"] and first["paper_label"] and first["copies"] >= 1
    assert second == {"component": None, "text": "Văn bản ủy quyền", "reason": "Người nộp thay cần giấy ủy quyền",
                      "paper": "", "paper_label": "", "copies": None}
    assert body["event"]["data"]["missing"] == [components[1]["name"], "Văn bản ủy quyền"]
    # The owner reads the same items on the detail.
    detail = citizen.get(f"/api/v1/dossiers/{code}").json()
    assert detail["supplement"]["items"] == body["supplement"]["items"]
    assert citizen.act(code, "supply").json()["supplement"]["open"] is False


def test_the_old_missing_list_is_still_accepted_and_read_as_items(api, people):
    counter = api(people.receptionist)
    code = api(people.citizen).create(channel=2)["code"]
    assert counter.get(f"/api/v1/dossiers/{code}").json()["supplement"] is None
    body = counter.act(code, "request_supplement", missing=["Giấy chứng sinh", "Giấy xác nhận cư trú"]).json()
    items = body["supplement"]["items"]
    assert [(i["text"], i["component"], i["reason"]) for i in items] == [
        ("Giấy chứng sinh", 2, ""), ("Giấy xác nhận cư trú", None, "")]
    assert body["event"]["data"] == {"missing": ["Giấy chứng sinh", "Giấy xác nhận cư trú"], "phase": "reception"}


@pytest.mark.parametrize(("items", "field"), [
    ([{"text": "Văn bản ủy quyền"}], "items[0].reason"),
    ([{"component": 1, "reason": "Thiếu chữ ký"}, {"reason": "Thiếu"}], "items[1].text"),
    ([{"component": 99, "reason": "Thiếu"}], "items[0].component"),
    ([{"component": 0, "reason": "Thiếu"}], "items"),
])
def test_bad_supplement_items_answer_400_naming_the_field(api, people, items, field):
    code = api(people.citizen).create(channel=2)["code"]
    response = api(people.receptionist).act(code, "request_supplement", items=items)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and field in (error.get("field") or error["message"])
    assert Dossier.objects.get(code=code).status == 1


def test_the_detail_gives_form_01s_number_beside_the_fee_receipt(api, people):
    """#17: `reception_number` is form 01's number, fixed at reception; `receipt_number` stays the
    fee receipt's."""
    counter, citizen = api(people.receptionist), api(people.citizen)
    first = counter.create(channel=1)["code"]
    online = citizen.create(channel=2)["code"]
    assert citizen.get(f"/api/v1/dossiers/{online}").json()["reception_number"] is None
    detail = counter.get(f"/api/v1/dossiers/{first}").json()
    assert detail["reception_number"] == "1/TNHS" and detail["receipt_number"] == ""
    assert counter.act(online, "receive").json()["reception_number"] == "2/TNHS"
    assert counter.get(f"/api/v1/dossiers/{first}/forms/01.pdf").status_code == 200  # a reprint
    assert counter.get(f"/api/v1/dossiers/{first}").json()["reception_number"] == "1/TNHS"
