"""The citizen and an electronic result (#17): returned as soon as it is completed, downloadable,
in their document store, the first download in the history, the rating open at once."""

from __future__ import annotations

from motcua.dossiers.models import Event, FileKind, Status
from motcua.submissions import services as submissions

from .helpers import completed


def kinds(d) -> list[str]:
    return list(Event.objects.filter(dossier=d).order_by("version").values_list("kind", flat=True))


def test_the_citizen_sees_the_returned_result_and_may_rate_at_once(citizen_client, people):
    d = completed(people, delivery="online")
    assert d.status == Status.RETURNED
    html = citizen_client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Đã trả kết quả" in html and "Đã trả kết quả điện tử" in html  # the status and the history
    assert "bạn không cần đến nhận tại quầy" in html
    result = d.files.get(kind=FileKind.RESULT)
    assert f"/ho-so-cua-toi/{d.code}/tep/{result.pk}/" in html
    assert "Đánh giá mức độ hài lòng" in html and 'name="c9"' in html
    assert "ký nhận" not in html


def test_the_owners_first_download_is_in_the_history_once(citizen_client, people):
    d = completed(people, delivery="online")
    result = d.files.get(kind=FileKind.RESULT)
    url = f"/ho-so-cua-toi/{d.code}/tep/{result.pk}/"
    assert citizen_client.head(url).status_code == 200
    assert "result_downloaded" not in kinds(d)  # a HEAD is not a download
    assert citizen_client.get(url).status_code == 200
    assert citizen_client.get(url).status_code == 200
    assert kinds(d).count("result_downloaded") == 1
    event = Event.objects.get(dossier=d, kind="result_downloaded")
    assert event.actor == people.citizen and event.data["file_id"] == result.pk
    html = citizen_client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Đã tải kết quả điện tử" in html


def test_the_result_is_in_the_document_store(citizen_client, people):
    d = completed(people, delivery="online")
    result = d.files.get(kind=FileKind.RESULT)
    assert result.pk in [f.pk for f in submissions.wallet_files(people.citizen)]
    # Opened from the store, it counts as the first download too.
    assert citizen_client.get(f"/nop-ho-so/kho/{result.pk}/").status_code == 200
    assert kinds(d).count("result_downloaded") == 1

