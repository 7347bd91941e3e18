"""The leader's approval step (issue #17): certification signature with a personal certificate,
the clerk's completion fills the number and date and adds the agency's signature."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.files.storage import default_storage

from motcua.catalog.models import WorkflowStep
from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed
from motcua.dossiers.models import DossierFile, Event, FileKind, Status
from motcua.signing import personal
from motcua.signing.errors import SigningRefused, WrongPin
from motcua.signing.models import PersonalCertificate, PersonalCertificateUse, SignedResult, UseOutcome

from .conftest import at, counter_dossier, fresh
from .personal_ca import LEADER_NAME, PIN

pytestmark = pytest.mark.django_db


def _read(file: DossierFile) -> bytes:
    with default_storage.open(file.storage_key, "rb") as handle:
        return handle.read()


def _approval_dossier(people, result: bytes):
    """A birth registration whose leader step (the third) is an approval step, at that step."""
    d = counter_dossier(people)
    WorkflowStep.objects.filter(case=d.case, order=2).update(approval=True)
    actions.handover(fresh(d), actor=people.receptionist, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.officer, upload=io.BytesIO(result), name="giay-khai-sinh.pdf",
                     kind="result", at=at(9, 10, 5))
    actions.handover(fresh(d), actor=people.officer, at=at(9, 10, 10))
    return fresh(d)


def _validate(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from motcua.signing import certificates

    reader = PdfFileReader(io.BytesIO(data))
    context = ValidationContext(trust_roots=list(certificates.trust_roots()), allow_fetching=False)
    return [(sig, validate_pdf_signature(sig, signer_validation_context=context))
            for sig in reader.embedded_signatures]


def test_leader_approves_with_personal_certificate_then_clerk_countersigns(
        people, commune_certificate, leader_certificate, sample_pdf, tmp_path):
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import MDPPerm

    d = _approval_dossier(people, sample_pdf)
    # At the approval step the leader approves: hand-over and completion are not offered.
    with pytest.raises(ActionNotAllowed) as refused:
        actions.handover(fresh(d), actor=people.leader, at=at(9, 11))
    assert refused.value.code == "approval_required"

    # A wrong PIN is refused, counted and logged (never the PIN itself).
    with pytest.raises(WrongPin):
        actions.approve(fresh(d), actor=people.leader, pin="000000", at=at(9, 11))
    row = PersonalCertificate.objects.get(pk=leader_certificate.pk)
    assert row.failed_attempts == 1 and not row.locked
    assert PersonalCertificateUse.objects.filter(certificate=row, outcome=UseOutcome.WRONG_PIN).count() == 1
    assert not PersonalCertificateUse.objects.filter(detail__contains="000000").exists()
    assert fresh(d).status == Status.PROCESSING and fresh(d).current_step.approval

    done = actions.approve(fresh(d), actor=people.leader, pin=PIN, note="Đồng ý", at=at(9, 11))
    event = done.event
    assert event.kind == "approved" and event.actor == people.leader
    assert event.data["signer"]["name"] == LEADER_NAME and event.data["signer"]["provider"] == "personal"
    [entry] = event.data["signed_results"]
    assert entry["signature"] == "certification" and entry["signer"] == LEADER_NAME
    assert PIN not in str(event.data) and PIN not in (event.note or "")
    after = fresh(d)
    assert after.status == Status.PROCESSING and after.current_step.role == "clerk" and after.assignee is None
    assert PersonalCertificate.objects.get(pk=row.pk).failed_attempts == 0  # reset by a right PIN
    assert PersonalCertificateUse.objects.filter(certificate=row, outcome=UseOutcome.SIGNED, dossier=d).exists()

    record = SignedResult.objects.get(dossier=d, role="certification")
    assert record.personal_certificate_id == row.pk and record.signer == people.leader
    leader_copy = _read(record.signed_file)
    [(sig, status)] = _validate(leader_copy)
    assert status.intact and status.valid and status.trusted
    assert sig.docmdp_level == MDPPerm.FILL_FORMS  # a certification signature, level 2

    # The clerk completes: number and date filled, the agency's signature added.
    completed = actions.complete(fresh(d), actor=people.clerk, at=at(9, 14))
    [final_entry] = completed.event.data["signed_results"]
    assert final_entry["signature"] == "approval"
    final_record = SignedResult.objects.get(dossier=d, role="approval")
    assert final_record.source_file_id == record.signed_file_id
    final = _read(final_record.signed_file)
    (tmp_path / "final.pdf").write_bytes(final)  # to look at: pdftoppm -png -r 60
    reports = _validate(final)
    assert len(reports) == 2
    (leader_sig, leader_status), (agency_sig, agency_status) = reports
    assert leader_status.intact and leader_status.valid and leader_status.docmdp_ok
    assert leader_status.modification_level == ModificationLevel.FORM_FILLING
    assert agency_status.intact and agency_status.valid and agency_status.trusted
    assert agency_sig.docmdp_level is None  # an approval signature, not a second certification

    # The fields carry the number (the dossier code here) and the date.
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(final))
    values = {str(f.get_object()["/T"]): str(f.get_object().get("/V", "")) for f in reader.root["/AcroForm"]["/Fields"]}
    assert values["SoKetQua"] == d.code
    assert values["NgayKetQua"].startswith("ngày ") and "tháng" in values["NgayKetQua"]

    # pdfsig names the leader (and the agency).
    path = default_storage.path(final_record.signed_file.storage_key)
    out = subprocess.run(["pdfsig", path], capture_output=True, text=True, timeout=60).stdout
    assert LEADER_NAME in out and people.commune.name in out

    # The verification page's report lists both signers.
    from motcua.signing.verify import Verdict, verify_pdf

    verdict = verify_pdf(final)
    assert [s.signer for s in verdict.signatures] == [LEADER_NAME, people.commune.name]
    assert verdict.verdict == Verdict.VALID
    assert [s.certifies for s in verdict.signatures] == [True, False]
    from motcua.signing.verify import results_for

    [issued] = results_for(d.code, d.tracking_key).results  # the final copy only, naming both signers
    assert issued.sha256 == final_record.signed_sha256 and issued.signers == (LEADER_NAME, people.commune.name)

    # The public verification page lists both signatures by name.
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    page = Client().post("/xac-thuc/", {"mode": "file", "tep": SimpleUploadedFile("kq.pdf", final, "application/pdf")})
    html = page.content.decode()
    assert page.status_code == 200 and "Chữ ký hợp lệ" in html
    assert LEADER_NAME in html and people.commune.name in html and "chữ ký phê duyệt" in html

    # The applicant is offered the final copy only.
    from motcua.dossiers.actions import _offered_results

    assert _offered_results(fresh(d), completed.event) == [final_record.signed_file_id]


def test_wrong_pins_lock_the_key_until_an_administrator_unlocks(people, leader_certificate, sample_pdf, settings):
    settings.MOTCUA_SIGNING_PIN_ATTEMPTS = 2
    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(WrongPin):
        actions.approve(fresh(d), actor=people.leader, pin="1", at=at(9, 11))
    with pytest.raises(SigningRefused) as locked:
        actions.approve(fresh(d), actor=people.leader, pin="2", at=at(9, 11))
    assert locked.value.code == "certificate_locked"
    with pytest.raises(SigningRefused) as still:
        actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))  # even the right PIN
    assert still.value.code == "certificate_locked"
    personal.admin_unlock(leader_certificate, actor=people.admin if hasattr(people, "admin") else people.leader)
    assert PersonalCertificateUse.objects.filter(outcome=UseOutcome.UNLOCKED).count() == 1
    actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    assert Event.objects.filter(dossier=d, kind="approved").count() == 1


def test_a_revoked_certificate_is_refused(people, ca, sample_pdf, settings):
    p12, cert = ca.issue()
    settings.MOTCUA_SIGNING_PERSONAL_CRL = str(ca.write_crl([cert], pem=False))
    personal.upload(people.leader, p12, name="x.p12", password=PIN)
    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(SigningRefused) as refused:
        actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    assert refused.value.code == "certificate_revoked" and "thu hồi" in refused.value.message
    assert PersonalCertificateUse.objects.filter(outcome=UseOutcome.REVOKED).exists()
    assert fresh(d).status == Status.PROCESSING


def test_an_expired_certificate_is_refused(people, ca, sample_pdf):
    import datetime as dt

    p12, _cert = ca.issue(days=30, not_before=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    personal.upload(people.leader, p12, name="x.p12", password=PIN)
    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(SigningRefused) as refused:
        actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    assert refused.value.code == "certificate_expired" and "hết hạn" in refused.value.message


def test_upload_refuses_a_wrong_password_and_a_non_pkcs12(people, ca):
    from motcua.signing.errors import CertificateUploadError

    p12, _cert = ca.issue()
    with pytest.raises(CertificateUploadError):
        personal.upload(people.leader, p12, name="x.p12", password="sai")
    with pytest.raises(CertificateUploadError):
        personal.upload(people.leader, b"not a certificate", name="x.p12", password=PIN)
    assert not PersonalCertificate.objects.exists()


def test_without_personal_certificate_the_leader_approves_with_the_agency_certificate(
        people, commune_certificate, sample_pdf):
    d = _approval_dossier(people, sample_pdf)
    done = actions.approve(fresh(d), actor=people.leader, at=at(9, 11))
    assert done.event.data["signer"]["provider"] == "agency"
    completed = actions.complete(fresh(d), actor=people.clerk, at=at(9, 14))
    final = SignedResult.objects.get(dossier=d, role="approval")
    assert [entry["file_id"] for entry in completed.event.data["signed_results"]] == [final.signed_file_id]
    assert len(_validate(_read(final.signed_file))) == 2


def test_an_approval_step_that_is_last_completes(people, leader_certificate, sample_pdf):
    d = counter_dossier(people)
    steps = list(WorkflowStep.objects.filter(case=d.case).order_by("order"))
    WorkflowStep.objects.filter(pk=steps[-1].pk).update(approval=True)
    for actor in (people.receptionist, people.officer, people.leader):
        actions.handover(fresh(d), actor=actor, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.clerk, upload=io.BytesIO(sample_pdf), name="kq.pdf", kind="result",
                     at=at(9, 10, 5))
    with pytest.raises(ActionNotAllowed):
        actions.complete(fresh(d), actor=people.clerk, at=at(9, 11))
    # The clerk holds the step (role clerk); the approval is theirs to give here.
    done = actions.approve(fresh(d), actor=people.clerk, at=at(9, 11))
    assert fresh(d).status == Status.COMPLETED and "completion" in done.event.data
    from motcua.notify.events import template_for

    assert template_for(done.event)[0] == "result_ready"  # told like a completion


def test_an_electronic_result_approved_at_the_last_step_offers_the_countersigned_copy(
        people, commune_certificate, leader_certificate, sample_pdf):
    from motcua.catalog.models import Procedure
    from motcua.dossiers.actions import Applicant
    from tests.answers import valid_answers

    version = Procedure.objects.get(code="1.001193").published
    steps = list(WorkflowStep.objects.filter(case__version=version, case__order=0).order_by("order"))
    # The leader approves at the last step (no clerk step after it).
    WorkflowStep.objects.filter(pk=steps[-1].pk).update(role="leader", approval=True)
    d = actions.create_dossier(
        actor=people.citizen, version=version, channel=2, form_data=valid_answers(version), delivery="online",
        applicant=Applicant(name="Nguyễn Văn An", id_number="096090001234", phone="0987654321"),
    ).dossier
    actions.receive(fresh(d), actor=people.receptionist, at=at(9, 9))
    actions.handover(fresh(d), actor=people.receptionist, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.officer, upload=io.BytesIO(sample_pdf), name="kq.pdf", kind="result",
                     at=at(9, 10, 5))
    actions.handover(fresh(d), actor=people.officer, at=at(9, 10, 10))
    actions.handover(fresh(d), actor=people.leader, at=at(9, 10, 20))
    done = actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    delivered = done.extra["followed_by"]
    final = SignedResult.objects.get(dossier=d, role="approval")
    assert fresh(d).status == Status.RETURNED and delivered.data["result_files"] == [final.signed_file_id]


def test_no_approval_step_keeps_signing_at_completion(people, commune_certificate, sample_pdf):
    from .conftest import completed_dossier

    done = completed_dossier(people, sample_pdf)
    assert SignedResult.objects.get(dossier=done.dossier).role == "single"
    assert not DossierFile.objects.filter(dossier=done.dossier, kind=FileKind.RESULT, signed_from__role="certification")


def test_form_06_names_the_leader_in_the_approval_row(people, commune_certificate, leader_certificate, sample_pdf,
                                                      tmp_path):
    from motcua.dossiers import paperwork

    d = _approval_dossier(people, sample_pdf)
    actions.approve(fresh(d), actor=people.leader, pin=PIN, note="Đồng ý cấp", at=at(9, 11))
    actions.complete(fresh(d), actor=people.clerk, at=at(9, 14))
    rows = paperwork.control_sheet(fresh(d)).rows
    [row] = [r for r in rows if r.action == "Duyệt và ký số"]
    leader = people.leader.full_name or people.leader.username
    assert row.given_by == leader and row.received_by.startswith("Nhóm")
    assert leader in row.note and LEADER_NAME in row.note and "Đồng ý cấp" in row.note
    path = tmp_path / "06.pdf"
    path.write_bytes(paperwork.render(fresh(d), "06"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "Duyệt và ký" in text and "duyệt, ký số" in text and leader in text  # the narrow notes column wraps


def test_the_api_approves_with_the_pin_and_replays_a_retry(people, commune_certificate, leader_certificate,
                                                           sample_pdf, client):
    from tests.dossiers.test_api import Api

    d = _approval_dossier(people, sample_pdf)
    api = Api(client, people.leader)
    wrong = api.act(d.code, "approve", pin="123")
    assert wrong.status_code == 400, wrong.json()
    assert wrong.json()["error"]["code"] == "wrong_pin" and wrong.json()["error"]["field"] == "pin", wrong.json()
    handover = api.act(d.code, "handover")
    assert handover.status_code == 409 and handover.json()["error"]["code"] == "approval_required"
    body = api.post(f"/api/v1/dossiers/{d.code}/actions", {"action": "approve", "pin": PIN, "note": "Đồng ý"},
                    **{"Idempotency-Key": "duyet-1"})
    assert body.status_code == 200, body.content
    event = body.json()["event"]
    assert event["kind"] == "approved" and body.json()["status_code"] == 4
    again = api.post(f"/api/v1/dossiers/{d.code}/actions", {"action": "approve", "pin": PIN, "note": "Đồng ý"},
                     **{"Idempotency-Key": "duyet-1"})
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert Event.objects.filter(dossier=d, kind="approved").count() == 1
    assert PIN not in body.content.decode()


def test_other_readers_of_events_follow_an_approval(people, commune_certificate, sample_pdf):
    """Public tracking, the citizen's timeline, the step report, notifications and the national
    portal's progress messages treat an approval like a hand-over (or a completion at the last step)."""
    from motcua.citizen.timeline import LABELS
    from motcua.dossiers.tracking import TrackedEvent, steps_passed
    from motcua.notify.events import template_for
    from motcua.reports.bottlenecks import EventRow, visits
    from motcua.sync.services import PROGRESS_KINDS

    d = _approval_dossier(people, sample_pdf)
    approved = actions.approve(fresh(d), actor=people.leader, at=at(9, 11)).event
    actions.complete(fresh(d), actor=people.clerk, at=at(9, 14))
    events = list(Event.objects.filter(dossier=d).select_related("to_step").order_by("version"))
    tracked = [TrackedEvent(kind=e.kind, at=e.at, step_punctuality=e.step_punctuality or "", to_step_id=e.to_step_id,
                            step_name=e.to_step.name if e.to_step_id else None) for e in events]
    names = [s["name"] for s in steps_passed(tracked)]
    assert len(names) == 4 and all(s["finished_at"] for s in steps_passed(tracked))
    rows = [EventRow(e.dossier_id, e.version, e.kind, e.at, e.from_step_id, e.to_step_id, e.to_agency_id)
            for e in events]
    assert [v.step_id for v in visits(rows)] == [e.to_step_id for e in events if e.kind in
                                                 ("received", "handover", "approved")]
    assert "approved" in LABELS and "approved" in PROGRESS_KINDS
    assert template_for(approved) is None  # a hand-over: no message to the applicant
