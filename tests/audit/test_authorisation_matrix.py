"""Authorisation matrix: every role × every kind of object × a representative action → the answer
the design asks for (docs/architecture.md §2 "private by default"; docs/api.md "the same permissions as the UI").

One dossier of the commune (online, owned by the citizen, received and handed to the officers'
pool at step 2) is looked at by each role through every door: the staff dossier page, its file,
its form 01, a staff action (claim), the API detail / action (handover) / form, the citizen's pages,
the admin area, the reports, and Django's admin. Actions that change the dossier run on a fresh
dossier each. A cell is the HTTP status, and for actions whether the dossier really changed
("302+" acted, "302-" refused with a message) since the back office redirects either way.

Where the code disagrees with the design the expectation follows the design and the cell is marked
in DISAGREES (xfail-like: the test checks the code's current answer and names the gap), so that a
fix shows up as a failing line to update rather than silently.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client

from motcua.accounts.models import Membership, User
from motcua.api.auth import issue_token
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from tests.backoffice.conftest import PDF, fresh, online_dossier

pytestmark = pytest.mark.django_db

KINDS = ["page", "file", "form", "ui_action", "api_detail", "api_action", "api_form", "citizen_page",
         "citizen_file", "admin_area", "reports", "django_admin"]

# role: expected answer per kind (same order as KINDS)
_ = None
EXPECTED = {
    #                page   file   form   ui      api   apiact api_f cit_p  cit_f  admin  reports dj_admin
    "anonymous":    (302,   302,   302,   "302-", 401,  401,   401,  302,   302,   302,   302,    302),
    "owner":        (403,   403,   403,   403,    200,  403,   200,  200,   200,   403,   403,    302),
    "other_citizen": (403,  403,   403,   403,    404,  404,   404,  404,   404,   403,   403,    302),
    "receptionist": (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   403,   200,    302),
    "officer":      (200,   200,   200,   "302+", 200,  200,   200,  404,   404,   403,   200,    302),
    "head":         (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   403,   200,    302),
    "leader":       (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   403,   200,    302),
    "clerk":        (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   403,   200,    302),
    "agency_admin": (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   200,   200,    302),
    "supervisor":   (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   403,   200,    302),
    "other_agency": (404,   404,   404,   404,    404,  404,   404,  404,   404,   403,   200,    302),
    "superuser":    (200,   200,   200,   "302-", 200,  403,   200,  404,   404,   200,   200,    200),
}

# (role, kind): (what the code answers now, why it differs from the design) — reported, not hidden.
# Empty since the API shares the back office's read-only scope of supervisors (dossiers.queries).
DISAGREES: dict[tuple[str, str], tuple[object, str]] = {}


@pytest.fixture
def cast(people):
    head = User.objects.create_user("tp_xa", full_name="Trưởng phòng xã")
    Membership.objects.create(user=head, agency=people.commune, role="department_head")
    return {
        "anonymous": None, "owner": people.citizen, "other_citizen": User.objects.create_user("congdan_khac"),
        "receptionist": people.receptionist, "officer": people.officer, "head": head, "leader": people.leader,
        "clerk": people.clerk, "agency_admin": people.admin, "supervisor": people.supervisor,
        "other_agency": people.other_receptionist,
        "superuser": User.objects.create_superuser("sieu_quan_tri", password=None),
    }


def _dossier(people) -> tuple[Dossier, int]:
    d = online_dossier(people)
    component = d.procedure_version.components.order_by("order", "id").first()
    file = actions.add_file(d, actor=people.citizen, upload=io.BytesIO(PDF), name="to-khai.pdf",
                            component=component).file
    actions.receive(fresh(d), actor=people.receptionist)
    actions.handover(fresh(d), actor=people.receptionist)  # to the officers' pool (step 2)
    return fresh(d), file.pk


def _client(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _bearer(user) -> dict:
    if user is None:
        return {}
    token, _row = issue_token(user)
    return {"Authorization": f"Bearer {token}"}


def answers(role: str, user, people) -> dict[str, object]:
    d, file_id = _dossier(people)
    c, auth = _client(user), _bearer(user)
    got: dict[str, object] = {}
    got["page"] = c.get(f"/can-bo/ho-so/{d.code}/").status_code
    got["file"] = c.get(f"/can-bo/ho-so/{d.code}/tep/{file_id}/").status_code
    got["form"] = c.get(f"/can-bo/ho-so/{d.code}/mau/01.pdf").status_code
    got["api_detail"] = c.get(f"/api/v1/dossiers/{d.code}", headers=auth).status_code
    got["api_form"] = c.get(f"/api/v1/dossiers/{d.code}/forms/01.pdf", headers=auth).status_code
    got["citizen_page"] = c.get(f"/ho-so-cua-toi/{d.code}/").status_code
    got["citizen_file"] = c.get(f"/ho-so-cua-toi/{d.code}/tep/{file_id}/").status_code
    got["admin_area"] = c.get("/can-bo/quan-tri/").status_code
    got["reports"] = c.get("/can-bo/thong-ke/").status_code
    got["django_admin"] = c.get("/quan-tri-he-thong/").status_code

    # Actions, each on its own dossier.
    d, _file = _dossier(people)
    response = c.post(f"/can-bo/ho-so/{d.code}/thao-tac/claim/", {"claim-version": d.version, "claim-token": ""})
    changed = fresh(d).version != d.version
    got["ui_action"] = f"302{'+' if changed else '-'}" if response.status_code == 302 else response.status_code
    if response.status_code != 302:
        assert not changed
    d, _file = _dossier(people)
    response = c.post(f"/api/v1/dossiers/{d.code}/actions", {"action": "handover", "version": d.version},
                      content_type="application/json", headers=auth)
    got["api_action"] = response.status_code
    assert (fresh(d).version != d.version) == (response.status_code == 200), (role, response.content[:300])
    return got


@pytest.mark.parametrize("role", list(EXPECTED))
def test_authorisation_matrix(cast, people, role):
    got = answers(role, cast[role], people)
    expected = dict(zip(KINDS, EXPECTED[role], strict=True))
    for (r, kind), (now, _why) in DISAGREES.items():
        if r == role:
            expected[kind] = now
    wrong = {k: (expected[k], got[k]) for k in KINDS if got[k] != expected[k]}
    assert not wrong, f"{role}: (expected, got) {wrong}"


def test_no_door_answers_500_to_strange_codes(cast, people):
    c = _client(cast["receptionist"])
    for code in ("../../etc/passwd", "%00", "x" * 300, "' OR 1=1 --", "<script>"):
        for url in (f"/can-bo/ho-so/{code}/", f"/ho-so-cua-toi/{code}/", f"/api/v1/dossiers/{code}",
                    f"/tra-cuu/{code}?key=ABCDEF", f"/api/v1/track/{code}?key=ABCDEF"):
            assert c.get(url, headers=_bearer(cast["receptionist"])).status_code in (400, 404), url


# --- the official forms 01–07, per role, through the pages and the API ----------------------------
# The applicant's papers (01–05) go to the owner; the office's records (06 control sheet, 07 the
# day's ledger: every dossier the agency received that day, with names, addresses and phones) only
# to staff who see the dossier. One table (dossiers.paperwork.forms_for) serves every door.
FORMS = ("01", "02", "03", "04", "05", "06", "07")
STAFF = ("receptionist", "officer", "head", "leader", "clerk", "agency_admin", "supervisor", "superuser")


def expected_form(role: str, door: str, number: str) -> int:
    if role == "anonymous":
        return {"staff_page": 302, "citizen_page": 302, "api": 401}[door]
    if role == "owner":
        if door == "staff_page":
            return 403
        return 200 if number <= "05" else 404
    if role == "other_citizen" and door == "staff_page":
        return 403
    if role in STAFF and door != "citizen_page":
        return 200
    return 404


def _dossiers_with_every_form(people) -> dict[str, Dossier]:
    """01, 02, 04, 05, 06, 07 on one online dossier (supplement at reception, received, extended,
    stopped); 03 on another, refused at reception."""
    import datetime as dt

    d = online_dossier(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Bản sao giấy chứng sinh"])
    actions.supply(fresh(d), actor=people.citizen)
    actions.receive(fresh(d), actor=people.receptionist)
    d = fresh(d)
    actions.extend(d, actor=people.receptionist, new_due_at=d.due_at + dt.timedelta(days=3), reason="Xác minh")
    actions.stop(fresh(d), actor=people.receptionist, reason="Người yêu cầu xin dừng")
    refused = online_dossier(people)
    actions.refuse(refused, actor=people.receptionist, reason="Sai thẩm quyền")
    return {number: fresh(refused if number == "03" else d) for number in FORMS}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_forms_01_to_07_per_role_through_the_pages_and_the_api(cast, people, role):
    from motcua.dossiers import paperwork

    dossiers = _dossiers_with_every_form(people)
    user = cast[role]
    c, auth = _client(user), _bearer(user)
    wrong = {}
    for number, d in dossiers.items():
        got = {
            "staff_page": c.get(f"/can-bo/ho-so/{d.code}/mau/{number}.pdf").status_code,
            "citizen_page": c.get(f"/ho-so-cua-toi/{d.code}/giay-to/{number}.pdf").status_code,
            "api": c.get(f"/api/v1/dossiers/{d.code}/forms/{number}.pdf", headers=auth).status_code,
        }
        for door, status in got.items():
            if status != expected_form(role, door, number):
                wrong[(door, number)] = (expected_form(role, door, number), status)
    assert not wrong, f"{role}: (expected, got) {wrong}"
    assert all(number in paperwork.available_forms(dossiers[number]) for number in FORMS)  # none missed
    if role == "owner":  # the API says why, as for any form a dossier does not have
        body = c.get(f"/api/v1/dossiers/{dossiers['07'].code}/forms/07.pdf", headers=auth).json()
        assert body["error"]["code"] == "form_not_available"
