"""Move the link from a motion's option to the offer it stands for out of motions into renewals
(issue 14: the vote engine knows options, not offers). This migration creates OptionOffer and
copies every motions_motionoption.offer_id into it; motions 0003 then drops the old column.
Backwards, the links are copied back before the table goes."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def copy_links_forward(apps, schema_editor):
    MotionOption = apps.get_model("motions", "MotionOption")
    OptionOffer = apps.get_model("renewals", "OptionOffer")
    db = schema_editor.connection.alias
    rows = MotionOption.objects.using(db).filter(offer__isnull=False).order_by("pk").values_list("pk", "offer_id")
    OptionOffer.objects.using(db).bulk_create(
        [OptionOffer(option_id=option_id, offer_id=offer_id) for option_id, offer_id in rows.iterator()],
        batch_size=BATCH,
    )


def copy_links_backward(apps, schema_editor):
    MotionOption = apps.get_model("motions", "MotionOption")
    OptionOffer = apps.get_model("renewals", "OptionOffer")
    db = schema_editor.connection.alias
    options = []
    for option_id, offer_id in OptionOffer.objects.using(db).order_by("option_id").values_list("option_id", "offer_id"):
        options.append(MotionOption(pk=option_id, offer_id=offer_id))
    MotionOption.objects.using(db).bulk_update(options, ["offer"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0002_motion_kind_and_options"),
        ("renewals", "0004_maintenance_fund_balance"),
    ]

    operations = [
        migrations.CreateModel(
            name="OptionOffer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "offer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="renewals.offer",
                        verbose_name="报价",
                    ),
                ),
                (
                    "option",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offer_link",
                        to="motions.motionoption",
                    ),
                ),
            ],
            options={
                "verbose_name": "方案报价",
                "verbose_name_plural": "方案报价",
            },
        ),
        migrations.RunPython(copy_links_forward, copy_links_backward),
    ]
