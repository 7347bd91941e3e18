"""The amount of a fee (phí, lệ phí) from its rule: pure rules on plain values, no ORM, no HTTP.

A procedure's fee is not always one flat number (issue #17). A rule is catalogue data the agency
admin edits (`catalog.models.Fee`):

* ``amount_vnd``: the base amount, charged once per ``basis`` unit;
* ``basis``: ``dossier`` (once per dossier), ``copy`` (per copy, 2.000635: 8.000 đồng a copy) or
  ``page`` (per page of each copy, 2.000815);
* ``tiers`` (page basis): from a page on, another amount per page — ``((3, 1000),)`` means
  pages 1–2 at the base amount, from page 3 at 1.000 đồng;
* ``cap_vnd``: the most one copy (document) costs, e.g. 200.000 đồng (None: no cap);
* ``reductions``: declared kinds of applicant with their own base amount (2.000488: students and
  người có công 100.000 đồng instead of 200.000); tiers and cap still apply;
* ``online_exempt``: nothing is due when the dossier is submitted online (2.001610).

`compute(rule, Quantities(...))` gives the amount in đồng and a short explanation;
`describe(rule)` gives the rule in words for the portal. A kind the rule does not declare gets the
full amount (a stale choice must never make a fee cheaper). Quantities are bounded: a negative
count or more than `MAX_COUNT` copies or pages is refused with ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.money import vnd

BASES = ("dossier", "copy", "page")
MAX_COUNT = 1000
MAX_AMOUNT = 10**12  # as the importer bounds amount_vnd
ONLINE_CHANNEL = 2  # dossiers.models.Channel.ONLINE (KenhThucHien); catalog sits beside dossiers


@dataclass(frozen=True)
class Rule:
    amount_vnd: int
    basis: str = "dossier"
    tiers: tuple[tuple[int, int], ...] = ()  # (from_page, amount per page), ascending
    cap_vnd: int | None = None
    reductions: tuple[tuple[str, int], ...] = ()  # (kind of applicant, base amount)
    online_exempt: bool = False

    @classmethod
    def of(cls, fee: Any) -> Rule:
        """The rule of a `catalog.models.Fee` (or anything with its attributes)."""
        return cls(
            amount_vnd=int(fee.amount_vnd or 0),
            basis=getattr(fee, "basis", "") or "dossier",
            tiers=tuple(sorted((int(t["from_page"]), int(t["amount_vnd"]))
                               for t in (getattr(fee, "tiers", None) or []))),
            cap_vnd=getattr(fee, "cap_vnd", None),
            reductions=tuple((str(r["kind"]), int(r["amount_vnd"])) for r in (getattr(fee, "reductions", None) or [])),
            online_exempt=bool(getattr(fee, "online_exempt", False)),
        )

    @property
    def flat(self) -> bool:
        """One amount per dossier and nothing else: the amount alone says it all."""
        return (self.basis == "dossier" and not self.tiers and self.cap_vnd is None and not self.reductions
                and not self.online_exempt)

    @property
    def free(self) -> bool:
        return not self.amount_vnd and not any(a for _p, a in self.tiers)


@dataclass(frozen=True)
class Quantities:
    online: bool
    copies: int = 1
    pages: tuple[int, ...] = ()  # pages of each copy (page basis); empty: `copies` copies of one page
    kind: str = ""  # the declared kind of applicant, one of the rule's reductions

    def __post_init__(self):
        if isinstance(self.copies, bool) or not isinstance(self.copies, int) or not 1 <= self.copies <= MAX_COUNT:
            raise ValueError(f"copies must be an integer from 1 to {MAX_COUNT}, not {self.copies!r}")
        if len(self.pages) > MAX_COUNT:
            raise ValueError(f"at most {MAX_COUNT} copies")
        for n in self.pages:
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_COUNT:
                raise ValueError(f"pages must be integers from 1 to {MAX_COUNT}, not {n!r}")


@dataclass(frozen=True)
class Amount:
    amount_vnd: int
    explanation: str


def _dong(amount: int) -> str:
    return vnd(amount, unit=_("đồng"))


def _same_kind(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def base_amount(rule: Rule, kind: str = "") -> int:
    """The base amount for a kind of applicant: its reduction if the rule declares it."""
    if kind:
        for declared, amount in rule.reductions:
            if _same_kind(declared, kind):
                return amount
    return rule.amount_vnd


def page_price(rule: Rule, page: int, base: int) -> int:
    """The price of page `page` (1-based) of a copy: the last tier that has started, else the base."""
    price = base
    for from_page, amount in rule.tiers:
        if page >= from_page:
            price = amount
    return price


def copy_price(rule: Rule, pages: int, base: int) -> int:
    """One copy of `pages` pages, capped."""
    total = sum(page_price(rule, p, base) for p in range(1, pages + 1))
    return min(total, rule.cap_vnd) if rule.cap_vnd is not None else total


def compute(rule: Rule, q: Quantities) -> Amount:
    if q.online and rule.online_exempt:
        return Amount(0, _("Miễn khi nộp trực tuyến"))
    base = base_amount(rule, q.kind)
    if rule.basis == "copy":
        unit = min(base, rule.cap_vnd) if rule.cap_vnd is not None else base
        total = unit * q.copies
        text = _("%(amount)s × %(n)s bản") % {"amount": _dong(unit), "n": q.copies}
    elif rule.basis == "page":
        pages = q.pages or (1,) * q.copies
        prices = [copy_price(rule, n, base) for n in pages]
        total = sum(prices)
        if len(pages) == 1:
            text = _("%(n)s trang: %(amount)s") % {"n": pages[0], "amount": _dong(total)}
        else:
            text = _("%(copies)s bản, %(n)s trang: %(amount)s") % {
                "copies": len(pages), "n": sum(pages), "amount": _dong(total)}
    else:
        total = base
        text = _dong(base)
    if not total:
        text = _("Miễn phí")
    elif base != rule.amount_vnd:
        text = _("%(text)s (%(kind)s)") % {"text": text, "kind": q.kind}
    return Amount(total, text)


def describe(rule: Rule) -> list[str]:
    """The rule in words, one short line per part, for the portal and the catalogue API."""
    if rule.free and not rule.reductions:
        return [_("Miễn phí")]
    if rule.basis == "copy":
        lines = [_("%(amount)s mỗi bản") % {"amount": _dong(rule.amount_vnd)}]
    elif rule.basis == "page":
        lines = [_("%(amount)s mỗi trang") % {"amount": _dong(rule.amount_vnd)}]
        lines += [_("Từ trang %(page)s: %(amount)s mỗi trang") % {"page": p, "amount": _dong(a)}
                  for p, a in rule.tiers]
    else:
        lines = [_dong(rule.amount_vnd) if rule.amount_vnd else _("Miễn phí")]
    if rule.cap_vnd is not None and rule.basis != "dossier":
        lines.append(_("Tối đa %(amount)s mỗi bản") % {"amount": _dong(rule.cap_vnd)})
    lines += [f"{kind}: {_dong(amount) if amount else _('miễn phí')}" for kind, amount in rule.reductions]
    if rule.online_exempt:
        lines.append(_("Miễn khi nộp trực tuyến"))
    return lines


def problems(rule: Rule) -> list[str]:
    """What is wrong with a rule as data (the draft check, the import and the admin form use this)."""
    out = []
    if rule.basis not in BASES:
        out.append(_("Cách tính «%(basis)s» không hợp lệ.") % {"basis": rule.basis})
    if not 0 <= rule.amount_vnd <= MAX_AMOUNT:
        out.append(_("Mức thu phải từ 0 đến %(max)s đồng.") % {"max": vnd(MAX_AMOUNT, unit="")})
    if rule.tiers and rule.basis != "page":
        out.append(_("Bậc theo trang chỉ dùng khi tính theo trang."))
    pages = [p for p, _a in rule.tiers]
    if any(not 2 <= p <= MAX_COUNT for p in pages) or len(set(pages)) != len(pages):
        out.append(_("Bậc theo trang: mỗi bậc bắt đầu từ một trang khác nhau, từ trang 2 đến %(max)s.")
                   % {"max": MAX_COUNT})
    if any(not 0 <= a <= MAX_AMOUNT for _p, a in rule.tiers):
        out.append(_("Bậc theo trang: mức thu không hợp lệ."))
    if rule.cap_vnd is not None and not 0 < rule.cap_vnd <= MAX_AMOUNT:
        out.append(_("Mức tối đa mỗi bản phải là số dương."))
    kinds = [k for k, _a in rule.reductions]
    if any(not k.strip() for k in kinds) or len({" ".join(k.split()).casefold() for k in kinds}) != len(kinds):
        out.append(_("Đối tượng giảm phí: mỗi đối tượng cần một tên riêng."))
    if any(not 0 <= a <= rule.amount_vnd for _k, a in rule.reductions):
        out.append(_("Đối tượng giảm phí: mức giảm không được cao hơn mức thu."))
    return out


def fee_amount(fee: Any, *, online: bool, inputs: dict | None = None) -> int:
    """What one catalogue fee asks: of one copy, or of the declared `inputs` (see `quantities`)."""
    return compute(Rule.of(fee), quantities(inputs, online=online)).amount_vnd


def is_online(dossier: Any) -> bool:
    return int(dossier.channel or 0) == ONLINE_CHANNEL


def dossier_fee_amount(fee: Any, dossier: Any) -> int:
    """The amount of one fee for a dossier: its rule applied to the dossier's declared fee inputs
    (`Dossier.fee_inputs`: copies, pages per copy, kind of applicant; one copy when none)."""
    return fee_amount(fee, online=is_online(dossier), inputs=getattr(dossier, "fee_inputs", None))


# --- what the applicant declares for the fees (the wizard, the API, the dossier) -----------------

NO_KIND = ""  # "Không thuộc đối tượng nào": the full amount


@dataclass(frozen=True)
class Needs:
    """What the fee rules of a procedure version ask of the applicant before the amount is known."""

    copies: bool = False  # a rule per copy or per page
    pages: bool = False  # a rule per page
    kinds: tuple[str, ...] = ()  # the declared kinds of applicant of the rules' reductions

    @property
    def any(self) -> bool:
        return self.copies or self.pages or bool(self.kinds)


def needs(fees: Any) -> Needs:
    """What to ask for these catalogue fees (free or online-exempt-only rules still ask nothing more)."""
    rules = [Rule.of(f) for f in fees]
    kinds: list[str] = []
    for rule in rules:
        for kind, _amount in rule.reductions:
            if not any(_same_kind(kind, k) for k in kinds):
                kinds.append(kind)
    return Needs(copies=any(r.basis in ("copy", "page") and not r.free for r in rules),
                 pages=any(r.basis == "page" and not r.free for r in rules), kinds=tuple(kinds))


class FeeInputError(ValueError):
    """A declared fee input is not acceptable; `message` (Vietnamese) and `field` say which."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = str(message)
        self.field = field


