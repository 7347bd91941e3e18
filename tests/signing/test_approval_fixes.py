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
