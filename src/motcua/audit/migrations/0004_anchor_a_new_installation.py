"""A new installation has no unkeyed history: anchor its three logs at nothing, now, so that no
row is ever accepted without the audit key. An upgraded installation, which has unkeyed rows, is
anchored by its first checkpoint instead (motcua.audit.checkpoints), once every web process runs
the keyed code (old processes may still write unkeyed rows while this migration runs)."""

from django.db import migrations
from django.utils import timezone


def anchor_if_empty(apps, schema_editor):
    from motcua.audit import keys
    from motcua.audit.checkpoints import FORMAT, _anchor_message

    import hashlib
    import hmac

    models = [apps.get_model("dossiers", "Event"), apps.get_model("audit", "PersonalDataAccess"),
              apps.get_model("audit", "ChangeLogSeal")]
    Anchor = apps.get_model("audit", "ChainAnchor")
    if any(model.objects.exists() for model in models) or Anchor.objects.exists():
        return
    key, now = keys.current(), timezone.now()
    empty = hmac.new(key.checkpoint, FORMAT.encode(), hashlib.sha256).hexdigest()
    for log in ("event", "access", "changelog"):
        anchor = Anchor(log=log, upto=0, count=0, digest=empty, kid=key.kid, at=now)
        anchor.mac = keys.sign(key, _anchor_message(anchor))
        anchor.save(force_insert=True)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_audit_key_anchors_checkpoints"),
        ("dossiers", "0007_api_token_revocation"),
    ]

    operations = [migrations.RunPython(anchor_if_empty, migrations.RunPython.noop)]
