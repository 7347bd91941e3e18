"""The supplement form's file inputs are the shared picker (core/_file_picker.html): a refused file
shows on the picker itself (its invalid face), and the label does not repeat the face's words."""

from __future__ import annotations

import re

from motcua.dossiers import actions

from .helpers import fresh, received, upload


def _picker(html: str, name: str) -> str:
    start = html.rindex('<div class="file-picker', 0, html.index(f'name="{name}"'))
    return html[start:html.index("</div>", start)]


def test_a_refused_file_marks_the_picker_invalid(citizen_client, people):
    d = received(people)
    actions.request_supplement(d, actor=people.receptionist, missing=["Giấy chứng sinh"])
    d = fresh(d)
    html = citizen_client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "file-picker--invalid" not in _picker(html, "tep-1")
    label = re.search(r'<label class="form-label" for="tep-1">([^<]*)</label>', html).group(1)
    assert "Chọn tệp" not in label  # the face says «+ Chọn tệp (một hoặc nhiều tệp)»
    response = citizen_client.post(f"/ho-so-cua-toi/{d.code}/bo-sung/",
                                   {"version": d.version, "tep-1": upload("rong.pdf", b"")})
    assert response.status_code == 400
    picker = _picker(response.content.decode(), "tep-1")
    assert "file-picker--invalid" in picker and 'aria-invalid="true"' in picker
