"""What the applicant declares for the fee rules (copies, pages per copy, kind of applicant):
which rules ask what, the bounds of `Quantities`, and the amounts of the sample catalogue's
procedures for what was declared (issue #17)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from motcua.catalog.fees import FeeInputError, clean_inputs, dossier_fee_amount, fee_views, needs, quantities


def fee(pk=1, name="Phí", amount_vnd=0, collected="at_reception", **rule):
    return SimpleNamespace(pk=pk, name=name, amount_vnd=amount_vnd, collected=collected, **rule)


PER_COPY = fee(amount_vnd=8000, basis="copy")
PER_PAGE = fee(amount_vnd=2000, basis="page", tiers=[{"from_page": 3, "amount_vnd": 1000}], cap_vnd=200_000)
REDUCED = fee(amount_vnd=200_000, reductions=[{"kind": "Sinh viên, người có công", "amount_vnd": 100_000}])
EXEMPT = fee(amount_vnd=50_000, online_exempt=True)
FREE = fee(amount_vnd=0)


def test_what_each_rule_asks():
    assert needs([PER_COPY]) == needs([PER_COPY, FREE])
    assert (needs([PER_COPY]).copies, needs([PER_COPY]).pages, needs([PER_COPY]).kinds) == (True, False, ())
    assert (needs([PER_PAGE]).copies, needs([PER_PAGE]).pages) == (True, True)
    assert needs([REDUCED]).kinds == ("Sinh viên, người có công",)
    assert not needs([EXEMPT, FREE]).any
    assert not needs([]).any


def test_clean_inputs_keeps_only_what_the_rules_ask():
    assert clean_inputs({"copies": "3", "pages": "9", "kind": ""}, [PER_COPY]) == {"copies": 3}
    assert clean_inputs({"copies": 2, "pages": 7}, [PER_PAGE]) == {"copies": 2, "pages": 7}
    assert clean_inputs({"kind": "  sinh viên,   người có công "}, [REDUCED]) == {"kind": "Sinh viên, người có công"}
    assert clean_inputs({}, [PER_COPY]) == {"copies": 1}
    assert clean_inputs(None, [FREE]) == {}


@pytest.mark.parametrize(("raw", "field"), [
    ({"copies": 0}, "copies"), ({"copies": "-1"}, "copies"), ({"copies": 1001}, "copies"),
    ({"copies": "2,5"}, "copies"), ({"copies": True}, "copies"), ({"pages": "0"}, "pages"),
    ({"pages": 10**9}, "pages"), ({"kind": "Hưu trí"}, "kind"), ({"kind": 5}, "kind"),
    ({"sheets": 2}, "fee_inputs"), ([1, 2], "fee_inputs"),
])
def test_bad_inputs_are_refused_with_the_field(raw, field):
    with pytest.raises(FeeInputError) as err:
        clean_inputs(raw, [PER_PAGE, REDUCED])
    assert err.value.field == field
    assert err.value.message


def test_stored_inputs_that_are_not_sane_count_as_one_copy():
    assert quantities({"copies": "x", "pages": -3}, online=False).copies == 1
    assert quantities({"copies": 4, "pages": 3}, online=True).pages == (3, 3, 3, 3)
    assert quantities(None, online=False).pages == ()


def test_the_views_say_the_amount_and_when_it_is_due():
    views = fee_views([PER_COPY, fee(pk=2, name="Lệ phí trả", amount_vnd=5000, collected="at_return"), EXEMPT],
                      online=True, inputs={"copies": 3})
    assert [(v.amount_vnd, v.when_label, v.online_exempt) for v in views] == [
        (24_000, "khi nộp hồ sơ", False), (5000, "khi nhận kết quả", False), (0, "khi nộp hồ sơ", True)]
    assert views[0].explanation == "8.000 đồng × 3 bản"
    assert views[0].words == ("8.000 đồng mỗi bản",)


# The sample catalogue's procedures, through a dossier's declared inputs.

def _dossier(code, channel=2, **inputs):
    from motcua.catalog.models import Procedure

    version = Procedure.objects.get(code=code).published
    return SimpleNamespace(channel=channel, fee_inputs=inputs, procedure_version=version), list(
        version.fees.order_by("order", "id"))


def test_2_000635_is_per_copy(catalog):
    dossier, fees = _dossier("2.000635", copies=3)
    assert dossier_fee_amount(fees[0], dossier) == 24_000
    dossier.fee_inputs = {}
    assert dossier_fee_amount(fees[0], dossier) == 8000  # one copy, as before


def test_2_000815_follows_the_page_tiers(catalog):
    dossier, fees = _dossier("2.000815", channel=1, copies=2, pages=5)
    # Each copy: pages 1-2 at 2.000, 3-5 at 1.000 = 7.000; two copies.
    assert dossier_fee_amount(fees[0], dossier) == 14_000
    dossier.fee_inputs = {"copies": 1, "pages": 500}
    assert dossier_fee_amount(fees[0], dossier) == 200_000  # the cap of one copy


def test_2_000488_reduces_for_a_declared_student(catalog):
    dossier, fees = _dossier("2.000488", kind="Sinh viên, người có công")
    assert dossier_fee_amount(fees[0], dossier) == 100_000
    dossier.fee_inputs = {}
    assert dossier_fee_amount(fees[0], dossier) == 200_000


def test_2_001610_is_exempt_online_only(catalog):
    dossier, fees = _dossier("2.001610")
    assert [dossier_fee_amount(f, dossier) for f in fees] == [0, 100_000]
    dossier.channel = 1
    assert [dossier_fee_amount(f, dossier) for f in fees] == [50_000, 100_000]


def test_any_typed_input_is_accepted_or_refused_with_a_message():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.booleans(), st.floats(allow_nan=True),
                       st.lists(st.integers(), max_size=3))

    @settings(max_examples=300, deadline=None)
    @given(copies=values, pages=values, kind=values)
    def check(copies, pages, kind):
        try:
            cleaned = clean_inputs({"copies": copies, "pages": pages, "kind": kind}, [PER_PAGE, REDUCED])
        except FeeInputError as exc:
            assert exc.message and exc.field in ("copies", "pages", "kind")
        else:
            q = quantities(cleaned, online=False)  # what is stored always makes sane quantities
            assert 1 <= q.copies <= 1000

    check()
    with pytest.raises(FeeInputError):
        clean_inputs({"copies": "²"}, [PER_COPY])
