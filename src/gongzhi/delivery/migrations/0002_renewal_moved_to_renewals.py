"""The second half of moving Renewal into renewals (issue 14; renewals 0006 is the first). Django's
state only: RenewalStage.renewal now points at renewals.Renewal, whose table is still
delivery_renewal, so the column and its foreign key constraint stay exactly as they are; then
delivery.Renewal leaves the state (its table is renewals.Renewal's now and must not be dropped)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_initial"),
        ("renewals", "0006_renewal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="renewalstage",
                    name="renewal",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stages",
                        to="renewals.renewal",
                    ),
                ),
                migrations.DeleteModel(name="Renewal"),
            ],
        ),
    ]
