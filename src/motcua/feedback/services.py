"""What the rest of the system calls: record a rating, take in and answer feedback, publish.

* `record_rating(dossier, by, answers)`: the citizen who owns the dossier, or the one-stop
  counter of its receiving agency on the applicant's behalf, rates a dossier whose result was
  returned (status 10). One rating per dossier; all nine criteria required; values checked.
  Raises the dossier app's errors (PermissionDenied 403, ActionNotAllowed 409, InvalidInput 400)
  so the back office and the API can show them like any other action. The rating is a change of
  the dossier: the row and a "rated" event are written together by `dossiers.actions.record_rating`.
* `submit_feedback(...)`: a PAKN from the public form (signed in or not).
* `answer_feedback(feedback, by, answer)`: staff answer (the admin for now); published answers
  appear on /gop-y/.
* `published_feedback()`: the public list; `public_text()` what of a text may be shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from motcua.dossiers.lifecycle import Capacity
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.queries import can_see, capacities

from . import criteria
from .models import Category, Feedback, Rating

# --- ratings ----------------------------------------------------------------------------------


def may_rate(user, dossier: Dossier) -> bool:
    """The owner, the counter (receptionist) of the receiving agency, or a superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not can_see(user, dossier):
        return False
    if user.is_superuser:
        return True
    return bool({Capacity.OWNER, Capacity.RECEPTIONIST} & capacities(user, dossier))


def record_rating(
    dossier: Dossier | int,
    by,
    answers: Mapping[str, Any],
    *,
    comment: str = "",
    at: dt.datetime | None = None,
) -> Rating:
    """Store the rating of `dossier` given by `by` (owner, or counter staff on the applicant's behalf)."""
    pk = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    at = at or timezone.now()
    comment = (comment or "").strip()

    def write(d: Dossier) -> tuple[Rating, dict[str, Any]]:
        # Under the dossier's row lock (the action layer holds it), which serialises two ratings
        # of one dossier on PostgreSQL; the unique constraint on Rating.dossier guards every database.
        if not may_rate(by, d):
            raise PermissionDenied(_("Bạn không có quyền đánh giá hồ sơ này."), code="forbidden")
        if d.status != Status.RETURNED:
            raise ActionNotAllowed(
                _("Chỉ đánh giá được sau khi hồ sơ đã trả kết quả (hồ sơ đang ở trạng thái «%(status)s»).")
                % {"status": d.get_status_display()},
                code="not_returned",
            )
        if Rating.objects.filter(dossier=d).exists():
            raise ActionNotAllowed(_("Hồ sơ %(code)s đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")
                                   % {"code": d.code}, code="already_rated")
        values = criteria.clean_answers(answers)
        if len(comment) > criteria.MAX_COMMENT_CHARS:
            raise InvalidInput(_("Ý kiến khác dài quá %(n)d ký tự.") % {"n": criteria.MAX_COMMENT_CHARS},
                               field="comment")
        rating = Rating(
            dossier=d, agency_id=d.agency_id, score=criteria.score(values),
            unsatisfied=criteria.is_unsatisfied(values), comment=comment, recorded_by=by,
            on_behalf=d.owner_id != by.pk, created_at=at, **values,
        )
        try:
            with transaction.atomic():
                rating.save(force_insert=True)
        except IntegrityError:
            raise ActionNotAllowed(_("Hồ sơ %(code)s đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")
                                   % {"code": d.code}, code="already_rated") from None
        # The event keeps what the history needs; the answers themselves stay in the Rating row.
        return rating, {"rating_id": rating.pk, "score": rating.score, "unsatisfied": rating.unsatisfied,
                        "on_behalf": rating.on_behalf}

    # The rating is a change of the dossier like any other: one hash-chained event, written by
    # the action layer in the same transaction as the row.
    return actions.record_rating(pk, actor=by, write=write, at=at).extra["rating"]


# --- feedback (PAKN) --------------------------------------------------------------------------

MAX_TITLE_CHARS = 200
MAX_CONTENT_CHARS = 5000


def submit_feedback(
    *,
    name: str,
    category: str,
    title: str,
    content: str,
    phone: str = "",
    email: str = "",
    dossier_code: str = "",
    user=None,
    at: dt.datetime | None = None,
) -> Feedback:
    """Store a PAKN (the form has checked the fields). A dossier code that matches a dossier links
    it (and its receiving agency); one that does not is kept as typed, without telling the sender."""
    if category not in Category.values:
        raise InvalidInput(_("Phân loại phản ánh, kiến nghị không hợp lệ."), field="category")
    dossier = Dossier.objects.filter(code=dossier_code).only("pk", "agency_id").first() if dossier_code else None
    return Feedback.objects.create(
        name=name, phone=phone, email=email, user=user if getattr(user, "is_authenticated", False) else None,
        dossier_code=dossier_code, dossier=dossier, agency_id=dossier.agency_id if dossier else None,
        category=category, title=title[:MAX_TITLE_CHARS], content=content[:MAX_CONTENT_CHARS],
        created_at=at or timezone.now(),
    )


def answer_feedback(feedback: Feedback, *, by, answer: str, publish: bool | None = None,
                    at: dt.datetime | None = None) -> Feedback:
    """Record staff's answer; a published answer gets its publication time (once)."""
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(_("Cần nhập nội dung trả lời."), field="answer")
    at = at or timezone.now()
    feedback.answer = answer
    if feedback.answered_at is None:
        feedback.answered_at = at
        feedback.answered_by = by
    if publish is not None:
        feedback.publish = publish
    stamp_publication(feedback, at)
    feedback.save()
    return feedback


def stamp_publication(feedback: Feedback, at: dt.datetime | None = None) -> None:
    """Set `published_at` when an answered PAKN is public for the first time (clear it when hidden)."""
    if feedback.publish and feedback.answer.strip() and feedback.answered_at:
        if feedback.published_at is None:
            feedback.published_at = at or timezone.now()
    else:
        feedback.published_at = None


def published_feedback(category: str = "") -> QuerySet[Feedback]:
    """Answered, public PAKN, newest answer first."""
    qs = Feedback.objects.filter(publish=True, published_at__isnull=False, answered_at__isnull=False).exclude(
        answer=""
    )
    if category in Category.values:
        qs = qs.filter(category=category)
    return qs.select_related("agency").order_by("-published_at", "-id")


# Personal details a sender may type into a public text: e-mail addresses, and runs of 9 or more
# digits (phone numbers, 12-digit ID numbers, tax codes), also written with spaces, dots or dashes.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
_DIGITS = re.compile(r"(?<![\w-])\+?\d(?:[ .\-]?\d){8,}(?![\w-])")


def redact(text: str) -> str:
    """Hide e-mail addresses and long digit runs (phones, ID numbers) in a text to be published."""
    text = _EMAIL.sub("***@***", text or "")
    return _DIGITS.sub("***", text)


def public_text(feedback: Feedback) -> str:
    """The content shown publicly: staff's edited version, or the original; redacted either way."""
    return redact(feedback.public_content.strip() or feedback.content)