def _count(raw: Any, field: str, label: str) -> int:
    if raw is None or raw == "":
        return 1
    if isinstance(raw, bool):
        raise FeeInputError(_("%(label)s phải là số nguyên từ 1 đến %(max)s.") % {"label": label, "max": MAX_COUNT},
                            field)
    if isinstance(raw, str):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:  # "²" is a digit int() refuses
            raise FeeInputError(_("%(label)s phải là số nguyên từ 1 đến %(max)s.")
                                % {"label": label, "max": MAX_COUNT}, field)
        raw = int(raw)
    if not isinstance(raw, int) or not 1 <= raw <= MAX_COUNT:
        raise FeeInputError(_("%(label)s phải là số nguyên từ 1 đến %(max)s.") % {"label": label, "max": MAX_COUNT},
                            field)
    return raw


def clean_inputs(raw: Any, fees: Any) -> dict:
    """The declared fee inputs as stored on the dossier: ``{"copies": int, "pages": int, "kind": str}``
    (pages: of each copy), within the bounds of `Quantities`; FeeInputError otherwise. What the rules
    do not ask is not kept (an empty dict: one copy, full amount). `kind` must be one of the rules'
    declared kinds ("" = none of them)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise FeeInputError(_("Thông tin tính phí phải là một đối tượng {copies, pages, kind}."), "fee_inputs")
    unknown = sorted(set(raw) - {"copies", "pages", "kind"})
    if unknown:
        raise FeeInputError(_("Thông tin tính phí không có trường «%(name)s».") % {"name": str(unknown[0])[:40]},
                            "fee_inputs")
    need = needs(fees)
    out: dict[str, Any] = {}
    copies = _count(raw.get("copies"), "copies", _("Số bản"))
    pages = _count(raw.get("pages"), "pages", _("Số trang mỗi bản"))
    if need.copies:
        out["copies"] = copies
    if need.pages:
        out["pages"] = pages
    kind = raw.get("kind") or NO_KIND
    if not isinstance(kind, str):
        raise FeeInputError(_("Đối tượng phải là một trong các đối tượng được giảm phí."), "kind")
    kind = " ".join(kind.split())[:200]
    if kind:
        declared = next((k for k in need.kinds if _same_kind(k, kind)), None)
        if declared is None:
            raise FeeInputError(_("«%(kind)s» không thuộc các đối tượng được giảm phí của thủ tục này.")
                                % {"kind": kind}, "kind")
        out["kind"] = declared
    return out


def quantities(inputs: dict | None, *, online: bool) -> Quantities:
    """The `Quantities` of stored fee inputs (missing: one copy of one page, no declared kind). Stored
    inputs were checked by `clean_inputs`; anything else there counts as one copy (never cheaper)."""
    inputs = inputs if isinstance(inputs, dict) else {}
    copies, pages, kind = inputs.get("copies"), inputs.get("pages"), inputs.get("kind")
    ok = lambda n: isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_COUNT  # noqa: E731
    copies = copies if ok(copies) else 1
    return Quantities(online=online, copies=copies, pages=(pages,) * copies if ok(pages) else (),
                      kind=kind if isinstance(kind, str) else "")


@dataclass(frozen=True)
class FeeView:
    """One fee as the citizen sees it before and after submitting: name, rule in words, computed
    amount with its explanation, and when it is due."""

    fee_id: int
    name: str
    words: tuple[str, ...]
    amount_vnd: int
    explanation: str
    collected: str  # at_reception | at_return
    when_label: str
    online_exempt: bool  # exempt because submitted online


def fee_views(fees: Any, *, online: bool, inputs: dict | None = None) -> list[FeeView]:
    q = quantities(inputs, online=online)
    out = []
    for fee in fees:
        rule = Rule.of(fee)
        amount = compute(rule, q)
        collected = getattr(fee, "collected", "at_reception") or "at_reception"
        out.append(FeeView(
            fee_id=fee.pk, name=fee.name, words=tuple(describe(rule)), amount_vnd=amount.amount_vnd,
            explanation=amount.explanation, collected=collected,
            when_label=_("khi nhận kết quả") if collected == "at_return" else _("khi nộp hồ sơ"),
            online_exempt=bool(online and rule.online_exempt),
        ))
    return out


def fee_words(fee: Any) -> str:
    """The rule of a catalogue fee in one line: "8.000 đồng mỗi bản; Miễn khi nộp trực tuyến"."""
    return "; ".join(describe(Rule.of(fee)))


def dossier_fee_views(dossier: Any, fees: list | None = None) -> list[FeeView]:
    """The fees of a dossier as the pages show them: each one's amount for what its applicant
    declared (copies, pages, kind) and its channel (the same amounts `dossier_fee_amount` gives).
    `fees`: the version's fees when the page has read them already."""
    fees = sorted(dossier.procedure_version.fees.all() if fees is None else fees, key=lambda f: (f.order, f.pk))
    return fee_views(fees, online=is_online(dossier), inputs=getattr(dossier, "fee_inputs", None))


def inputs_from_post(post: Any) -> dict:
    """The fee inputs as a page's form posts them (fields copies, pages, kind), cut to sane lengths;
    `clean_inputs` checks them. The wizard's case step and the counter form share it."""
    out = {}
    for name in ("copies", "pages", "kind"):
        value = post.get(name)
        if value is not None:
            out[name] = str(value)[:200]
    return out


def kind_choices(need: Needs) -> list[tuple[str, str]]:
    """The choices of the kind of applicant as the pages offer them: none of them first."""
    return [(NO_KIND, _("Không thuộc đối tượng nào")), *[(k, k) for k in need.kinds]]
