"""The e-form's action layer (eforms.actions): each write takes the draft's lock, refuses a version
that is no longer a draft, checks the edit and writes its change-log row in the same transaction."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from motcua.catalog.actions import NotADraft, publish_version, start_draft
from motcua.eforms import actions
from motcua.eforms.editing import compose

BIRTH = "1.001193"  # commune Tân Thành
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def _admin(username: str):
    from motcua.accounts.models import Membership, Role, User
    from motcua.agencies.models import Agency

    user = User.objects.create_user(username, full_name=f"Cán bộ {username}")
    Membership.objects.create(user=user, agency=Agency.objects.get(unit_code="000.21.01.H12"), role=Role.AGENCY_ADMIN)
    return user


def _draft():
    from motcua.catalog.models import Procedure

    return start_draft(Procedure.objects.get(code=BIRTH))


def _logs(eform):
    from motcua.audit.models import ChangeLog

    return list(ChangeLog.objects.filter(object_type="eforms.eform", object_id=str(eform.pk)).order_by("pk"))


def _keys(eform) -> list[str]:
    eform.refresh_from_db()
    return [s["key"] for s in eform.schema]


@pytest.fixture
def admin(catalog):
    return _admin("qt_tanthanh")


@pytest.fixture
def draft(catalog):
    return _draft()


@pytest.fixture
def eform(draft, admin):
    made = actions.create_eform(draft, actor=admin, title="Tờ khai thử", generic=False)
    actions.add_field(draft, actor=admin, spec=compose("yes_no", label="Có thông tin người cha", key="co_cha"))
    actions.add_field(draft, actor=admin, spec=compose("text", label="Họ tên cha", key="ten_cha",
                                                       show_if={"field": "co_cha", "equals": True}))
    return made


def test_it_creates_the_drafts_eform_with_the_generic_fields_and_a_log_row(draft, admin):
    from motcua.catalog.models import ProcedureVersion
    from motcua.eforms.defaults import GENERIC_SCHEMA

    component = draft.components.order_by("order").first()
    eform = actions.create_eform(draft, actor=admin, title="  Tờ khai khai sinh ", component=component, at=AT)
    assert (eform.title, eform.component) == ("Tờ khai khai sinh", component)
    assert _keys(eform) == [s["key"] for s in GENERIC_SCHEMA]
    [log] = _logs(eform)
    assert (log.action, log.actor, log.agency_id, log.at) == ("create", admin, draft.agency_id, AT)
    assert log.before is None and log.after["title"] == "Tờ khai khai sinh"
    assert ProcedureVersion.objects.get(pk=draft.pk).updated_at == AT
    with pytest.raises(actions.EFormExists):
        actions.create_eform(draft, actor=admin, title="Lần hai")
    assert len(_logs(eform)) == 1


def test_each_field_edit_saves_the_schema_with_its_before_and_after(eform, draft, admin):
    from motcua.catalog.models import ProcedureVersion

    actions.add_field(draft, actor=admin, spec=compose("text", label="Họ và tên", key="ho_ten"), at=AT)
    log = _logs(eform)[-1]
    assert _keys(eform) == ["co_cha", "ten_cha", "ho_ten"]
    assert (log.action, log.actor, log.note) == ("update", admin, "Thêm trường «Họ và tên»")
    assert [s["key"] for s in log.before["schema"]] == ["co_cha", "ten_cha"] and log.after["schema"] == eform.schema
    assert ProcedureVersion.objects.get(pk=draft.pk).updated_at == AT

    actions.add_field(draft, actor=admin, spec=compose("phone", label="Điện thoại", key="dien_thoai"), after="co_cha")
    assert _keys(eform) == ["co_cha", "dien_thoai", "ten_cha", "ho_ten"]
    actions.update_field(draft, "ho_ten", actor=admin, spec=compose("text", label="Họ, chữ đệm, tên", key="ho_ten"))
    eform.refresh_from_db()
    assert eform.schema[-1]["label"] == "Họ, chữ đệm, tên"
    actions.move_field(draft, "ho_ten", -10, actor=admin)
    assert _keys(eform) == ["ho_ten", "co_cha", "dien_thoai", "ten_cha"]
    assert (_logs(eform)[-1].action, _logs(eform)[-1].note) == ("reorder", "Chuyển trường «Họ, chữ đệm, tên» lên")
    actions.remove_field(draft, "dien_thoai", actor=admin)
    assert _keys(eform) == ["ho_ten", "co_cha", "ten_cha"] and _logs(eform)[-1].note == "Xóa trường «Điện thoại»"
    component = draft.components.order_by("-order").first()
    actions.update_settings(draft, actor=admin, title="Tờ khai mới", component=component)
    eform.refresh_from_db()
    assert (eform.title, eform.component) == ("Tờ khai mới", component)
    assert _logs(eform)[-1].before["title"] == "Tờ khai thử"
    assert len(_logs(eform)) == 9  # create, 2 + 5 field edits, settings


def test_a_published_version_is_refused_and_left_as_it_was(eform, draft, admin):
    publish_version(draft)
    before = (_keys(eform), eform.title, len(_logs(eform)))
    for write in (
        lambda: actions.add_field(draft, actor=admin, spec=compose("text", label="Mới", key="moi")),
        lambda: actions.update_field(draft, "ten_cha", actor=admin, spec=compose("text", label="Đổi", key="ten_cha")),
        lambda: actions.move_field(draft, "ten_cha", -1, actor=admin),
        lambda: actions.remove_field(draft, "ten_cha", actor=admin),
        lambda: actions.update_settings(draft, actor=admin, title="Đổi tên"),
        lambda: actions.create_eform(draft, actor=admin, title="Tờ khai khác"),
    ):
        with pytest.raises(NotADraft):
            write()
    assert (_keys(eform), eform.title, len(_logs(eform))) == before


@pytest.mark.parametrize(("write", "field", "words"), [
    (lambda d, a: actions.add_field(d, actor=a, spec=compose("text", label="Cha", key="ten_cha")), "key",
     "Mã trường «ten_cha» đã được dùng cho trường «Họ tên cha»"),
    (lambda d, a: actions.add_field(d, actor=a, spec=compose("text", label="X", key="Không hợp lệ")), "key",
     "không hợp lệ"),
    (lambda d, a: actions.update_field(d, "co_cha", actor=a, spec=compose(
        "yes_no", label="Có cha", key="co_cha", show_if={"field": "ten_cha", "equals": "x"})), "show_if_field",
     "chỉ dựa được vào một trường đứng trước nó"),
    (lambda d, a: actions.update_settings(d, actor=a, title="  "), "title", "Hãy nhập tên tờ khai"),
    (lambda d, a: actions.update_settings(d, actor=a, title="T", component=_other_component()), "component",
     "phải thuộc cùng phiên bản"),
    (lambda d, a: actions.remove_field(d, "co_cha", actor=a), None, "Không xóa được «Có thông tin người cha»"),
    (lambda d, a: actions.move_field(d, "ten_cha", -1, actor=a), None, "phải đứng sau"),
])
def test_a_refused_edit_names_the_input_and_changes_nothing(eform, draft, admin, write, field, words):
    before = (_keys(eform), eform.title, len(_logs(eform)))
    with pytest.raises(actions.EFormError) as refused:
        write(draft, admin)
    assert refused.value.field == field
    assert words in " ".join(refused.value.problems)
    eform.refresh_from_db()
    assert (_keys(eform), eform.title, len(_logs(eform))) == before


def _other_component():
    from motcua.catalog.models import Component

    return Component.objects.exclude(version__procedure__code=BIRTH).first()


def test_the_log_row_is_written_in_the_edits_transaction(eform, draft, admin):
    before = (_keys(eform), len(_logs(eform)))
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.add_field(draft, actor=admin, spec=compose("text", label="Họ và tên", key="ho_ten"))
        assert len(_logs(eform)) == before[1] + 1
        raise RuntimeError("the caller's transaction is rolled back")
    assert (_keys(eform), len(_logs(eform))) == before


def test_without_a_draft_or_an_eform_nothing_is_written(catalog, admin):
    from motcua.catalog.models import Procedure

    published = Procedure.objects.get(code=BIRTH).published
    with pytest.raises(NotADraft):
        actions.create_eform(published, actor=admin, title="Tờ khai")
    draft = _draft()
    with pytest.raises(actions.NoEForm):
        actions.add_field(draft, actor=admin, spec=compose("text", label="A", key="a"))


# --- real transactions, real threads --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_log_row_that_cannot_be_written_takes_the_edit_with_it(catalog):
    """The change-log row refers to an actor that does not exist: the foreign key fails at the commit of
    the action's transaction, and the schema written in it is rolled back too."""
    from motcua.accounts.models import User

    draft, admin = _draft(), _admin("qt_tanthanh")
    eform = actions.create_eform(draft, actor=admin, title="Tờ khai thử", generic=False)
    ghost = User(pk=987654, username="khong_ton_tai")
    with pytest.raises(IntegrityError):
        actions.add_field(draft, actor=ghost, spec=compose("text", label="Họ và tên", key="ho_ten"))
    assert _keys(eform) == [] and len(_logs(eform)) == 1


