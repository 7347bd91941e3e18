"""The counter prints the official forms and the ledger."""

from __future__ import annotations

from .conftest import counter_dossier


def test_it_prints_the_receipt_and_control_sheet(login, people):
    d = counter_dossier(people)
    client = login(people.receptionist)
    for number in ("01", "06"):
        response = client.get(f"/can-bo/ho-so/{d.code}/mau/{number}.pdf")
        assert response.status_code == 200, number
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert client.get(f"/can-bo/ho-so/{d.code}/mau/01.pdf?layout=80mm").content.startswith(b"%PDF")


def test_it_answers_404_for_a_form_the_dossier_does_not_have(login, people):
    d = counter_dossier(people)
    client = login(people.receptionist)
    assert client.get(f"/can-bo/ho-so/{d.code}/mau/03.pdf").status_code == 404
    assert client.get(f"/can-bo/ho-so/{d.code}/mau/xx.pdf").status_code == 404


def test_it_hides_another_agencys_forms(login, people):
    d = counter_dossier(people)
    assert login(people.other_receptionist).get(f"/can-bo/ho-so/{d.code}/mau/01.pdf").status_code == 404


def test_it_prints_the_ledger_of_the_users_agency(login, people):
    counter_dossier(people)
    client = login(people.receptionist)
    response = client.get("/can-bo/so-theo-doi.pdf", {"from": "2020-01-01", "to": "2030-12-31"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    # An absurd period is clamped, never an error.
    assert client.get("/can-bo/so-theo-doi.pdf", {"from": "x", "to": "9999-99-99"}).status_code == 200


def test_a_superuser_without_an_agency_chooses_the_book_to_print(login, people):
    """It was a 500 (IndexError: a superuser has no agency of their own)."""
    from motcua.accounts.models import User

    counter_dossier(people)
    client = login(User.objects.create_superuser("sieu_quan_tri", password=None))
    period = {"from": "2020-01-01", "to": "2030-12-31"}
    assert client.get("/can-bo/so-theo-doi.pdf", period).status_code == 404
    assert client.get("/can-bo/so-theo-doi.pdf", {**period, "agency": "9" * 40}).status_code == 404
    response = client.get("/can-bo/so-theo-doi.pdf", {**period, "agency": people.commune.pk})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_book_of_another_agency_is_not_printed_for_its_neighbour(login, people):
    counter_dossier(people)
    client = login(people.other_receptionist)
    response = client.get("/can-bo/so-theo-doi.pdf", {"agency": people.commune.pk})
    assert response.status_code == 200
    assert f"so-theo-doi-{people.other_commune.unit_code}" in response["Content-Disposition"]
