"""Four eyes on publication (#18): when an agency requires it (Agency.publication_review), a draft is
proposed (then locked: every editing action refuses it), and published only when another admin of
the agency or of a parent agency approves it; the proposer cannot approve their own proposal. The
change log names both people. With the setting off, publishing is as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.audit.models import ChangeAction, ChangeLog
from motcua.catalog import actions
from motcua.catalog.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db

MARRIAGE = "1.000894"  # Tân Thành (000.21.01.H12), level 3: needs an e-form to be publishable
COMMUNE = "000.21.01.H12"
FIELD = {"key": "ho_ten", "label": "Họ và tên người yêu cầu", "type": "text", "required": True}


def _agency(unit: str):
    from motcua.agencies.models import Agency

    return Agency.objects.get(unit_code=unit)


def _admin(username: str, unit: str):
    from motcua.accounts.models import Membership, Role, User

    user = User.objects.create_user(username, full_name=f"Quản trị {username}")
    Membership.objects.create(user=user, agency=_agency(unit), role=Role.AGENCY_ADMIN)
    return user


@pytest.fixture
def people(catalog):
    from types import SimpleNamespace

    return SimpleNamespace(
        proposer=_admin("de_nghi", COMMUNE), second=_admin("duyet", COMMUNE),
        province=_admin("tinh", "000.00.00.H12"), outsider=_admin("xa_khac", "000.22.01.H12"),
    )


def _ready(code: str = MARRIAGE) -> ProcedureVersion:
    from motcua.eforms.models import EForm

    draft = actions.start_draft(Procedure.objects.get(code=code))
    EForm.objects.update_or_create(procedure_version=draft, defaults={"title": "Tờ khai", "schema": [FIELD]})
    return draft


def _four_eyes(on: bool = True, unit: str = COMMUNE) -> None:
    from motcua.agencies.actions import update_publication_settings

    update_publication_settings(_agency(unit), actor=None, values={"publication_review": on})


def _rows(version) -> list[tuple[str, int | None]]:
    return list(ChangeLog.objects.filter(object_type="catalog.procedureversion", object_id=str(version.pk))
                .order_by("pk").values_list("action", "actor_id"))


# --- the setting -------------------------------------------------------------------------------------


def test_the_setting_is_off_by_default_and_changed_through_the_agency_action_with_a_log_row(people):
    from motcua.agencies.actions import update_publication_settings

    commune = _agency(COMMUNE)
    assert commune.publication_review is False
    update_publication_settings(commune, actor=people.proposer, values={"publication_review": True})
    assert _agency(COMMUNE).publication_review is True
    row = ChangeLog.objects.filter(object_type="agencies.agency", object_id=str(commune.pk)).latest("pk")
    assert row.actor == people.proposer and row.before == {"publication_review": False}
    assert row.after == {"publication_review": True}
    logged = ChangeLog.objects.count()
    update_publication_settings(commune, actor=people.proposer, values={"publication_review": True})
    assert ChangeLog.objects.count() == logged  # nothing changed, nothing logged


def test_setting_off_publishing_is_as_today_and_there_is_nothing_to_propose(people):
    draft = _ready()
    with pytest.raises(actions.PublishError, match="không yêu cầu người thứ hai"):
        actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    published = actions.publish_draft(draft, actor=people.proposer, note="Sửa tờ khai")
    assert published.state == ProcedureVersion.State.PUBLISHED
    assert published.review_requested_by is None and published.approved_by is None
    assert _rows(published)[-1] == (ChangeAction.PUBLISH, people.proposer.pk)


# --- proposing locks the draft -----------------------------------------------------------------------


def test_with_the_setting_on_a_person_cannot_publish_alone(people):
    _four_eyes()
    draft = _ready()
    logged = ChangeLog.objects.count()
    with pytest.raises(actions.ReviewRequired):
        actions.publish_draft(draft, actor=people.province, note="Công bố")
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.DRAFT
    assert ChangeLog.objects.count() == logged


def test_a_proposal_must_pass_the_publication_checks_and_say_what_changed(people):
    from motcua.eforms.models import EForm

    _four_eyes()
    draft = actions.start_draft(Procedure.objects.get(code=MARRIAGE))
    EForm.objects.filter(procedure_version=draft).delete()  # level 3 without an e-form: not publishable
    with pytest.raises(actions.DraftRefused):
        actions.submit_for_review(draft, actor=people.proposer, note="Công bố")
    draft = _ready()
    with pytest.raises(actions.InvalidChange) as refused:
        actions.submit_for_review(draft, actor=people.proposer, note="   ")
    assert refused.value.field == "note"
    assert ProcedureVersion.objects.get(pk=draft.pk).review_requested_at is None


def _every_edit(draft, actor):
    """Each editing action of a draft (catalogue and e-form), as a callable."""
    from motcua.eforms import actions as eform_actions

    case = draft.cases.order_by("order").first()
    step = case.steps.order_by("order").first()
    component = draft.components.order_by("order").first()
    return {
        "edit_general": lambda: actions.edit_general(draft, actor=actor, values={"name": "Tên mới"}),
        "set_level": lambda: actions.set_level(draft.procedure, actor=actor, level=2),
        "add_case": lambda: actions.add_case(draft, actor=actor, values={
            "name": "Trường hợp khác", "time_amount": Decimal(1), "time_unit": "working_days"}),
        "update_component": lambda: actions.update_component(draft, component.pk, actor=actor,
                                                             values={"name": "Giấy mới"}),
        "remove_component": lambda: actions.remove_component(draft, component.pk, actor=actor),
        "move_component": lambda: actions.move_component(draft, component.pk, actor=actor, direction="down"),
        "add_step": lambda: actions.add_step(draft, actor=actor, case=case, name="Bước", role="officer",
                                             quota_hours=0),
        "update_step": lambda: actions.update_step(draft, step.pk, actor=actor, name="Đổi tên", role=step.role,
                                                   quota_hours=step.quota_hours),
        "remove_step": lambda: actions.remove_step(draft, step.pk, actor=actor),
        "move_step": lambda: actions.move_step(draft, step.pk, actor=actor, direction="down"),
        "eform_settings": lambda: eform_actions.update_settings(draft, actor=actor, title="Tờ khai mới"),
        "add_field": lambda: eform_actions.add_field(draft, actor=actor, spec={
            "key": "ghi_chu", "label": "Ghi chú", "type": "text"}),
        "update_field": lambda: eform_actions.update_field(draft, "ho_ten", actor=actor, spec={**FIELD, "label": "X"}),
        "move_field": lambda: eform_actions.move_field(draft, "ho_ten", 1, actor=actor),
        "remove_field": lambda: eform_actions.remove_field(draft, "ho_ten", actor=actor),
        "publish_draft": lambda: actions.publish_draft(draft, actor=actor, note="Công bố"),
        "submit_again": lambda: actions.submit_for_review(draft, actor=actor, note="Lần nữa"),
    }


def test_a_waiting_draft_is_locked_every_editing_action_refuses_and_writes_nothing(people):
    from motcua.eforms.models import EForm

    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    snapshot = (ProcedureVersion.objects.filter(pk=draft.pk).values().get(),
                list(EForm.objects.filter(procedure_version=draft).values_list("title", "schema")),
                sorted(draft.components.values_list("pk", "name", "order")),
                sorted(ProcedureVersion.objects.get(pk=draft.pk).cases.values_list("pk", "name")))
    logged = ChangeLog.objects.count()
    edits = _every_edit(draft, people.second)
    for name, edit in edits.items():
        with pytest.raises(actions.AwaitingReview):
            edit()
        assert ChangeLog.objects.count() == logged, name
    assert snapshot == (ProcedureVersion.objects.filter(pk=draft.pk).values().get(),
                        list(EForm.objects.filter(procedure_version=draft).values_list("title", "schema")),
                        sorted(draft.components.values_list("pk", "name", "order")),
                        sorted(ProcedureVersion.objects.get(pk=draft.pk).cases.values_list("pk", "name")))
    # start_draft gives the same (locked) draft back rather than a second draft
    assert actions.start_draft(draft.procedure).pk == draft.pk


# --- approving -----------------------------------------------------------------------------------------


def test_the_proposer_cannot_approve_their_own_proposal(people):
    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    with pytest.raises(actions.ReviewRefused, match="người đề nghị"):
        actions.approve_publication(draft, actor=people.proposer)
    still = ProcedureVersion.objects.get(pk=draft.pk)
    assert still.awaiting_review and still.approved_by is None


def test_an_admin_of_another_agency_cannot_approve_nor_send_back(people):
    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    with pytest.raises(actions.ReviewRefused):
        actions.approve_publication(draft, actor=people.outsider)
    with pytest.raises(actions.ReviewRefused):
        actions.send_back(draft, actor=people.outsider, reason="Không đồng ý")
    with pytest.raises(actions.ReviewRefused):
        actions.approve_publication(draft, actor=None)
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review


def test_a_second_admin_approves_and_the_change_log_names_both_people(people):
    _four_eyes()
    draft = _ready()
    old = Procedure.objects.get(code=MARRIAGE).published
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    published = actions.approve_publication(draft, actor=people.second)
    assert published.state == ProcedureVersion.State.PUBLISHED
    assert Procedure.objects.get(code=MARRIAGE).published_id == published.pk
    assert published.change_note == "Sửa tờ khai"
    assert (published.review_requested_by, published.approved_by) == (people.proposer, people.second)
    assert _rows(published)[-2:] == [(ChangeAction.SUBMIT, people.proposer.pk),
                                     (ChangeAction.PUBLISH, people.second.pk)]
    row = ChangeLog.objects.filter(object_type="catalog.procedureversion", object_id=str(published.pk),
                                   action=ChangeAction.PUBLISH).get()
    assert "đề nghị: Quản trị de_nghi" in row.note and "duyệt: Quản trị duyet" in row.note
    assert (row.after["review_requested_by"], row.after["approved_by"]) == (people.proposer.pk, people.second.pk)
    assert _rows(old)[-1] == (ChangeAction.RETIRE, people.second.pk)
    # The next draft starts clean: no proposal, nothing approved.
    nxt = actions.start_draft(Procedure.objects.get(code=MARRIAGE))
    assert (nxt.review_requested_by, nxt.review_requested_at, nxt.approved_by) == (None, None, None)


def test_an_admin_of_a_parent_agency_approves(people):
    from motcua.agencies.models import Agency

    # A unit under the Department of Justice: the department's admin approves its publications,
    # the unit's own admin does not approve the department's.
    department = _agency("000.00.15.H12")
    unit = Agency.objects.create(unit_code="000.15.01.H12", name="Phòng Hộ tịch", kind="department", parent=department)
    department_admin = _admin("qt_so", "000.00.15.H12")
    unit_admin = _admin("qt_phong", "000.15.01.H12")
    assert actions.may_review(department_admin, unit) and actions.may_review(people.province, unit)
    assert not actions.may_review(unit_admin, department) and not actions.may_review(people.second, unit)
    _four_eyes(unit="000.15.01.H12")
    draft = _ready()
    actions.edit_general(draft, actor=unit_admin, values={"agency": unit})
    actions.submit_for_review(draft, actor=unit_admin, note="Chuyển cơ quan")
    published = actions.approve_publication(draft, actor=department_admin)
    assert published.approved_by == department_admin


# --- sending back -------------------------------------------------------------------------------------


def test_sent_back_with_a_reason_the_draft_is_unlocked_and_the_reason_logged(people):
    from motcua.eforms import actions as eform_actions

    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    with pytest.raises(actions.InvalidChange) as refused:
        actions.send_back(draft, actor=people.second, reason="  ")
    assert refused.value.field == "reason"
    back = actions.send_back(draft, actor=people.second, reason="Thiếu trường ngày sinh")
    assert not back.awaiting_review and back.review_requested_by is None
    row = ChangeLog.objects.filter(object_type="catalog.procedureversion", object_id=str(draft.pk),
                                   action=ChangeAction.RETURN).get()
    assert row.actor == people.second and "Thiếu trường ngày sinh" in row.note and "Quản trị de_nghi" in row.note
    eform_actions.add_field(draft, actor=people.proposer, spec={"key": "ngay_sinh", "label": "Ngày sinh",
                                                                "type": "date"})
    with pytest.raises(actions.PublishError, match="không còn chờ duyệt"):
        actions.approve_publication(draft, actor=people.second)
    # Proposed again, and the proposer may also withdraw their own proposal.
    actions.submit_for_review(draft, actor=people.proposer, note="Thêm ngày sinh")
    actions.send_back(draft, actor=people.proposer, reason="")  # withdrawing: no reason owed
    assert not ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    withdrawn = ChangeLog.objects.filter(object_id=str(draft.pk), action=ChangeAction.RETURN).latest("pk")
    assert withdrawn.actor == people.proposer and "Rút đề nghị công bố" in withdrawn.note


def test_a_person_import_for_an_agency_with_four_eyes_is_refused(people):
    from motcua.catalog import importer

    _four_eyes()
    data = importer.export_catalog()
    spec = next(p for p in data["procedures"] if p["code"] == MARRIAGE)
    spec["name"] = "Đăng ký kết hôn (sửa)"
    data["procedures"] = [spec]
    with pytest.raises(importer.CatalogError) as refused:
        importer.import_catalog(data, actor=people.province)
    assert "yêu cầu người thứ hai duyệt" in str(refused.value.problems)
    assert Procedure.objects.get(code=MARRIAGE).published.name == "Đăng ký kết hôn"


# --- at the same time ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_approves_the_other_is_refused(catalog):
    """approve_publication and send_back take the procedure and the draft with select_for_update, as
    publish_draft: of an approval and a sending back at the same moment exactly one happens."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections, connection

    proposer, first, second = _admin("a", COMMUNE), _admin("b", COMMUNE), _admin("c", COMMUNE)
    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=proposer, note="Sửa")
    barrier = threading.Barrier(2)

    def run(n):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            if n == 0:
                actions.approve_publication(draft.pk, actor=first)
                return "approved"
            actions.send_back(draft.pk, actor=second, reason="Chưa đúng")
            return "sent back"
        except actions.PublishError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(run, range(2)))
    assert results in (["approved", "refused"], ["refused", "sent back"])
    row = ProcedureVersion.objects.get(pk=draft.pk)
    if "approved" in results:
        assert row.state == ProcedureVersion.State.PUBLISHED and row.approved_by == first
        assert not ChangeLog.objects.filter(action=ChangeAction.RETURN).exists()
    else:
        assert row.state == ProcedureVersion.State.DRAFT and not row.awaiting_review
        assert not ChangeLog.objects.filter(action=ChangeAction.PUBLISH, object_id=str(draft.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_proposal_lands_before_it_or_is_refused(catalog):
    """The proposal takes the draft's row lock (lock_draft) like every edit: an edit at the same moment
    is either saved before the draft is locked for review, or refused with AwaitingReview — never
    saved into a draft that is already waiting."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import close_old_connections, connection

    from motcua.eforms import actions as eform_actions
    from motcua.eforms.models import EForm

    proposer, editor = _admin("a", COMMUNE), _admin("b", COMMUNE)
    _four_eyes()
    draft = _ready()
    barrier = threading.Barrier(2)

    def run(n):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            if n == 0:
                actions.submit_for_review(draft.pk, actor=proposer, note="Sửa")
                return "proposed"
            eform_actions.add_field(draft.pk, actor=editor, spec={"key": "ghi_chu", "label": "Ghi chú",
                                                                   "type": "text"})
            return "edited"
        except actions.AwaitingReview:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(run, range(2)))
    assert results in (["edited", "proposed"], ["proposed", "refused"])
    keys = [s["key"] for s in EForm.objects.get(procedure_version=draft).schema]
    submitted = ChangeLog.objects.get(object_id=str(draft.pk), action=ChangeAction.SUBMIT)
    edits_after = ChangeLog.objects.filter(object_type="eforms.eform", pk__gt=submitted.pk)
    assert not edits_after.exists()  # nothing was written into the waiting draft
    assert ("ghi_chu" in keys) == ("edited" in results)


# --- review fixes (#18 review): the proposal approved is the one seen, no escaping review, no self-approval


def _district():
    """A district between Tân Thành and the province (the sample data has none): a non-root parent."""
    from motcua.agencies.models import Agency

    commune = _agency(COMMUNE)
    district = Agency.objects.create(unit_code="000.21.00.H12", name="Ủy ban nhân dân quận Một",
                                     kind=commune.kind, parent=commune.parent)
    Agency.objects.filter(pk=commune.pk).update(parent=district)
    return district


def test_an_old_page_approves_nothing_once_the_proposal_was_withdrawn_edited_and_proposed_again(people):
    from motcua.eforms import actions as eform_actions

    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")
    seen = actions.review_token(ProcedureVersion.objects.get(pk=draft.pk))  # the reviewer opens the page
    assert seen
    actions.send_back(draft, actor=people.proposer, reason="", expected=seen)  # the proposer withdraws ...
    eform_actions.add_field(draft, actor=people.proposer, spec={"key": "ghi_chu", "label": "Ghi chú", "type": "text"})
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa tờ khai")  # ... edits, proposes again
    now = actions.review_token(ProcedureVersion.objects.get(pk=draft.pk))
    assert now != seen
    logged = ChangeLog.objects.count()
    with pytest.raises(actions.ProposalChanged, match="tải lại trang"):
        actions.approve_publication(draft, actor=people.second, expected=seen)
    with pytest.raises(actions.ProposalChanged):
        actions.send_back(draft, actor=people.second, reason="Không", expected=seen)
    with pytest.raises(actions.ProposalChanged):
        actions.approve_publication(draft, actor=people.second, expected="")
    assert ChangeLog.objects.count() == logged
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    assert actions.approve_publication(draft, actor=people.second, expected=now).state == "published"


def test_the_token_changes_with_the_content_even_at_the_same_moment(people):
    """Even with the same clock reading, another proposal (another SUBMIT row, other content) is another
    identity."""
    from motcua.eforms import actions as eform_actions

    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    _four_eyes()
    draft = _ready()
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa", at=at)
    first = actions.review_token(ProcedureVersion.objects.get(pk=draft.pk))
    actions.send_back(draft, actor=people.proposer, reason="", at=at)
    eform_actions.update_field(draft, "ho_ten", actor=people.proposer, spec={**FIELD, "label": "Họ tên"}, at=at)
    actions.submit_for_review(draft, actor=people.proposer, note="Sửa", at=at)
    assert actions.review_token(ProcedureVersion.objects.get(pk=draft.pk)) != first


def test_only_a_higher_admin_switches_four_eyes_off(people):
    from motcua.agencies.actions import SettingRefused, update_publication_settings

    district = _district()
    district_admin = _admin("qt_quan", district.unit_code)
    _four_eyes()
    logged = ChangeLog.objects.count()
    for own in (people.proposer, people.second):
        with pytest.raises(SettingRefused, match="cơ quan cấp trên"):
            update_publication_settings(_agency(COMMUNE), actor=own, values={"publication_review": False})
    assert _agency(COMMUNE).publication_review and ChangeLog.objects.count() == logged
    for higher in (district_admin, people.province):
        update_publication_settings(_agency(COMMUNE), actor=higher, values={"publication_review": False})
        assert not _agency(COMMUNE).publication_review
        update_publication_settings(_agency(COMMUNE), actor=people.proposer, values={"publication_review": True})
        assert _agency(COMMUNE).publication_review  # switching it on is the agency's own choice


def test_moving_the_draft_to_another_agency_does_not_escape_review(people):
    _four_eyes()  # Tân Thành, the agency of the published version; the other commune has no four eyes
    draft = _ready()
    actions.edit_general(draft, actor=people.proposer, values={"agency": _agency("000.22.01.H12")})
    assert actions.review_required(ProcedureVersion.objects.get(pk=draft.pk))
    with pytest.raises(actions.ReviewRequired):
        actions.publish_draft(draft, actor=people.proposer, note="Một mình")
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.DRAFT


def test_the_django_admin_shows_the_agency_settings_read_only(people):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from motcua.accounts.models import User
    from motcua.agencies.actions import FEE_SETTINGS, FORM_SETTINGS, PUBLICATION_SETTINGS, RECEIPT_SETTINGS
    from motcua.agencies.models import Agency

    request = RequestFactory().get("/")
    request.user = User.objects.create_superuser("root", password="x")
    model_admin = django_admin.site._registry[Agency]
    form = model_admin.get_form(request, _agency(COMMUNE))
    for name in (*PUBLICATION_SETTINGS, *FORM_SETTINGS, *FEE_SETTINGS, *RECEIPT_SETTINGS):
        assert name not in form.base_fields, name
        assert name in model_admin.get_readonly_fields(request, _agency(COMMUNE)), name


def test_may_review_is_the_admin_scope_rule_up_the_whole_chain(people):
    from motcua.accounts.admin_scope import administers

    district = _district()
    district_admin = _admin("qt_quan", district.unit_code)
    commune = _agency(COMMUNE)
    assert actions.may_review(district_admin, commune)  # a non-root parent
    assert not actions.may_review(district_admin, _agency("000.22.01.H12"))  # not its child
    assert not actions.may_review(people.proposer, district)  # not upwards
    for user in (people.proposer, people.province, people.outsider, district_admin, None):
        for agency in (commune, district, _agency("000.22.01.H12")):
            assert actions.may_review(user, agency) == administers(user, agency)


def test_whoever_edited_the_draft_does_not_approve_it(people):
    from motcua.eforms import actions as eform_actions

    editor = _admin("bien_tap", COMMUNE)
    _four_eyes()
    draft = _ready()
    eform_actions.add_field(draft, actor=editor, spec={"key": "ghi_chu", "label": "Ghi chú", "type": "text"})
    actions.submit_for_review(draft, actor=people.proposer, note="Thêm ghi chú")
    with pytest.raises(actions.ReviewRefused, match="đã sửa bản nháp"):
        actions.approve_publication(draft, actor=editor)
    assert ProcedureVersion.objects.get(pk=draft.pk).awaiting_review
    # A reviewer who only sent an earlier proposal back has edited nothing.
    actions.send_back(draft, actor=people.second, reason="Xem lại")
    actions.submit_for_review(draft, actor=people.proposer, note="Thêm ghi chú")
    assert actions.approval_refusal(people.second, ProcedureVersion.objects.get(pk=draft.pk)) is None
    assert actions.approve_publication(draft, actor=people.second).approved_by == people.second


def test_removing_a_part_counts_as_editing_too(people):
    _four_eyes()
    draft = _ready()
    component = draft.components.order_by("order").first()
    actions.remove_component(draft, component.pk, actor=people.second)
    actions.submit_for_review(draft, actor=people.proposer, note="Bớt giấy tờ")
    assert people.second.pk in actions.draft_editors(draft)
    with pytest.raises(actions.ReviewRefused, match="đã sửa bản nháp"):
        actions.approve_publication(draft, actor=people.second)
    assert actions.approve_publication(draft, actor=people.province).state == ProcedureVersion.State.PUBLISHED


def _changed_file(name: str) -> dict:
    from motcua.catalog import importer

    data = importer.export_catalog()
    spec = next(p for p in data["procedures"] if p["code"] == MARRIAGE)
    spec["name"] = name
    data["procedures"] = [spec]
    return data


@pytest.mark.parametrize("waiting", [True, False])
def test_the_import_refuses_a_procedure_with_a_draft_rather_than_strand_it(people, waiting):
    from motcua.catalog import importer

    draft = _ready()
    if waiting:
        _four_eyes()
        actions.submit_for_review(draft, actor=people.proposer, note="Sửa")
    versions = ProcedureVersion.objects.filter(procedure=draft.procedure).count()
    with pytest.raises(importer.CatalogError) as refused:
        importer.import_catalog(_changed_file("Đăng ký kết hôn (sửa)"), actor=people.province)
    problems = " ".join(refused.value.problems)
    assert MARRIAGE in problems and f"phiên bản {draft.number}" in problems
    assert ("đang chờ duyệt" in problems) == waiting and ("bị bỏ lại" in problems) == (not waiting)
    assert ProcedureVersion.objects.filter(procedure=draft.procedure).count() == versions
    assert Procedure.objects.get(code=MARRIAGE).published.name == "Đăng ký kết hôn"
    assert ProcedureVersion.objects.get(pk=draft.pk).state == ProcedureVersion.State.DRAFT
