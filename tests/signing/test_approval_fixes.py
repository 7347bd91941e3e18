"""Review fixes of the approval step (issue #17): no result file goes out without the leader's
approval, the approver's key is opened outside any outer transaction."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from motcua.catalog.models import WorkflowStep
from motcua.dossiers import actions, lifecycle
from motcua.dossiers.errors import ActionNotAllowed
from motcua.dossiers.models import Status

from .conftest import at, counter_dossier, fresh
from .personal_ca import PIN

pytestmark = pytest.mark.django_db


def _approval_dossier(people, result: bytes):
    d = counter_dossier(people)
    WorkflowStep.objects.filter(case=d.case, order=2).update(approval=True)
    actions.handover(fresh(d), actor=people.receptionist, at=at(9, 10))
    actions.add_file(fresh(d), actor=people.officer, upload=io.BytesIO(result), name="giay-khai-sinh.pdf",
                     kind="result", at=at(9, 10, 5))
    actions.handover(fresh(d), actor=people.officer, at=at(9, 10, 10))
    return fresh(d)


def test_a_result_added_after_the_approval_is_refused_at_completion(
        people, commune_certificate, leader_certificate, sample_pdf):
    d = _approval_dossier(people, sample_pdf)
    actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    # The next-step clerk adds a NEW result file after the approval: completion refuses it.
    actions.add_file(fresh(d), actor=people.clerk, upload=io.BytesIO(sample_pdf), name="khac.pdf", kind="result",
                     at=at(9, 12))
    with pytest.raises(ActionNotAllowed) as refused:
        actions.complete(fresh(d), actor=people.clerk, at=at(9, 13))
    assert refused.value.code == "results_not_approved"
    assert "ký duyệt" in str(refused.value)
    assert fresh(d).status == Status.PROCESSING
    # The clerk's page says why there is no "complete" button, in the rule's own words.
    from django.test import Client

    page = Client()
    page.force_login(people.clerk)
    html = page.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "được thêm sau khi lãnh đạo ký duyệt" in html

    # Back to the approval step; the leader approves again (signing the new file): completion goes through.
    actions.return_to_previous(fresh(d), actor=people.clerk, reason="Thêm văn bản cần lãnh đạo duyệt",
                               at=at(9, 14))
    again = actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 15))
    assert len(again.event.data["signed_results"]) == 1
    done = actions.complete(fresh(d), actor=people.clerk, at=at(9, 16))
    assert fresh(d).status == Status.COMPLETED
    assert all(e["signature"] == "approval" for e in done.event.data["signed_results"])


def test_files_the_approval_saw_complete(people, commune_certificate, leader_certificate, sample_pdf):
    d = _approval_dossier(people, sample_pdf)
    actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    actions.complete(fresh(d), actor=people.clerk, at=at(9, 11))  # same instant as the approval: still fine
    assert fresh(d).status == Status.COMPLETED


def test_the_rule_is_a_state_fact():
    state = lifecycle.State(status=lifecycle.Status.PROCESSING, step_index=2, step_count=3, assigned=True,
                            result_files=2, unapproved_results=1)
    with pytest.raises(ActionNotAllowed) as refused:
        lifecycle.decide(lifecycle.Action.COMPLETE, state, frozenset({lifecycle.Capacity.STEP_HOLDER}),
                         now=at(9, 11))
    assert refused.value.code == "results_not_approved"
    assert lifecycle.Action.COMPLETE not in lifecycle.allowed_actions(
        state, frozenset({lifecycle.Capacity.STEP_HOLDER}), now=at(9, 11))


# --- the administrator revokes through signing.personal (locked, logged) --------------------------


def test_the_admin_page_cannot_edit_the_state_and_revokes_through_the_action(people, leader_certificate):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from motcua.signing.models import PersonalCertificate, PersonalCertificateUse, UseOutcome

    admin = get_user_model().objects.create_superuser("QTV_KYSO", "qtv@example.invalid", "x")
    client = Client()
    client.force_login(admin)
    url = f"/quan-tri-he-thong/signing/personalcertificate/{leader_certificate.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="revoked"' not in html and 'name="active"' not in html  # read-only: no inputs
    client.post(url, {"revoked": "on", "active": "", "failed_attempts": "0"})
    row = PersonalCertificate.objects.get(pk=leader_certificate.pk)
    assert not row.revoked and row.active

    done = client.post("/quan-tri-he-thong/signing/personalcertificate/", {
        "action": "revoke", "_selected_action": [str(row.pk)]}, follow=True)
    assert done.status_code == 200 and "Đã thu hồi 1 chứng thư" in done.content.decode()
    assert PersonalCertificate.objects.get(pk=row.pk).revoked
    log = PersonalCertificateUse.objects.filter(certificate=row, outcome=UseOutcome.REVOKED)
    assert log.count() == 1 and log.get().actor == admin
    from motcua.signing import personal

    assert personal.admin_revoke(row, actor=admin) is False  # already revoked: nothing more written
    assert log.count() == 1


# --- CRL settings ----------------------------------------------------------------------------------


def test_a_crl_without_its_ca_is_a_settings_error(settings, ca):
    from django.core import checks

    from motcua.signing.checks import personal_crl_needs_its_ca

    assert personal_crl_needs_its_ca(None) == []
    settings.MOTCUA_SIGNING_PERSONAL_CA = []
    [error] = personal_crl_needs_its_ca(None)
    assert error.id == "signing.E001" and error.level == checks.ERROR
    assert "signing.E001" in [e.id for e in checks.run_checks(tags=[checks.Tags.security])]


def test_a_crl_without_its_ca_refuses_with_a_clear_message(people, leader_certificate, sample_pdf, settings):
    from motcua.signing.errors import SigningRefused

    settings.MOTCUA_SIGNING_PERSONAL_CA = []
    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(SigningRefused) as refused:
        actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    assert refused.value.code == "signing_misconfigured" and "MOTCUA_SIGNING_PERSONAL_CA" in refused.value.message


def test_a_stale_crl_has_its_own_message(people, ca, leader_certificate, sample_pdf, settings):
    import datetime as dt

    from motcua.signing.errors import SigningRefused
    from motcua.signing.models import PersonalCertificateUse, UseOutcome

    settings.MOTCUA_SIGNING_PERSONAL_CRL = str(ca.write_crl(
        now=dt.datetime(2025, 6, 2, tzinfo=dt.UTC), next_update=dt.datetime(2025, 7, 2, tzinfo=dt.UTC)))
    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(SigningRefused) as refused:
        actions.approve(fresh(d), actor=people.leader, pin=PIN, at=at(9, 11))
    assert refused.value.code == "crl_outdated"
    assert "quá hạn cập nhật" in refused.value.message and "CRL" in refused.value.message
    assert PersonalCertificateUse.objects.filter(outcome=UseOutcome.UNTRUSTED, detail="crl_stale").exists()
    assert fresh(d).status == Status.PROCESSING


# --- the key is opened outside any outer transaction ------------------------------------------------


def test_the_approvers_key_is_not_opened_inside_an_outer_transaction(people, leader_certificate, sample_pdf):
    from motcua.signing.models import PersonalCertificate

    d = _approval_dossier(people, sample_pdf)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        actions.approve(fresh(d), actor=people.leader, pin="000000", at=at(9, 11))
    assert PersonalCertificate.objects.get(pk=leader_certificate.pk).failed_attempts == 0
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        personal_unlock(leader_certificate, people.leader)


def personal_unlock(cert, actor):
    from motcua.signing import personal

    return personal.unlock(cert, "000000", actor=actor, at=at(9, 11))
