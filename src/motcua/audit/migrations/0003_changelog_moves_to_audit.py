"""The configuration change log moves from the administration app to audit (its rows, ids and seals
are kept: the model takes over the existing table in the state, then the table is renamed)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_changelog_seal"),
        ("administration", "0002_changelog_security_actions"),
        ("agencies", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, help_text="Khi thay đổi được lưu.", verbose_name="thời điểm")),
                        ("object_type", models.CharField(help_text="Nhãn mô hình, ví dụ «catalog.component».", max_length=100, verbose_name="loại đối tượng")),
                        ("object_id", models.CharField(help_text="Khóa chính của đối tượng.", max_length=64, verbose_name="mã đối tượng")),
                        ("object_repr", models.CharField(help_text="Tên đối tượng khi thay đổi.", max_length=500, verbose_name="đối tượng")),
                        ("action", models.CharField(choices=[("create", "Tạo mới"), ("update", "Sửa"), ("delete", "Xóa"), ("reorder", "Sắp xếp lại"), ("publish", "Công bố"), ("retire", "Ngừng áp dụng"), ("import", "Nhập"), ("confirm", "Xác nhận"), ("revoke", "Thu hồi"), ("lock", "Tạm khóa đăng nhập"), ("unlock", "Mở khóa đăng nhập")], max_length=20, verbose_name="thao tác")),
                        ("before", models.JSONField(blank=True, help_text="Các trường của đối tượng trước thay đổi (trống khi tạo mới).", null=True, verbose_name="trước")),
                        ("after", models.JSONField(blank=True, help_text="Các trường của đối tượng sau thay đổi (trống khi xóa).", null=True, verbose_name="sau")),
                        ("note", models.CharField(blank=True, help_text="Lý do hoặc mô tả thêm.", max_length=500, verbose_name="ghi chú")),
                        ("actor", models.ForeignKey(blank=True, help_text="Trống khi thay đổi do hệ thống thực hiện (lệnh, công việc nền).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="người thay đổi")),
                        ("agency", models.ForeignKey(blank=True, help_text="Cơ quan sở hữu đối tượng được thay đổi (để lọc theo đơn vị).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="agencies.agency", verbose_name="cơ quan")),
                    ],
                    options={
                        "verbose_name": "nhật ký thay đổi cấu hình",
                        "verbose_name_plural": "nhật ký thay đổi cấu hình",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["object_type", "object_id"], name="changelog_object")],
                        "db_table": "administration_changelog",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="changelog", table=None),
    ]
