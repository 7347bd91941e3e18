"""The API's `record_fee` action and the `fees` of the dossier detail (#17)."""

from __future__ import annotations

from motcua.dossiers import actions
from motcua.dossiers.models import Event

from .conftest import CRIMINAL_RECORD, at, counter_dossier, fresh
from .test_api import Api


def test_record_fee_through_the_api_and_the_fees_it_shows(client, people):
    d = counter_dossier(people, CRIMINAL_RECORD)
    api = Api(client, people.centre_receptionist)
    detail = api.get(f"/api/v1/dossiers/{d.code}").json()
    assert "record_fee" in detail["allowed_actions"]
    assert detail["fees"]["due"] == [{"name": "Phí cung cấp thông tin lý lịch tư pháp", "amount_vnd": 200_000,
                                      "when": "at_reception", "due_vnd": 200_000}]
    assert detail["fees"]["paid"] == [] and detail["fees"]["refunds"] == []
    response = api.post(f"/api/v1/dossiers/{d.code}/actions",
                        {"action": "record_fee", "amount": 200_000, "method": "card", "receipt_number": "BL 77",
                         "version": detail["version"]}, **{"Idempotency-Key": "fee-1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["event"]["kind"] == "fee_recorded" and body["version"] == detail["version"] + 1
    assert body["fee_collected"] == 200_000 and body["receipt_number"] == "BL 77"
    paid = body["fees"]["paid"]
    assert len(paid) == 1 and paid[0]["source"] == "counter" and paid[0]["method"] == "card"
    assert paid[0]["receipt_number"] == "BL 77" and paid[0]["amount_vnd"] == 200_000 and paid[0]["at"]
    assert body["fees"]["due"][0]["due_vnd"] == 0
    again = api.post(f"/api/v1/dossiers/{d.code}/actions",
                     {"action": "record_fee", "amount": 200_000, "method": "card", "receipt_number": "BL 77",
                      "version": detail["version"]}, **{"Idempotency-Key": "fee-1"})
    assert again.status_code == 200 and again.json()["replayed"]
    assert fresh(d).fee_collected == 200_000


def test_record_fee_refusals_through_the_api(client, people):
    d = counter_dossier(people, CRIMINAL_RECORD)
    api = Api(client, people.centre_receptionist)
    url = f"/api/v1/dossiers/{d.code}/actions"
    for body, status, field in (
        ({"method": "cash", "receipt_number": "1"}, 400, "amount"),
        ({"amount": 0, "method": "cash", "receipt_number": "1"}, 400, None),
        ({"amount": 10**11, "method": "cash", "receipt_number": "1"}, 400, None),
        ({"amount": 5, "method": "gold", "receipt_number": "1"}, 400, "method"),
        ({"amount": 5, "method": "cash", "receipt_number": ""}, 400, "receipt_number"),
        ({"amount": 5, "method": "cash", "receipt_number": "x" * 51}, 400, None),
    ):
        response = api.post(url, {"action": "record_fee", **body})
        assert response.status_code == status, (body, response.content)
        if field:
            assert response.json()["error"]["field"] == field
    other = Api(client, people.justice_officer)
    assert other.post(url, {"action": "record_fee", "amount": 5, "method": "cash",
                            "receipt_number": "1"}).status_code == 404  # not theirs: not even seen
    actions.withdraw(d, actor=people.centre_receptionist, reason="Rút", at=at(9, 10))
    response = api.post(url, {"action": "record_fee", "amount": 5, "method": "cash", "receipt_number": "1"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_status"
    assert not Event.objects.filter(dossier=d, kind="fee_recorded").exists()


def test_a_refund_shows_in_fees(client, people):
    d = counter_dossier(people, CRIMINAL_RECORD)
    actions.record_fee(d, actor=people.centre_receptionist, amount_vnd=200_000, method="cash", receipt_number="9")
    actions.withdraw(fresh(d), actor=people.centre_receptionist, reason="Rút")
    fees = Api(client, people.centre_receptionist).get(f"/api/v1/dossiers/{d.code}").json()["fees"]
    assert fees["refunds"][0]["state"] == "pending" and fees["refunds"][0]["amount_vnd"] == 200_000
    assert fees["refunds"][0]["reason"] == "withdrawn"


def test_the_openapi_schema_documents_fees_and_record_fee(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert {"due", "paid", "refunds"} <= set(components["FeesOut"]["properties"])
    assert "document_url" in components["FeePaidOut"]["properties"]
    action = components["ActionIn"]["properties"]
    assert "record_fee" in action["amount"]["description"] and "cash" in action["method"]["description"]
    assert "deprecated" in action["fee_collected"]["description"]
