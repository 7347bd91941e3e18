"""The subject field of an e-form: which fields may be it, the text it gives, the catalogue key
`eform.subject`, and the builder's action (logged; a renamed field carries it, a removed one clears it)."""

from __future__ import annotations

import pytest

from motcua.eforms import actions
from motcua.eforms.editing import compose
from motcua.eforms.schema import subject_fields, subject_problem, subject_text
from motcua.eforms.services import demo_files, eform_from_dict, eform_problems, eform_to_dict
from tests.eforms.test_actions import _admin, _draft, _logs

SCHEMA = [
    {"key": "child_name", "label": "Họ, chữ đệm, tên của trẻ", "type": "text"},
    {"key": "child_dob", "label": "Ngày sinh", "type": "date"},
    {"key": "gender", "label": "Giới tính", "type": "choice", "choices": [{"value": "nu", "label": "Nữ"}]},
    {"key": "has_father", "label": "Có cha", "type": "yes_no"},
    {"key": "kids", "label": "Con", "type": "repeat", "fields": [{"key": "name", "label": "Tên", "type": "text"}]},
]


def test_only_one_value_fields_can_name_the_subject():
    assert [key for key, _label in subject_fields(SCHEMA)] == ["child_name", "child_dob", "gender"]
    assert subject_problem(SCHEMA, "child_name") is None
    assert subject_problem(SCHEMA, "") is None  # none chosen
    for key in ("has_father", "kids", "missing", 3):
        assert "không dùng làm đối tượng" in subject_problem(SCHEMA, key)


def test_the_subject_is_the_answer_as_a_person_reads_it():
    answers = {"child_name": "  Nguyễn   Thị Bé ", "child_dob": "2026-03-01", "gender": "nu", "has_father": True}
    assert subject_text(SCHEMA, answers, "child_name") == "Nguyễn Thị Bé"
    assert subject_text(SCHEMA, answers, "child_dob") == "01/03/2026"
    assert subject_text(SCHEMA, answers, "gender") == "Nữ"
    assert subject_text(SCHEMA, answers, "") == ""
    assert subject_text(SCHEMA, answers, "has_father") == ""
    assert subject_text(SCHEMA, {}, "child_name") == ""
    assert len(subject_text(SCHEMA, {"child_name": "A" * 400}, "child_name")) == 255


@pytest.mark.django_db
def test_the_catalogue_format_carries_the_subject(catalog):
    from motcua.catalog.models import Procedure
    from motcua.eforms.models import EForm

    version = Procedure.objects.get(code="1.001193").published
    data = demo_files()["1.001193"]
    eform_from_dict(version, {**data, "subject": "child_name"})
    assert EForm.objects.get(procedure_version=version).subject_field == "child_name"
    assert eform_to_dict(version)["subject"] == "child_name"
    eform_from_dict(version, data)  # without the key: none
    assert "subject" not in eform_to_dict(version)
    problems = eform_problems({**data, "subject": "relationship_typo"})
    assert problems and problems[0].startswith("«eform.subject»: Trường «relationship_typo»")


@pytest.mark.django_db
def test_the_demo_eforms_name_their_subjects(catalog):
    from motcua.catalog.models import Procedure
    from motcua.eforms.models import EForm
    from motcua.eforms.services import load_demo_eforms

    load_demo_eforms()
    subjects = dict(EForm.objects.filter(procedure_version__procedure__code__in=["1.001193", "2.000488", "1.000894"])
                    .values_list("procedure_version__procedure__code", "subject_field"))
    assert subjects == {"1.001193": "child_name", "2.000488": "full_name", "1.000894": "bride_name"}
    assert Procedure.objects.get(code="1.001193").published.eform.subject_field == "child_name"


@pytest.mark.django_db
def test_the_admin_picks_the_subject_through_the_logged_action(catalog):
    admin = _admin("qt_subject")
    draft = _draft()
    eform = actions.create_eform(draft, actor=admin, title="Tờ khai thử", generic=False)
    actions.add_field(draft, actor=admin, spec=compose("text", label="Họ tên của trẻ", key="ten_tre"))
    actions.add_field(draft, actor=admin, spec=compose("yes_no", label="Có cha", key="co_cha"))
    actions.update_settings(draft, actor=admin, title="Tờ khai thử", subject_field="ten_tre")
    eform.refresh_from_db()
    assert eform.subject_field == "ten_tre"
    log = _logs(eform)[-1]
    assert (log.before["subject_field"], log.after["subject_field"]) == ("", "ten_tre")
    # Leaving it out keeps it; a field that cannot be the subject is refused, nothing written.
    actions.update_settings(draft, actor=admin, title="Tờ khai mới")
    eform.refresh_from_db()
    assert (eform.title, eform.subject_field) == ("Tờ khai mới", "ten_tre")
    count = len(_logs(eform))
    with pytest.raises(actions.EFormError) as info:
        actions.update_settings(draft, actor=admin, title="Tờ khai mới", subject_field="co_cha")
    assert info.value.field == "subject_field"
    eform.refresh_from_db()
    assert eform.subject_field == "ten_tre" and len(_logs(eform)) == count
    # A renamed field carries it; a removed field clears it.
    actions.update_field(draft, "ten_tre", actor=admin, spec=compose("text", label="Họ tên của trẻ", key="ho_ten_tre"))
    eform.refresh_from_db()
    assert eform.subject_field == "ho_ten_tre"
    actions.remove_field(draft, "ho_ten_tre", actor=admin)
    eform.refresh_from_db()
    assert eform.subject_field == ""
    assert _logs(eform)[-1].before["subject_field"] == "ho_ten_tre"


@pytest.mark.django_db
def test_a_new_draft_keeps_the_subject_of_the_version_it_copies(catalog):
    from motcua.catalog.actions import publish_version

    admin = _admin("qt_subject2")
    draft = _draft()
    actions.create_eform(draft, actor=admin, title="Tờ khai thử", generic=False)
    actions.add_field(draft, actor=admin, spec=compose("text", label="Họ tên của trẻ", key="ten_tre"))
    actions.update_settings(draft, actor=admin, title="Tờ khai thử", subject_field="ten_tre")
    publish_version(draft)
    assert _draft().eform.subject_field == "ten_tre"
