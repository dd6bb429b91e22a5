"""Move Renewal from delivery into renewals (issue 14: delivery sits above renewals, and a renewal
is the consultation's outcome, not the works). Django's state only: the table keeps its name,
delivery_renewal, so no row is copied and no foreign key is rewritten. Delivery 0002 then points
RenewalStage.renewal here and drops delivery.Renewal from the state.

The content type row (delivery, renewal) becomes (renewals, renewal), so the permissions attached
to it (and anything else that refers to it by id) keep pointing at the same model.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MODEL = "renewal"


def _move_content_type(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    row = ContentType.objects.using(db).filter(app_label=source, model=MODEL).first()
    if row is None:
        return  # a new database: post_migrate creates the row at the model's new home
    # A row at the target exists only if post_migrate made it after an earlier migration back and
    # forth. It holds nothing but the default permissions made with it; the row kept is the old
    # one, which carries any permission granted to users and groups.
    ContentType.objects.using(db).filter(app_label=target, model=MODEL).delete()
    row.app_label = target
    row.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def content_type_forward(apps, schema_editor):
    _move_content_type(apps, schema_editor, "delivery", "renewals")


def content_type_backward(apps, schema_editor):
    _move_content_type(apps, schema_editor, "renewals", "delivery")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("delivery", "0001_initial"),
        ("elevators", "0002_campaign_entry_rank_index"),
        ("renewals", "0005_option_offer"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Renewal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "works_days",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="施工工期(天)",
                            ),
                        ),
                        (
                            "current_stage",
                            models.CharField(
                                choices=[
                                    ("proposal", "提出申请"),
                                    ("assessment", "安全评估"),
                                    ("plan", "更新方案"),
                                    ("decision", "业主表决"),
                                    ("contract", "签订合同"),
                                    ("notice", "施工告知"),
                                    ("construction", "拆除与安装"),
                                    ("inspection", "监督检验"),
                                    ("registration", "使用登记"),
                                    ("maintenance", "维保移交"),
                                    ("in_service", "恢复使用"),
                                    ("subsidy", "补助拨付"),
                                ],
                                default="proposal",
                                max_length=16,
                                verbose_name="当前阶段",
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="进度(%)")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="renewals",
                                to="elevators.campaign",
                            ),
                        ),
                        (
                            "elevator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="renewals",
                                to="elevators.elevator",
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="renewals.offer",
                            ),
                        ),
                        (
                            "vendor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="renewals",
                                to="renewals.vendor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "电梯更新",
                        "verbose_name_plural": "电梯更新",
                        # The table delivery 0001 created; renaming it would gain nothing.
                        "db_table": "delivery_renewal",
                        "ordering": ["campaign_id", "elevator__device_code"],
                        # The index's name was derived from the table's name, which is unchanged.
                        "indexes": [
                            models.Index(fields=["campaign", "current_stage"], name="delivery_re_campaig_85c79e_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("campaign", "elevator"), name="renewal_unique_elevator")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_forward, content_type_backward),
    ]
