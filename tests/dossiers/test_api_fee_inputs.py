"""The dossier API takes the same fee inputs as the wizard (copies, pages per copy, kind) and
shows them, with the "chờ nộp phí" sub-state, in the dossier's detail (issue #17)."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from motcua.payments.services import fees_due

from .test_api import APPLICANT, answers, api  # noqa: F401 (fixture)

COPY = "2.000635"


def test_a_citizen_declares_copies_through_the_api(api, people):  # noqa: F811
    citizen = api(people.citizen)
    body = {"procedure": COPY, "channel": 2, "applicant": APPLICANT, "form_data": answers(COPY),
            "fee_inputs": {"copies": 4}}
    response = citizen.post("/api/v1/dossiers", body)
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    dossier = Dossier.objects.get(code=code)
    assert dossier.fee_inputs == {"copies": 4}
    assert fees_due(dossier).total_vnd == 32_000
    detail = citizen.get(f"/api/v1/dossiers/{code}").json()
    assert detail["fee_inputs"] == {"copies": 4}
    assert detail["fee_state"] == "awaiting"


@pytest.mark.parametrize(("fee_inputs", "field"), [
    ({"copies": 0}, "copies"), ({"copies": "many"}, "copies"), ({"pages": 5000}, "pages"),
    ({"kind": "Sinh viên"}, "fee_inputs.kind"), ({"copies": 2, "sheets": 1}, "sheets"),
])
def test_bad_fee_inputs_name_the_field(api, people, fee_inputs, field):  # noqa: F811
    body = {"procedure": COPY, "channel": 2, "applicant": APPLICANT, "form_data": answers(COPY),
            "fee_inputs": fee_inputs}
    response = api(people.citizen).post("/api/v1/dossiers", body)
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_catalogue_api_says_what_to_declare(client, people):
    fees = client.get("/api/v1/procedures/2.000488").json()["fees"]
    assert fees[0]["basis"] == "dossier" and fees[0]["reduction_kinds"] == ["Sinh viên, người có công"]
    assert client.get(f"/api/v1/procedures/{COPY}").json()["fees"][0]["basis"] == "copy"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schema["FeeInputsIn"]["properties"]) == {"copies", "pages", "kind"}
    assert "fee_inputs" in schema["DossierIn"]["properties"]


def test_page_tiers_at_the_counter_follow_the_declared_pages(people):
    """2.000815 (level 2, counter only): 2 copies of 5 pages = 2 × (2 × 2.000 + 3 × 1.000)."""
    from motcua.catalog.fees import dossier_fee_views

    from .conftest import counter_dossier

    dossier = counter_dossier(people, "2.000815", fee_inputs={"copies": 2, "pages": 5})
    assert dossier.fee_inputs == {"copies": 2, "pages": 5}
    assert fees_due(dossier).total_vnd == 14_000
    view = dossier_fee_views(dossier)[0]
    assert (view.amount_vnd, view.explanation) == (14_000, "2 bản, 10 trang: 14.000 đồng")
