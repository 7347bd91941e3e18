"""Satisfaction ratings: only after the result is returned, once, all nine criteria, valid values;
by the owner or the counter on their behalf; stored for indicator 5.4."""

from __future__ import annotations

import pytest

from motcua.dossiers import actions
from motcua.dossiers.errors import ActionNotAllowed, InvalidInput, PermissionDenied
from motcua.dossiers.models import Dossier
from motcua.feedback import criteria, services
from motcua.feedback.indicators import satisfaction_counts
from motcua.feedback.models import Rating
from tests.citizen.helpers import GOOD_ANSWERS, completed, online_dossier, received, returned


def test_it_has_the_nine_official_criteria():
    assert [c.number for c in criteria.CRITERIA] == list(range(1, 10))
    assert all(c.kind == criteria.SCORE and c.values == {0, 1, 2} for c in criteria.CRITERIA[:7])
    assert [str(o.label) for o in criteria.CRITERIA[8].options] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert str(criteria.CRITERIA[0].title).startswith("Tổng thời gian giải quyết thủ tục hành chính")
    assert str(criteria.CRITERIA[6].title).startswith("Thái độ của cán bộ, công chức, viên chức")


def test_the_owner_rates_a_returned_dossier_once(people):
    d = returned(people)
    rating = services.record_rating(d, people.citizen, GOOD_ANSWERS, comment="Nhanh, gọn")
    assert (rating.score, rating.unsatisfied, rating.on_behalf) == (12, False, False)
    assert rating.answers() == GOOD_ANSWERS and rating.agency == d.agency and rating.comment == "Nhanh, gọn"
    with pytest.raises(ActionNotAllowed) as info:
        services.record_rating(d, people.citizen, GOOD_ANSWERS)
    assert info.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_the_counter_records_a_rating_on_behalf(people):
    d = returned(people)
    rating = services.record_rating(d, people.receptionist, {**GOOD_ANSWERS, "c9": 0})
    assert rating.on_behalf and rating.recorded_by == people.receptionist and rating.unsatisfied


@pytest.mark.parametrize("make", [online_dossier, received, completed])
def test_it_refuses_before_the_result_is_returned(people, make):
    d = make(people)
    with pytest.raises(ActionNotAllowed) as info:
        services.record_rating(d, people.citizen, GOOD_ANSWERS)
    assert info.value.code == "not_returned"


def test_it_refuses_a_withdrawn_dossier(people):
    d = received(people)
    actions.withdraw(d, actor=people.citizen)
    with pytest.raises(ActionNotAllowed):
        services.record_rating(d, people.citizen, GOOD_ANSWERS)


def test_others_may_not_rate(people):
    d = returned(people)
    for user in (people.citizen2, people.officer, people.other_receptionist):
        with pytest.raises(PermissionDenied):
            services.record_rating(d, user, GOOD_ANSWERS)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(("answers", "field"), [
    ({k: v for k, v in GOOD_ANSWERS.items() if k != "c4"}, "c4"),
    ({**GOOD_ANSWERS, "c1": 3}, "c1"),
    ({**GOOD_ANSWERS, "c8": -1}, "c8"),
    ({**GOOD_ANSWERS, "c9": "rất hài lòng"}, "c9"),
    ({**GOOD_ANSWERS, "c2": True}, "c2"),
    ({**GOOD_ANSWERS, "c5": ""}, "c5"),
    ({**GOOD_ANSWERS, "c10": 1}, "c10"),
    ({}, "c1"),
])
def test_every_criterion_is_required_and_checked(people, answers, field):
    d = returned(people)
    with pytest.raises(InvalidInput) as info:
        services.record_rating(d, people.citizen, answers)
    assert info.value.field == field
    assert "chỉ số" in info.value.message.lower() or "c10" in info.value.message
    assert not Rating.objects.exists()


