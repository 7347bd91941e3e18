"""The dossier generator: counts, consistency with the lifecycle and the action layer, determinism,
unique codes, the hash chain, and the real action layer acting on a generated dossier."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.dossiers import counter_fees, lifecycle
from motcua.dossiers.lifecycle import Action, Capacity
from motcua.dossiers.models import Dossier, DossierSequence, Event, Status
from motcua.ops.generator import GenerationError, generate, generated

from .conftest import TZ

# Friday 20 November 2026, 10:30: the generated year ends here.
NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=TZ)
ALL = frozenset(Capacity)

ACTION_OF = {
    "refused": Action.REFUSE, "supplement_requested": Action.REQUEST_SUPPLEMENT, "supplied": Action.SUPPLY,
    "claimed": Action.CLAIM, "handover": Action.HANDOVER, "returned_to_previous": Action.RETURN_TO_PREVIOUS,
    "stopped": Action.STOP, "completed": Action.COMPLETE, "result_returned": Action.RETURN_RESULT,
    "withdrawn": Action.WITHDRAW, "received": Action.RECEIVE, "result_delivered": Action.DELIVER_RESULT,
    "result_posted": Action.POST_RESULT, "post_delivered": Action.CONFIRM_DELIVERY, "extended": Action.EXTEND,
}
NO_TRANSITION = ("payment_received", "fee_recorded", "rated", "result_downloaded")  # beside the lifecycle


@pytest.fixture
def made(catalog):
    """300 dossiers over two months (many still in progress), in batches of 120."""
    result = generate(300, seed=7, months=2, now=NOW, batch_size=120)
    return result


def _events_by_dossier():
    grouped = defaultdict(list)
    for event in Event.objects.order_by("dossier_id", "version"):
        grouped[event.dossier_id].append(event)
    return grouped


def test_it_generates_the_count_with_their_events_and_ratings(made):
    from motcua.feedback.models import Rating

    assert Dossier.objects.count() == 300 == made.dossiers
    assert generated().count() == 300
    assert Event.objects.count() == made.events == sum(Dossier.objects.values_list("version", flat=True))
    assert Rating.objects.count() == made.ratings
    statuses = set(Dossier.objects.values_list("status", flat=True))
    # The mixture: finished and returned, still open, and ended otherwise.
    assert Status.RETURNED in statuses and Status.PROCESSING in statuses
    assert statuses & {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}
    assert set(Dossier.objects.values_list("channel", flat=True)) == {1, 2, 3}
    assert Dossier.objects.filter(supplement_count__gte=1).exists()
    assert all(r.dossier.status == Status.RETURNED for r in Rating.objects.select_related("dossier"))


def test_it_times_everything_within_the_period_on_working_time(made):
    from motcua.dossiers.deadlines import calendar_for
    from motcua.worktime import engine

    start = NOW - dt.timedelta(days=62)
    for d in Dossier.objects.select_related("agency", "case"):
        assert start <= d.submitted_at <= NOW
        if d.received_at is not None:
            calendar = calendar_for(d.agency)
            assert engine.is_working_time(calendar, d.received_at), d.code
            # The legal due time, exactly as the action layer computes it at reception.
            assert d.original_due_at == engine.due(calendar, d.received_at, d.case.time_amount, d.case.time_unit,
                                                   d.case.cutoff_time)
            assert d.due_at >= d.original_due_at
    assert Event.objects.filter(at__gt=NOW).count() == 0


def test_it_follows_the_lifecycle_event_by_event(made):
    """Replays every dossier's events through lifecycle.decide: each transition is allowed and
    lands where the event says; the dossier row matches its last event (as actions.py writes)."""
    from motcua.dossiers.queries import steps_of

    dossiers = {d.pk: d for d in Dossier.objects.all()}
    checked = 0
    for dossier_id, events in _events_by_dossier().items():
        d = dossiers[dossier_id]
        steps = [s.pk for s in steps_of(d.case_id)]
        assert [e.version for e in events] == list(range(1, d.version + 1)), d.code
        first = events[0]
        assert first.from_status is None and first.kind in ("submitted", "received")
        state = lifecycle.State(
            status=lifecycle.Status(first.to_status), step_index=steps.index(first.to_step_id) if first.to_step_id
            else None, step_count=len(steps), assigned=first.to_assignee_id is not None,
            delivery=d.delivery, has_owner=d.owner_id is not None,
        )
        for previous, event in zip(events, events[1:], strict=False):
            assert event.from_status == previous.to_status, (d.code, event.version)
            assert event.at >= previous.at
            assert event.from_step_id == previous.to_step_id and event.from_agency_id == previous.to_agency_id
            assert event.from_assignee_id == previous.to_assignee_id
            if event.kind in NO_TRANSITION:  # fees, ratings, downloads: not a move of the lifecycle
                assert event.to_status == event.from_status
                if event.kind == "fee_recorded":  # record_fee's rule (dossiers.counter_fees)
                    assert event.from_status in counter_fees.RECORD_FROM and event.data["receipt_number"]
                continue
            data = event.data or {}
            if event.kind == "extended":  # before the due time it moves, to a later one
                state = dataclasses.replace(state, due_at=dt.datetime.fromisoformat(data["due_at_before"]))
            decision = lifecycle.decide(
                ACTION_OF[event.kind], state, ALL, now=event.at, reason="lý do", missing=["giấy tờ"],
                postal_number=data.get("postal_number", ""),
                new_due_at=dt.datetime.fromisoformat(data["due_at"]) if event.kind == "extended" else None,
            )
            assert decision.to_status == event.to_status, (d.code, event.version, event.kind)
            if steps:
                expected = steps.index(event.to_step_id) if event.to_step_id else None
                assert decision.step_index == expected, (d.code, event.version)
            if event.kind in ("handover", "completed", "returned_to_previous"):
                assert event.step_punctuality in ("early", "on_time", "late")
            paused = state.paused
            if decision.clock == lifecycle.Clock.PAUSE:
                paused = True
            elif decision.clock == lifecycle.Clock.RESUME:
                paused = False
            resume = decision.resume_status if decision.resume_status is not None else (
                None if decision.action in (Action.SUPPLY, Action.RESUME) else state.resume_status)
            state = lifecycle.State(
                status=decision.to_status, step_index=decision.step_index, step_count=len(steps),
                assigned=event.to_assignee_id is not None, paused=paused, resume_status=resume,
                reception_supplement_requested=state.reception_supplement_requested or (
                    decision.action == Action.REQUEST_SUPPLEMENT and decision.phase == lifecycle.Phase.RECEPTION),
                supplement_count=decision.supplement_count, delivery=d.delivery, has_owner=d.owner_id is not None,
                posted=state.posted or event.kind == "result_posted",
            )
            checked += 1
        last = events[-1]
        assert d.status == last.to_status
        assert d.current_step_id == last.to_step_id and d.handling_agency_id == last.to_agency_id
        assert d.assignee_id == last.to_assignee_id
        assert d.supplement_count == state.supplement_count
        assert d.counts_as_late == (d.supplement_count > 1)
        assert (d.paused_at is not None) == state.paused
        kinds = {e.kind: e for e in events}
        assert (d.finished_at is not None) == ("completed" in kinds)
        if "completed" in kinds:
            assert d.finished_at == kinds["completed"].at
            assert kinds["completed"].data["punctuality"] in ("early", "on_time", "late")
        if d.status == Status.RETURNED:
            assert d.returned_at == next(e for e in events if e.to_status == Status.RETURNED).at
        if d.status in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED):
            assert d.closed_at == last.at
        assert d.updated_at == last.at
    assert checked > 1000


def test_it_chains_the_events_like_the_action_layer(made):
    from motcua.audit import chain
    from motcua.audit.verify import verify

    assert list(verify()) == []
    event = Event.objects.select_related("dossier").order_by("?").first()
    values = {name: getattr(event, name) for name in chain.EVENT_FIELDS}
    assert event.hash == chain.event_hash(event.dossier.code, values, event.prev_hash)


def test_it_is_deterministic_with_a_seed(catalog):
    def shape():
        return list(
            Dossier.objects.order_by("code").values_list(
                "code", "procedure_version_id", "case_id", "channel", "status", "submitted_at", "due_at",
                "finished_at", "applicant_name", "version", "assignee__username",
            )
        ), list(Event.objects.order_by("dossier__code", "version").values_list("kind", "at", "actor__username"))
    # (Ids are left out: PostgreSQL does not roll its sequences back, so the staff made again get new ids.)

    with transaction.atomic():
        generate(60, seed=11, months=3, now=NOW, batch_size=25)
        first = shape()
        transaction.set_rollback(True)
    generate(60, seed=11, months=3, now=NOW, batch_size=25)
    assert shape() == first
    assert len(first[0]) == 60
    with transaction.atomic():
        Dossier.objects.all().count()
        generate(60, seed=12, months=3, now=NOW, batch_size=25)
        assert shape()[0][60:] != first[0]
        transaction.set_rollback(True)


def test_it_gives_unique_codes_and_later_receptions_do_not_collide(people):
    from motcua.dossiers import actions
    from tests.dossiers.conftest import BIRTH, version_of

    generate(200, seed=3, months=1, now=NOW, agency="000.21.01.H12")
    generate(100, seed=4, months=1, now=NOW, agency="000.21.01.H12")  # a second run continues the sequences
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 300
    assert all(code.startswith("000.21.01.H12-") for code in codes)
    busiest = max(DossierSequence.objects.filter(agency=people.commune), key=lambda row: row.last)
    assert busiest.last == sum(
        1 for d in Dossier.objects.filter(agency=people.commune)
        if d.submitted_at.astimezone(TZ).date() == busiest.day
    )
    # A real reception on that day takes the next number.
    at = dt.datetime.combine(busiest.day, dt.time(16, 55), TZ)
    real = actions.create_dossier(actor=people.receptionist, version=version_of(BIRTH), channel=1,
                                  applicant=actions.Applicant(name="Lê Văn Bình", id_number="096090001234"),
                                  at=at).dossier
    assert real.code.endswith(f"-{busiest.last + 1:04d}")


def test_the_action_layer_acts_on_a_generated_dossier(made):
    from motcua.audit.verify import verify
    from motcua.dossiers import actions
    from motcua.dossiers.queries import steps_of

    candidates = [
        d for d in Dossier.objects.filter(status__in=(Status.RECEIVED, Status.PROCESSING), paused_at__isnull=True,
                                          assignee__isnull=False).select_related("assignee")
        if [s.pk for s in steps_of(d.case_id)].index(d.current_step_id) + 1 < len(steps_of(d.case_id))
    ]
    assert candidates, "the generator left no dossier in progress"
    d = candidates[0]
    result = actions.handover(d, actor=d.assignee, expected_version=d.version, at=NOW + dt.timedelta(minutes=5))
    assert result.dossier.version == d.version + 1
    assert result.event.version == d.version + 1 and result.event.kind == "handover"
    assert result.event.prev_hash == Event.objects.get(dossier=d, version=d.version).hash
    assert list(verify(d.code)) == []


def test_it_creates_generated_staff_only_where_a_role_has_nobody(people):
    from motcua.accounts.models import Membership, User

    generate(20, seed=1, months=1, now=NOW)
    made = User.objects.filter(username__startswith="gen-")
    assert made.exists()
    # The communes' staff from the fixture exist: nobody generated there for those roles.
    assert not Membership.objects.filter(user__in=made, agency=people.commune, role="officer").exists()
    # Sở Tài chính handles 2.001610 and has no staff in the fixture: generated, with real memberships.
    finance = Membership.objects.filter(user__in=made, agency__unit_code="000.00.07.H12", active=True)
    assert set(finance.values_list("role", flat=True)) >= {"officer", "department_head", "leader", "clerk"}
    before = made.count()
    generate(5, seed=2, months=1, now=NOW)
    assert User.objects.filter(username__startswith="gen-").count() == before


def test_the_command_reports_and_refuses_bad_options(catalog, capsys):
    from django.core.management.base import CommandError

    call_command("generate_dossiers", count=15, seed=5, months=1)
    out = capsys.readouterr().out
    assert "Đã sinh 15 hồ sơ" in out and "dòng/s" in out
    assert Dossier.objects.count() == 15
    with pytest.raises(CommandError):
        call_command("generate_dossiers", count=0)
    with pytest.raises(CommandError):
        call_command("generate_dossiers", count=5, agency="khong-co")
    with pytest.raises(GenerationError):
        generate(5, months=0)


def test_it_numbers_forms_in_date_order_per_agency_and_year(made):
    """#17: reception (form 01) and ledger numbers, and the numbers of forms 02-05 the generated
    events hand out, run 1, 2, 3… in the order of their dates within each agency and year, and
    the series continue from there (a real reception takes the next number)."""
    from motcua.dossiers.models import FormNumber, FormSeries
    from motcua.dossiers.numbers import ISSUED_BY_EVENT

    by_group = defaultdict(list)
    for d in Dossier.objects.filter(received_at__isnull=False).order_by("received_at", "id"):
        by_group[(d.agency_id, d.received_at.astimezone(TZ).year)].append(d)
    assert by_group
    for (agency_id, year), rows in by_group.items():
        assert [d.reception_number for d in rows] == list(range(1, len(rows) + 1)), (agency_id, year)
        assert [d.ledger_number for d in rows] == list(range(1, len(rows) + 1))
        assert FormSeries.objects.get(agency_id=agency_id, form="01", year=year).last == len(rows)
        assert FormSeries.objects.get(agency_id=agency_id, form="07", year=year).last == len(rows)
    assert not Dossier.objects.filter(received_at__isnull=True, reception_number__isnull=False).exists()
    papers = Event.objects.filter(kind__in=list(ISSUED_BY_EVENT)).select_related("dossier")
    numbers = {n.event_id: n for n in FormNumber.objects.all()}
    assert papers.exists() and set(numbers) == {e.pk for e in papers}
    issued = defaultdict(list)
    for e in papers.order_by("at", "id"):
        n = numbers[e.pk]
        form, who = ISSUED_BY_EVENT[e.kind]
        assert n.form == form and n.year == e.at.astimezone(TZ).year
        assert n.agency_id == (e.dossier.agency_id if who == "receiving" else e.from_agency_id)
        issued[(n.agency_id, n.form, n.year)].append(n.number)
    for key, got in issued.items():
        assert got == list(range(1, len(got) + 1)), key
        assert FormSeries.objects.get(agency_id=key[0], form=key[1], year=key[2]).last == len(got)


def test_a_second_run_continues_the_numbers_and_the_action_layer_after_it(people):
    from motcua.dossiers import actions, numbers
    from motcua.dossiers.models import FormSeries
    from tests.dossiers.conftest import BIRTH, version_of

    generate(60, seed=3, months=1, now=NOW, agency="000.21.01.H12")
    first = FormSeries.objects.get(agency=people.commune, form="01", year=2026).last
    generate(40, seed=4, months=1, now=NOW, agency="000.21.01.H12")
    after = FormSeries.objects.get(agency=people.commune, form="01", year=2026).last
    received = Dossier.objects.filter(agency=people.commune, received_at__isnull=False)
    assert after == received.count() > first
    assert sorted(received.values_list("reception_number", flat=True)) == list(range(1, after + 1))
    real = actions.create_dossier(actor=people.receptionist, version=version_of(BIRTH), channel=1,
                                  applicant=actions.Applicant(name="Lê Văn Bình", id_number="096090001234"),
                                  at=NOW).dossier
    assert real.reception_number == after + 1 and numbers.RECEIPT == "01"


def test_it_writes_the_delivery_rating_and_download_events(made):
    from motcua.feedback.models import Rating

    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"result_delivered", "result_posted", "post_delivered", "rated", "payment_received", "extended"} <= kinds
    for d in Dossier.objects.filter(extension_count__gt=0):
        extended = list(Event.objects.filter(dossier=d, kind="extended").order_by("version"))
        assert len(extended) == d.extension_count
        assert all(e.at < dt.datetime.fromisoformat(e.data["due_at_before"]) < dt.datetime.fromisoformat(
            e.data["due_at"]) for e in extended)
    for d in Dossier.objects.filter(status=Status.RETURNED):
        returned = Event.objects.get(dossier=d, to_status=Status.RETURNED, from_status=Status.COMPLETED)
        expected = {"online": "result_delivered", "post": "post_delivered", "counter": "result_returned"}[d.delivery]
        assert returned.kind == expected, d.code
        if d.delivery == "online":
            assert returned.actor_id is None  # the system
        if d.delivery == "post":
            posted = Event.objects.get(dossier=d, kind="result_posted")
            assert posted.data["postal_number"] == returned.data["postal_number"]
            assert posted.data["address"] == d.delivery_address != ""
    for rating in Rating.objects.all():
        event = Event.objects.get(dossier_id=rating.dossier_id, kind="rated")
        assert event.data["rating_id"] == rating.pk and event.data["score"] == rating.score
        assert event.actor_id == rating.recorded_by_id and event.at == rating.created_at
    downloads = Event.objects.filter(kind="result_downloaded").select_related("dossier")
    assert all(e.actor_id == e.dossier.owner_id and e.dossier.delivery == "online" for e in downloads)
