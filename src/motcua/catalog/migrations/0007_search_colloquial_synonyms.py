"""More colloquial words a one-stop office hears (issue #18), and one default taken back.

Added: everyday words for the catalogue's words ("tạm nghỉ" for "tạm ngừng", "đóng cửa" for
"chấm dứt hoạt động", "ra biển số" for "cấp biển số", "li dị" for "ly hôn", "đẻ con" for "sinh
con"…). Removed: the one-syllable default "mất" -> "cấp lại": one syllable, folded, is several
words ("mất", "mật", "mặt") and made "mất ngủ" find "Cấp lại thẻ căn cước"; the two-syllable
"bị mất" stays; and two defaults written for one way of asking rather than names people use.
Both directions leave rows an admin has changed alone.
"""

import uuid

from django.db import migrations

ADDED = [
    # business
    ("tạm nghỉ kinh doanh", "tạm ngừng kinh doanh"), ("tạm nghỉ", "tạm ngừng"), ("nghỉ kinh doanh", "tạm ngừng kinh doanh"),
    ("đóng cửa", "chấm dứt hoạt động"), ("dẹp tiệm", "chấm dứt hoạt động"), ("mở quán", "đăng ký thành lập hộ kinh doanh"),
    # vehicles
    ("ra biển số", "cấp biển số"), ("ra biển", "cấp biển số"), ("biển số mới", "biển số lần đầu"),
    ("xe mới", "xe lần đầu"), ("giấy tờ xe", "chứng nhận đăng ký xe"), ("bằng lái ô tô", "giấy phép lái xe"),
    # civil status
    ("li dị", "ly hôn"), ("ly dị", "ly hôn"), ("lấy vợ", "kết hôn"), ("lấy chồng", "kết hôn"), ("hôn thú", "kết hôn"), ("giấy hôn thú", "giấy chứng nhận kết hôn"),
    ("đẻ con", "sinh con"), ("mới đẻ", "mới sinh"), ("em bé", "trẻ em"), ("con nhỏ", "trẻ em"),
    ("giấy chứng sinh", "giấy khai sinh"),
    # identity, residence
    ("chứng minh thư", "chứng minh nhân dân"), ("sổ hộ khẩu", "thường trú"), ("tách sổ hộ khẩu", "tách hộ"),
    # land
    ("sổ đất", "giấy chứng nhận quyền sử dụng đất"), ("bìa hồng", "giấy chứng nhận quyền sử dụng đất"),
    # insurance
    ("sổ bảo hiểm", "sổ bảo hiểm xã hội"), ("trợ cấp thất nghiệp", "bảo hiểm thất nghiệp"),
]
REMOVED = [
    ("mất", "cấp lại"),
    # written for one way of asking, not a name people use
    ("mã số thuế cá nhân", "đăng ký thuế lần đầu đối với người nộp thuế là cá nhân"),
]
REMOVED_COLLOQUIAL = [("2.000575", "mất giấy phép kinh doanh hộ cá thể")]


def _rows(apps, pairs):
    from motcua.catalog.normalize import key

    return [(key(phrase), phrase, meaning) for phrase, meaning in pairs if key(phrase)]


def _names(pairs):
    from motcua.catalog.normalize import key

    return [(code, key(name), name) for code, name in pairs]


def _bump(apps):
    CatalogVersion = apps.get_model("catalog", "CatalogVersion")
    row, _created = CatalogVersion.objects.get_or_create(pk=1, defaults={"number": 1, "stamp": "seed"})
    row.number += 1
    row.stamp = uuid.uuid4().hex  # running processes rebuild their search index
    row.save(update_fields=["number", "stamp"])


def forwards(apps, schema_editor):
    Synonym = apps.get_model("catalog", "Synonym")
    for k, phrase, meaning in _rows(apps, ADDED):
        Synonym.objects.get_or_create(key=k, defaults={"phrase": phrase, "meaning": meaning})
    for k, _phrase, meaning in _rows(apps, REMOVED):
        Synonym.objects.filter(key=k, meaning=meaning).delete()
    ColloquialName = apps.get_model("catalog", "ColloquialName")
    for code, k, _name in _names(REMOVED_COLLOQUIAL):
        ColloquialName.objects.filter(procedure_code=code, key=k).delete()
    _bump(apps)


def backwards(apps, schema_editor):
    Synonym = apps.get_model("catalog", "Synonym")
    for k, _phrase, meaning in _rows(apps, ADDED):
        Synonym.objects.filter(key=k, meaning=meaning).delete()
    for k, phrase, meaning in _rows(apps, REMOVED):
        Synonym.objects.get_or_create(key=k, defaults={"phrase": phrase, "meaning": meaning})
    ColloquialName = apps.get_model("catalog", "ColloquialName")
    for code, k, name in _names(REMOVED_COLLOQUIAL):
        ColloquialName.objects.get_or_create(procedure_code=code, key=k, defaults={"name": name})
    _bump(apps)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_merge_search_and_review")]
    operations = [migrations.RunPython(forwards, backwards)]
