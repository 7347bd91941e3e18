"""Fee rules as plain rules (issue #17): per dossier, per copy, per page with tiers and a cap,
reductions for declared kinds of applicant, exemption online; and the rule in words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from motcua.catalog.fees import Quantities, Rule, compute, describe, dossier_fee_amount, problems

PER_COPY = Rule(8000, basis="copy")
PER_PAGE = Rule(2000, basis="page", tiers=((3, 1000),), cap_vnd=200_000)
CRIMINAL_RECORD = Rule(200_000, reductions=(("Sinh viên, người có công", 100_000),))
REGISTRATION = Rule(50_000, online_exempt=True)


def test_a_flat_fee_is_charged_once_per_dossier():
    assert compute(Rule(75_000), Quantities(online=False, copies=3)).amount_vnd == 75_000
    assert compute(Rule(75_000), Quantities(online=False)).explanation == "75.000 đồng"
    assert compute(Rule(0), Quantities(online=True)).explanation == "Miễn phí"


def test_a_per_copy_fee_multiplies_by_the_copies():
    amount = compute(PER_COPY, Quantities(online=False, copies=2))
    assert (amount.amount_vnd, amount.explanation) == (16_000, "8.000 đồng × 2 bản")


def test_a_per_page_fee_follows_the_tiers_and_the_cap_of_each_copy():
    assert compute(PER_PAGE, Quantities(online=False, pages=(2,))).amount_vnd == 4000
    # Pages 1-2 at 2.000, pages 3-5 at 1.000.
    assert compute(PER_PAGE, Quantities(online=False, pages=(5,))).amount_vnd == 7000
    # 500 pages would be 502.000 đồng; one copy costs at most 200.000.
    assert compute(PER_PAGE, Quantities(online=False, pages=(500, 1))).amount_vnd == 202_000
    assert compute(PER_PAGE, Quantities(online=False, pages=(5, 1))).explanation == "2 bản, 6 trang: 9.000 đồng"
    # Pages not known yet: each copy counts as one page.
    assert compute(PER_PAGE, Quantities(online=False, copies=3)).amount_vnd == 6000


def test_a_declared_kind_of_applicant_pays_its_reduced_amount():
    q = Quantities(online=False, kind="sinh viên,  người có công")
    amount = compute(CRIMINAL_RECORD, q)
    assert amount.amount_vnd == 100_000
    assert amount.explanation == "100.000 đồng (sinh viên,  người có công)"
    # A kind the rule does not declare pays the full amount.
    assert compute(CRIMINAL_RECORD, Quantities(online=False, kind="Hưu trí")).amount_vnd == 200_000


def test_an_online_exempt_fee_costs_nothing_online_only():
    assert compute(REGISTRATION, Quantities(online=True)).amount_vnd == 0
    assert compute(REGISTRATION, Quantities(online=True)).explanation == "Miễn khi nộp trực tuyến"
    assert compute(REGISTRATION, Quantities(online=False)).amount_vnd == 50_000


@pytest.mark.parametrize("q", [
    {"copies": 0}, {"copies": -1}, {"copies": 1001}, {"copies": True}, {"pages": (0,)},
    {"pages": (1001,)}, {"pages": (1,) * 1001}, {"copies": "2"},
])
def test_absurd_quantities_are_refused(q):
    with pytest.raises(ValueError):
        Quantities(online=False, **q)


def test_the_rule_in_words():
    assert describe(PER_COPY) == ["8.000 đồng mỗi bản"]
    assert describe(PER_PAGE) == ["2.000 đồng mỗi trang", "Từ trang 3: 1.000 đồng mỗi trang",
                                  "Tối đa 200.000 đồng mỗi bản"]
    assert describe(CRIMINAL_RECORD) == ["200.000 đồng", "Sinh viên, người có công: 100.000 đồng"]
    assert describe(REGISTRATION) == ["50.000 đồng", "Miễn khi nộp trực tuyến"]
    assert describe(Rule(0)) == ["Miễn phí"]


def test_problems_of_a_rule():
    assert problems(PER_PAGE) == problems(CRIMINAL_RECORD) == problems(Rule(0)) == []
    assert problems(Rule(1000, basis="sheet"))
    assert problems(Rule(1000, tiers=((3, 500),)))  # tiers only per page
    assert problems(Rule(1000, basis="page", tiers=((1, 500),)))  # page 1 is the base amount
    assert problems(Rule(1000, basis="page", tiers=((3, 500), (3, 400))))
    assert problems(Rule(1000, basis="copy", cap_vnd=0))
    assert problems(Rule(1000, reductions=(("A", 500), ("a ", 400))))
    assert problems(Rule(1000, reductions=(("A", 2000),)))


def test_a_dossier_asks_the_amount_of_its_channel():
    fee = SimpleNamespace(amount_vnd=50_000, basis="dossier", tiers=[], cap_vnd=None, reductions=[],
                          online_exempt=True)
    assert dossier_fee_amount(fee, SimpleNamespace(channel=2)) == 0
    assert dossier_fee_amount(fee, SimpleNamespace(channel=1)) == 50_000


rules = st_.builds(
    Rule,
    amount_vnd=st_.integers(0, 10**6),
    basis=st_.sampled_from(["dossier", "copy", "page"]),
    tiers=st_.lists(st_.tuples(st_.integers(2, 50), st_.integers(0, 10**6)), max_size=3, unique_by=lambda t: t[0])
    .map(lambda ts: tuple(sorted(ts))),
    cap_vnd=st_.none() | st_.integers(1, 10**7),
    online_exempt=st_.booleans(),
)
pages = st_.lists(st_.integers(1, 200), min_size=1, max_size=5).map(tuple)


@settings(max_examples=200, deadline=None)
@given(rules, pages, st_.booleans())
def test_an_amount_is_never_negative_and_never_exceeds_the_cap_per_copy(rule, pages, online):
    amount = compute(rule, Quantities(online=online, copies=len(pages), pages=pages)).amount_vnd
    assert amount >= 0
    if rule.cap_vnd is not None and rule.basis != "dossier":
        assert amount <= rule.cap_vnd * len(pages)
    if online and rule.online_exempt:
        assert amount == 0


@settings(max_examples=200, deadline=None)
@given(rules, pages, st_.integers(1, 200))
def test_one_more_page_or_copy_never_costs_less(rule, pages, extra):
    less = compute(rule, Quantities(online=False, copies=len(pages), pages=pages)).amount_vnd
    longer = (pages[0] + extra, *pages[1:])
    more_pages = compute(rule, Quantities(online=False, copies=len(pages), pages=longer)).amount_vnd
    more_copies = compute(rule, Quantities(online=False, copies=len(pages) + 1, pages=(*pages, extra))).amount_vnd
    assert less <= more_pages and less <= more_copies


@settings(max_examples=100, deadline=None)
@given(rules, st_.integers(1, 20))
def test_a_reduction_never_costs_more(rule, copies):
    reduced = Rule(rule.amount_vnd, rule.basis, rule.tiers, rule.cap_vnd,
                   (("Sinh viên", rule.amount_vnd // 2),), rule.online_exempt)
    full = compute(reduced, Quantities(online=False, copies=copies)).amount_vnd
    assert compute(reduced, Quantities(online=False, copies=copies, kind="Sinh viên")).amount_vnd <= full


# The rules as catalogue data: the sample catalogue, the import, the export and the draft check.

def _fee(code):
    from motcua.catalog.models import Procedure
    return Procedure.objects.get(code=code).published.fees.order_by("order").first()


def test_the_sample_catalogue_carries_the_rules(catalog):
    from motcua.catalog.fees import fee_words
    assert fee_words(_fee("2.000635")) == "8.000 đồng mỗi bản"
    assert fee_words(_fee("2.000815")) == ("2.000 đồng mỗi trang; Từ trang 3: 1.000 đồng mỗi trang; "
                                           "Tối đa 200.000 đồng mỗi bản")
    assert fee_words(_fee("2.000488")) == "200.000 đồng; Sinh viên, người có công: 100.000 đồng"
    assert fee_words(_fee("2.001610")) == "50.000 đồng; Miễn khi nộp trực tuyến"
    assert fee_words(_fee("1.001193")) == "Miễn phí"
    assert _fee("2.000815").note == ""


def test_the_export_writes_the_rule_keys_only_when_set(catalog, sample_data):
    from motcua.catalog.importer import export_catalog
    exported = {p["code"]: p["fees"] for p in export_catalog()["procedures"]}
    expected = {p["code"]: p["fees"] for p in sample_data["procedures"]}
    assert exported["2.000815"] == expected["2.000815"]
    assert exported["2.001610"] == expected["2.001610"]
    assert set(exported["1.009974"][0]) == {"name", "amount_vnd", "note"}


@pytest.mark.parametrize("bad", [
    {"basis": "sheet"}, {"tiers": [{"from_page": 3, "amount_vnd": 1000}]}, {"cap_vnd": 0},
    {"online_exempt": "yes"}, {"reductions": [{"kind": "Sinh viên", "amount_vnd": 10**7}]},
    {"basis": "page", "tiers": [{"from_page": 1, "amount_vnd": 1000}]}, {"reductions": ["x"]},
])
def test_the_import_refuses_a_bad_rule(catalog, sample_data, bad):
    import copy

    from motcua.catalog.importer import CatalogError, import_catalog
    data = copy.deepcopy(sample_data)
    proc = next(p for p in data["procedures"] if p["code"] == "2.000488")
    proc["fees"][0] |= bad
    with pytest.raises(CatalogError) as err:
        import_catalog(data)
    assert "Thủ tục 2.000488" in str(err.value)


def test_the_draft_check_names_a_bad_rule(catalog):
    from motcua.catalog import actions
    from motcua.catalog.validation import validate_draft
    fee = _fee("2.000635")
    draft = actions.start_draft(fee.version.procedure)
    copied = draft.fees.get(name=fee.name)
    assert copied.basis == "copy"  # a new draft copies the rule
    actions.save_part(draft, "fee", actor=None, pk=copied.pk, values={"tiers": [{"from_page": 3, "amount_vnd": 1000}]})
    assert any("Bậc theo trang chỉ dùng khi tính theo trang" in str(p) for p in validate_draft(draft))


def test_the_portal_and_the_api_show_the_rule_in_words(catalog, client):
    body = client.get("/api/v1/procedures/2.001610").json()
    assert [f["rule_text"] for f in body["fees"]] == ["50.000 đồng; Miễn khi nộp trực tuyến", "100.000 đồng"]
    page = client.get("/thu-tuc/2.000635/").content.decode()
    assert "8.000 đồng mỗi bản" in page


def test_the_generator_pays_online_what_the_rule_asks_online(catalog):
    from motcua.catalog.models import Procedure
    from motcua.ops.generator.plan import cases

    version = Procedure.objects.get(code="2.001610").published.pk
    plan = next(p for p in cases(None) if p.version_id == version)
    assert [f["amount_vnd"] for f in plan.fees_reception] == [50000, 100000]
    assert [f["amount_vnd"] for f in plan.fees_online] == [100000]
