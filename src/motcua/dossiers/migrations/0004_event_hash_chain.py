"""Hash chain on dossier events (motcua.audit.chain): add prev_hash/hash and chain existing rows."""

from django.db import migrations, models

from motcua.audit.chain import seal_event

BATCH = 2000


def backfill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Event = apps.get_model("dossiers", "Event")
    codes = dict(Dossier.objects.values_list("id", "code"))
    batch, current, prev = [], None, ""
    for event in Event.objects.order_by("dossier_id", "version").iterator(chunk_size=BATCH):
        if event.dossier_id != current:
            current, prev = event.dossier_id, ""
        seal_event(event, codes[event.dossier_id], prev)
        prev = event.hash
        batch.append(event)
        if len(batch) >= BATCH:
            Event.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        Event.objects.bulk_update(batch, ["prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_delivery_address")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="prev_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="mã băm sự kiện trước",
                help_text="Mã băm của sự kiện liền trước của hồ sơ; trống với sự kiện đầu tiên.",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="mã băm",
                help_text="SHA-256 của nội dung sự kiện và mã băm trước; phát hiện sửa, xóa, chèn.",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
