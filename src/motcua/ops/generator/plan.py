"""The plan of a generation run: the published procedures' cases and steps, and the staff and
citizens who will act on the generated dossiers (created where a role has nobody)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from motcua.accounts.models import Membership, User
from motcua.agencies.models import Agency
from motcua.catalog.fees import fee_amount
from motcua.catalog.models import ProcedureVersion, TimeUnit

GENERATED_PREFIX = "gen-"

NAMES_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
                "Ngô", "Dương", "Lý"]
NAMES_MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Ngọc", "Thanh", "Quốc", "Hoàng", "Kim", "Đức", "Bảo"]
NAMES_GIVEN = ["An", "Bình", "Cường", "Dung", "Đức", "Em", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh",
               "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
               "Tuấn", "Vy", "Yến"]
COMPANIES = ["Công ty TNHH Thủy sản Minh Phú", "Công ty CP Xây dựng Cà Mau", "HTX Nông nghiệp Tân Thành",
             "Công ty TNHH Thương mại Đất Mũi", "Doanh nghiệp tư nhân Hoàng Long"]
STREETS = ["Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Tất Thành", "Phan Ngọc Hiển", "Ngô Quyền", "Hùng Vương"]


class GenerationError(Exception):
    """Nothing to generate on (no published procedure, no working day) or a bad option."""


@dataclass
class StepPlan:
    id: int
    role: str
    agency_id: int
    quota_hours: Decimal


@dataclass
class CasePlan:
    version_id: int
    case_id: int
    receiving_id: int
    receiving_code: str
    level: int
    time_amount: Decimal
    time_unit: str
    cutoff: dt.time | None
    steps: list[StepPlan]
    fees_reception: list[dict]  # at the counter
    fees_return: int
    stepless_agency_id: int
    fees_online: list[dict]  # at reception when submitted online (exemptions)



def cases(agency_code: str | None) -> list[CasePlan]:
    versions = (
        ProcedureVersion.objects.filter(state=ProcedureVersion.State.PUBLISHED)
        .select_related("receiving_agency", "agency")
        .prefetch_related("cases__steps", "fees")
        .order_by("procedure__code", "id")
    )
    plans = []
    for v in versions:
        if agency_code and agency_code not in (v.receiving_agency.unit_code, v.agency.unit_code):
            continue
        # Each fee's amount by its rule (one copy; an online exemption only online), as fees_due asks.
        fees_reception, fees_online = (
            [{"fee_id": f.pk, "name": f.name, "amount_vnd": fee_amount(f, online=online)}
             for f in v.fees.all() if fee_amount(f, online=online) and f.collected == "at_reception"]
            for online in (False, True)
        )
        fees_return = sum(fee_amount(f, online=False) for f in v.fees.all() if f.collected != "at_reception")
        for case in v.cases.all():
            if case.time_unit not in TimeUnit.values:
                continue
            steps = []
            for s in sorted(case.steps.all(), key=lambda s: (s.order, s.id)):
                if s.agency_id:
                    agency_id = s.agency_id
                elif s.role == "receptionist":
                    agency_id = v.receiving_agency_id
                else:
                    agency_id = v.agency_id
                steps.append(StepPlan(s.pk, s.role, agency_id, Decimal(s.quota_hours)))
            plans.append(CasePlan(
                version_id=v.pk, case_id=case.pk, receiving_id=v.receiving_agency_id,
                receiving_code=v.receiving_agency.unit_code, level=v.level, time_amount=Decimal(case.time_amount),
                time_unit=case.time_unit, cutoff=case.cutoff_time, steps=steps, fees_reception=fees_reception,
                fees_return=fees_return, stepless_agency_id=v.agency_id, fees_online=fees_online,
            ))
    if not plans:
        raise GenerationError(
            "Không có thủ tục đã công bố nào" + (f" của cơ quan {agency_code}" if agency_code else "")
            + "; hãy nhập danh mục trước (python -m motcua import_catalog hoặc demo)."
        )
    return plans


def staff(plans: list[CasePlan], rng: random.Random) -> tuple[dict[tuple[int, str], list[int]], int]:
    """(agency id, role) -> active staff ids; creates generated staff where a role has nobody."""
    needed: set[tuple[int, str]] = set()
    for p in plans:
        needed.add((p.receiving_id, "receptionist"))
        for s in p.steps:
            needed.add((s.agency_id, s.role))
        if not p.steps:
            needed.add((p.stepless_agency_id, "officer"))
    needed |= {(agency_id, "leader") for agency_id, _role in list(needed)}
    pool: dict[tuple[int, str], list[int]] = {}
    for user_id, agency_id, role in (
        Membership.objects.filter(active=True, user__is_active=True, agency_id__in={a for a, _ in needed})
        .order_by("user_id").values_list("user_id", "agency_id", "role")
    ):
        pool.setdefault((agency_id, role), []).append(user_id)
    codes = dict(Agency.objects.filter(pk__in={a for a, _ in needed}).values_list("pk", "unit_code"))
    created = 0
    for agency_id, role in sorted(needed):
        if pool.get((agency_id, role)):
            continue
        ids = []
        for n in range(1, (3 if role == "officer" else 2) + 1):
            username = f"{GENERATED_PREFIX}{codes[agency_id]}-{role}-{n}".lower()
            user = User.objects.filter(username=username).first()
            if user is None:
                # No password: generated staff sign in only after an admin sets one.
                user = User.objects.create_user(
                    username, full_name=person_name(rng), email=f"{username.replace('.', '')}@example.invalid",
                )
                created += 1
            Membership.objects.update_or_create(user=user, agency_id=agency_id, role=role,
                                                defaults={"active": True})
            ids.append(user.pk)
        pool[(agency_id, role)] = ids
    return pool, created


def citizens(rng: random.Random, n: int = 50) -> tuple[list[int], int]:
    ids, created = [], 0
    for i in range(1, n + 1):
        username = f"{GENERATED_PREFIX}congdan-{i}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=person_name(rng), self_registered=True,
                        email=f"{username}@example.invalid")
            user.set_unusable_password()
            user.save()
            created += 1
        ids.append(user.pk)
    return ids, created


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(NAMES_FAMILY)} {rng.choice(NAMES_MIDDLE)} {rng.choice(NAMES_GIVEN)}"
