"""A dossier's subject (the answer of its version's subject field, kept at submission or reception)
and its answers as officers read them (`eforms.services.dossier_answers`), in the domain and the API."""

from __future__ import annotations

import pytest

from motcua.eforms.services import answers_data, dossier_answers, load_demo_eforms
from tests.answers import valid_answers
from tests.dossiers.conftest import BIRTH, CRIMINAL_RECORD, counter_dossier, online_dossier, version_of
from tests.dossiers.test_api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(people):
    load_demo_eforms()
    return people


def test_an_online_dossier_keeps_the_answer_of_the_subject_field(demo):
    version = version_of(BIRTH)
    first = online_dossier(demo, form_data=valid_answers(version, child_name="Nguyễn Thị Bé"))
    second = online_dossier(demo, form_data=valid_answers(version, child_name="Nguyễn Văn Út"))
    assert (first.applicant_name, first.subject) == (second.applicant_name, "Nguyễn Thị Bé")
    assert second.subject == "Nguyễn Văn Út"
    assert type(first).objects.get(pk=first.pk).subject == "Nguyễn Thị Bé"


def test_the_counter_keeps_it_too_and_a_paper_form_has_none(demo):
    version = version_of(BIRTH)
    typed = counter_dossier(demo, form_data=valid_answers(version, child_name="Lê Thị Na"))
    assert typed.subject == "Lê Thị Na"
    assert counter_dossier(demo).subject == ""


def test_a_version_without_a_subject_field_gives_none(people):
    assert online_dossier(people).subject == ""  # the generic application: no subject field


def test_the_answers_read_in_the_sections_and_labels_of_the_form(demo):
    version = version_of(BIRTH)
    answers = valid_answers(version, child_name="Nguyễn Thị Bé", hometown=None, has_father=False)
    dossier = online_dossier(demo, form_data=answers)
    sections = dossier_answers(dossier.procedure_version, dossier.form_data)
    titles = [s.title for s in sections]
    assert titles[:3] == ["I. Người yêu cầu", "II. Người được đăng ký khai sinh", "III. Thông tin người mẹ"]
    child = {i.key: i for i in sections[1].items}
    # The labels of the application form (`pdf.label` where the e-form gives one), as the PDF prints them.
    assert (child["child_name"].label, child["child_name"].text) == ("Họ, chữ đệm, tên", "Nguyễn Thị Bé")
    assert child["child_dob"].text.count("/") == 2  # dd/mm/yyyy, as the PDF prints it
    assert not child["hometown"].answered  # shown on the form, left empty
    father = next(s for s in sections if s.title.startswith("IV."))
    assert [i.key for i in father.items] == ["has_father"]  # the father's fields are hidden: left out
    data = answers_data(sections)
    assert data[1]["title"] == "II. Người được đăng ký khai sinh"
    items = {i["key"]: i for i in data[1]["items"]}
    assert items["child_name"] == {"key": "child_name", "label": "Họ, chữ đệm, tên", "value": "Nguyễn Thị Bé"}
    assert items["hometown"]["value"] is None


def test_a_table_reads_row_by_row(demo):
    version = version_of(CRIMINAL_RECORD)
    dossier = online_dossier(demo, code=CRIMINAL_RECORD, form_data=valid_answers(version, full_name="Trần Văn Bình"))
    assert dossier.subject == "Trần Văn Bình"
    data = answers_data(dossier_answers(dossier.procedure_version, dossier.form_data))
    table = next(i for s in data for i in s["items"] if i["key"] == "residence_history")
    assert table["value"] is None and len(table["rows"]) == 1
    assert all(set(cell) == {"label", "value"} for cell in table["rows"][0])


def test_a_dossier_without_answers_has_no_panel(demo):
    dossier = counter_dossier(demo)
    assert dossier_answers(dossier.procedure_version, dossier.form_data) == []
    assert dossier_answers(dossier.procedure_version, {"generated": 7}) == []  # the bulk generator's marker


def test_the_api_gives_the_subject_and_the_answers(demo, client):
    version = version_of(BIRTH)
    dossier = online_dossier(demo, form_data=valid_answers(version, child_name="Nguyễn Thị Bé"))
    body = Api(client, demo.receptionist).get(f"/api/v1/dossiers/{dossier.code}").json()
    assert body["subject"] == "Nguyễn Thị Bé"
    expected = answers_data(dossier_answers(dossier.procedure_version, dossier.form_data))
    assert body["form_answers"] == [{**s, "items": [{"rows": None, **i} for i in s["items"]]} for s in expected]
    child = next(s for s in body["form_answers"] if s["title"].startswith("II."))
    assert child["items"][0] == {"key": "child_name", "label": "Họ, chữ đệm, tên", "value": "Nguyễn Thị Bé",
                                 "rows": None}
    paper = counter_dossier(demo)
    body = Api(client, demo.receptionist).get(f"/api/v1/dossiers/{paper.code}").json()
    assert (body["subject"], body["form_answers"]) == ("", [])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"subject", "form_answers"} <= set(schema["DossierOut"]["properties"])
    assert {"label", "value", "rows"} <= set(schema["AnswerItem"]["properties"])