def test_digit_strings_from_a_form_are_accepted(people):
    d = returned(people)
    rating = services.record_rating(d, people.citizen, {k: str(v) for k, v in GOOD_ANSWERS.items()})
    assert rating.c1 == 2 and rating.c9 == 1


def test_the_satisfaction_counts_for_indicator_5_4(people):
    from motcua.feedback.models import Feedback

    happy = returned(people)
    unhappy = returned(people, owner=people.citizen2)
    complained = returned(people)
    returned(people)  # not rated, no feedback
    services.record_rating(happy, people.citizen, GOOD_ANSWERS)
    services.record_rating(unhappy, people.citizen2, {**GOOD_ANSWERS, "c8": 0})
    services.record_rating(complained, people.citizen, GOOD_ANSWERS)
    Feedback.objects.create(name="A", phone="0912345678", category="conduct", title="t", content="c",
                            dossier=complained)
    counts = satisfaction_counts(Dossier.objects.all())
    assert (counts.dossiers, counts.rated, counts.unsatisfied, counts.with_feedback) == (4, 3, 1, 1)
    assert counts.unsatisfied_or_feedback == 2 and counts.deduction_percent == 50.0


# --- the rating page ---------------------------------------------------------------------------------


def test_the_citizen_rates_from_the_dossier_page(citizen_client, people):
    d = returned(people)
    data = {k: str(v) for k, v in GOOD_ANSWERS.items()} | {"next": f"/ho-so-cua-toi/{d.code}/"}
    response = citizen_client.post(f"/gop-y/danh-gia/{d.code}/", data)
    assert response.status_code == 302 and response["Location"] == f"/ho-so-cua-toi/{d.code}/"
    html = citizen_client.get(response["Location"]).content.decode()
    assert "Cảm ơn bạn đã đánh giá" in html and "Đánh giá của bạn" in html and 'name="c9"' not in html
    again = citizen_client.post(f"/gop-y/danh-gia/{d.code}/", data)
    assert again.status_code == 409 and Rating.objects.count() == 1


def test_the_rating_page_shows_missing_criteria(citizen_client, people):
    d = returned(people)
    response = citizen_client.post(f"/gop-y/danh-gia/{d.code}/", {"c1": "2", "c9": "7"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa chọn mức đánh giá cho chỉ số 2" in html and "Mức đánh giá của chỉ số 9 không hợp lệ" in html
    assert not Rating.objects.exists()


def test_the_counter_uses_the_same_page_and_comes_back(client, people):
    d = returned(people)
    client.force_login(people.receptionist)
    page = client.get(f"/gop-y/danh-gia/{d.code}/?next=/can-bo/")
    assert page.status_code == 200 and "thay người nộp" in page.content.decode()
    data = {k: str(v) for k, v in GOOD_ANSWERS.items()} | {"next": "/can-bo/"}
    response = client.post(f"/gop-y/danh-gia/{d.code}/", data)
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    assert Rating.objects.get().on_behalf


def test_the_rating_page_is_404_for_others_and_safe_with_bad_next(client, people):
    d = returned(people)
    client.force_login(people.citizen2)
    assert client.get(f"/gop-y/danh-gia/{d.code}/").status_code == 404
    assert client.post(f"/gop-y/danh-gia/{d.code}/", GOOD_ANSWERS).status_code == 404
    client.force_login(people.citizen)
    data = {k: str(v) for k, v in GOOD_ANSWERS.items()} | {"next": "https://evil.example/"}
    response = client.post(f"/gop-y/danh-gia/{d.code}/", data)
    assert response.status_code == 302 and response["Location"] == f"/ho-so-cua-toi/{d.code}/"


def test_absurd_codes_are_404(citizen_client, people):
    for code in ("%00", "<b>", "x" * 300, "🙂"):
        assert citizen_client.get(f"/gop-y/danh-gia/{code}/").status_code == 404


def test_the_rating_page_needs_sign_in(client, people):
    d = returned(people)
    assert client.get(f"/gop-y/danh-gia/{d.code}/").status_code == 302
