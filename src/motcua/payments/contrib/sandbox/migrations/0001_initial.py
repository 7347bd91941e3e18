# SandboxTransaction as it was in payments.0001_initial; the table was created there and is kept
# (db_table), so this only tells Django's state where the model now lives.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('payments', '0002_sandbox_moves_to_contrib'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SandboxTransaction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(help_text='Mã trang thanh toán (ngẫu nhiên).', max_length=40, unique=True)),
                        ('tmn_code', models.CharField(max_length=20)),
                        ('txn_ref', models.CharField(max_length=100)),
                        ('amount', models.PositiveBigIntegerField(help_text='vnp_Amount: số tiền × 100.')),
                        ('order_info', models.CharField(max_length=255)),
                        ('return_url', models.TextField()),
                        ('create_date', models.CharField(help_text='vnp_CreateDate của yêu cầu.', max_length=14)),
                        ('expire_at', models.DateTimeField()),
                        ('state', models.CharField(choices=[('pending', 'Chờ thanh toán'), ('paid', 'Thành công'), ('cancelled', 'Khách hàng hủy'), ('failed', 'Không thành công'), ('expired', 'Hết hạn')], default='pending', max_length=10)),
                        ('response_code', models.CharField(blank=True, max_length=2)),
                        ('transaction_status', models.CharField(blank=True, max_length=2)),
                        ('transaction_no', models.CharField(blank=True, max_length=20)),
                        ('bank_code', models.CharField(blank=True, max_length=20)),
                        ('pay_date', models.CharField(blank=True, max_length=14)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        'verbose_name': 'giao dịch cổng thử nghiệm',
                        'verbose_name_plural': 'giao dịch cổng thử nghiệm',
                        'db_table': 'payments_sandboxtransaction',
                        'constraints': [models.UniqueConstraint(fields=('tmn_code', 'txn_ref'), name='uniq_sandbox_txn')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