def _race(calls: list) -> list[str]:
    """Run every call at the same moment, one thread (and database connection) each."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            call()
            return "ok"
        except NotADraft:
            return "NotADraft"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_two_admins_adding_fields_at_once_keep_both(catalog):
    draft, first, second = _draft(), _admin("qt_mot"), _admin("qt_hai")
    eform = actions.create_eform(draft, actor=first, title="Tờ khai thử", generic=False)
    fields = {user: [compose("text", label=f"{user.username} {i}", key=f"{user.username}_{i}") for i in range(4)]
              for user in (first, second)}

    def adds(user):
        return lambda: [actions.add_field(draft.pk, actor=user, spec=spec) for spec in fields[user]]

    assert _race([adds(first), adds(second)]) == ["ok", "ok"]
    assert sorted(_keys(eform)) == sorted(s["key"] for specs in fields.values() for s in specs)
    logs = _logs(eform)[1:]
    assert len(logs) == 8
    for earlier, later in zip(logs, logs[1:], strict=False):  # each edit started from the one before
        assert later.before["schema"] == earlier.after["schema"]


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_publication_lands_before_it_or_not_at_all(catalog):
    from motcua.eforms.models import EForm

    draft, admin = _draft(), _admin("qt_tanthanh")
    eform = actions.create_eform(draft, actor=admin, title="Tờ khai thử", generic=False)
    results = _race([
        lambda: actions.add_field(draft.pk, actor=admin, spec=compose("text", label="Họ và tên", key="ho_ten")),
        lambda: publish_version(draft),
    ])
    published = EForm.objects.get(pk=eform.pk)
    assert results[1] == "ok"
    if results[0] == "ok":
        assert [s["key"] for s in published.schema] == ["ho_ten"] and len(_logs(eform)) == 2
    else:
        assert results[0] == "NotADraft" and published.schema == [] and len(_logs(eform)) == 1


def test_a_move_that_changes_nothing_is_refused_and_logs_nothing(eform, draft, admin):
    """The first field up, the last one down (#18 review): refused, no change-log row."""
    before = (_keys(eform), len(_logs(eform)))
    with pytest.raises(actions.EFormError, match="đã ở vị trí đầu tiên"):
        actions.move_field(draft, "co_cha", -1, actor=admin)
    with pytest.raises(actions.EFormError, match="đã ở vị trí cuối cùng"):
        actions.move_field(draft, "ten_cha", 1, actor=admin)
    assert (_keys(eform), len(_logs(eform))) == before
