"""The counter reception stores the declared fee inputs (copies, pages per copy, kind) through
`create_dossier`, in the domain and through POST /dossiers/receptions (#17); a bad input is
refused with every other problem, naming the field, before anything is written."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import reception
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier, Event
from motcua.payments.services import fees_due

from .conftest import PDF, applicant, version_of
from .test_reception import APPLICANT, post_reception, stored_keys

CERTIFY = "2.000815"
COPY = "2.000635"
CRIMINAL_RECORD = "2.000488"
STUDENT = "Sinh viên, người có công"


def actor(people, code):
    return people.centre_receptionist if version_of(code).receiving_agency_id == people.centre.pk \
        else people.receptionist


def numbers(code):
    return [i for i, c in enumerate(version_of(code).components.order_by("order", "id"), 1) if c.required]


def test_the_domain_stores_the_inputs_and_records_the_fee_they_give(people):
    version = version_of(CERTIFY)
    result = reception.receive_at_counter(
        actor=actor(people, CERTIFY), version=version, applicant=applicant(),
        present=[c for c in version.components.all() if c.required], fee_inputs={"copies": 2, "pages": 3},
        fee={"amount_vnd": 10_000, "method": "cash", "receipt_number": "15"})
    d = result.dossier
    assert d.fee_inputs == {"copies": 2, "pages": 3} and d.fee_collected == 10_000
    assert fees_due(d).lines[0].amount_vnd == 10_000
    assert result.extra["fee_event"].data["amount_vnd"] == 10_000


def test_the_domain_refuses_a_bad_input_with_the_other_problems(people):
    version = version_of(CERTIFY)
    with pytest.raises(InvalidInput) as caught:
        reception.receive_at_counter(
            actor=actor(people, CERTIFY), version=version, applicant=applicant(), present=[],
            files=[(version.components.first(), io.BytesIO(PDF), "ban-sao.pdf")],
            fee_inputs={"pages": 0})
    fields = [f["field"] for f in caught.value.extra["fields"]]
    assert "fee_inputs.pages" in fields and "present" in fields
    assert not Dossier.objects.exists() and not Event.objects.exists() and stored_keys() == set()


def test_the_api_takes_fee_inputs_for_pages_copies_and_kinds(people):
    response = post_reception(actor(people, CERTIFY), {
        "procedure": CERTIFY, "applicant": APPLICANT, "outcome": "receive", "present": numbers(CERTIFY),
        "fee_inputs": {"copies": 2, "pages": 3}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fee_inputs"] == {"copies": 2, "pages": 3}
    assert fees_due(Dossier.objects.get(code=body["code"])).total_vnd == 10_000

    response = post_reception(actor(people, COPY), {
        "procedure": COPY, "applicant": APPLICANT, "outcome": "receive", "present": numbers(COPY),
        "fee_inputs": {"copies": 3, "pages": 7}})  # pages: not asked by a per-copy rule, dropped
    assert response.status_code == 201, response.content
    assert response.json()["fee_inputs"] == {"copies": 3}
    assert fees_due(Dossier.objects.get(code=response.json()["code"])).total_vnd == 24_000

    response = post_reception(actor(people, CRIMINAL_RECORD), {
        "procedure": CRIMINAL_RECORD, "applicant": APPLICANT, "outcome": "receive",
        "present": numbers(CRIMINAL_RECORD), "fee_inputs": {"kind": STUDENT}})
    assert response.status_code == 201, response.content
    assert fees_due(Dossier.objects.get(code=response.json()["code"])).total_vnd == 100_000


@pytest.mark.parametrize(("code", "fee_inputs", "field"), [
    (CERTIFY, {"pages": 0}, "data.fee_inputs.pages"),
    (CERTIFY, {"copies": "many"}, "data.fee_inputs.copies"),
    (CERTIFY, {"sheets": 2}, "data.fee_inputs.sheets"),
    (CRIMINAL_RECORD, {"kind": "Hộ nghèo"}, "fee_inputs.kind"),
])
def test_the_api_refuses_bad_fee_inputs_naming_the_field(people, code, fee_inputs, field):
    response = post_reception(actor(people, code), {
        "procedure": code, "applicant": APPLICANT, "outcome": "receive", "present": numbers(code),
        "fee_inputs": fee_inputs}, {"files.1": SimpleUploadedFile("ban-chinh.pdf", PDF)})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in [error.get("field"), *[f["field"] for f in error.get("fields", [])]], error
    assert not Dossier.objects.exists() and stored_keys() == set()


def test_the_openapi_schema_documents_the_data_part(client):
    schema = client.get("/api/v1/openapi.json").json()
    part = schema["paths"]["/api/v1/dossiers/receptions"]["post"]["requestBody"]["content"]["multipart/form-data"]
    data = part["schema"]["properties"]["data"]
    assert data["contentMediaType"] == "application/json"
    fee_inputs = data["contentSchema"]["properties"]["fee_inputs"]["anyOf"][0]
    assert set(fee_inputs["properties"]) == {"copies", "pages", "kind"}
    assert "$defs" not in str(data)


def test_the_api_records_the_fee_with_the_reception_as_the_page_does(people):
    """`fee` in POST /dossiers/receptions: the same `record_fee` in the reception's transaction; a bad
    fee writes nothing; the same key with another fee is a conflict; a retry replays (#17 review)."""
    user = actor(people, CERTIFY)
    data = {"procedure": CERTIFY, "applicant": APPLICANT, "outcome": "receive", "present": numbers(CERTIFY),
            "fee_inputs": {"copies": 2, "pages": 3}}
    bad = post_reception(user, data | {"fee": {"amount": 10_000, "method": "cash", "receipt_number": ""}})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "receipt_number", bad.content
    assert not Dossier.objects.exists() and not Event.objects.exists()

    paid = data | {"fee": {"amount": 10_000, "method": "transfer", "receipt_number": "0000015"}}
    first = post_reception(user, paid, **{"Idempotency-Key": "quay-1-0001"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert [e["kind"] for e in body["events"]].count("fee_recorded") == 1
    d = Dossier.objects.get(code=body["code"])
    assert (d.fee_collected, d.receipt_number) == (10_000, "0000015")
    assert body["fees"]["paid"][0]["method"] == "transfer"

    again = post_reception(user, paid, **{"Idempotency-Key": "quay-1-0001"})
    assert again.status_code == 201 and again.json()["replayed"] is True
    assert Event.objects.filter(dossier=d, kind="fee_recorded").count() == 1
    other = post_reception(user, data | {"fee": {"amount": 20_000, "method": "cash", "receipt_number": "16"}},
                           **{"Idempotency-Key": "quay-1-0001"})
    assert other.status_code == 422, other.content  # another fee under the same key: not a replay
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_replayed_counter_reception_gives_back_its_fee_event(people):
    version = version_of(CERTIFY)
    kwargs = {"actor": actor(people, CERTIFY), "version": version, "applicant": applicant(),
              "present": [c for c in version.components.all() if c.required],
              "fee_inputs": {"copies": 2, "pages": 3},
              "fee": {"amount_vnd": 10_000, "method": "cash", "receipt_number": "15"},
              "idempotency_key": "k-" + "x" * 98}  # a client key of the longest length still derives a fee key
    first = reception.receive_at_counter(**kwargs)
    again = reception.receive_at_counter(**kwargs)
    assert again.replayed and again.extra["fee_event"].pk == first.extra["fee_event"].pk
