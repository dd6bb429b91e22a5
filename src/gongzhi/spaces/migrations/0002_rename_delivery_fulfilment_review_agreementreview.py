"""Glossary renames: `Delivery` is now `Fulfilment` (履约记录: `delivery` is the renewal works' app)
and `Review` is now `AgreementReview` (年度评估: the talent pool has its own reviews).

The tables keep their names (`spaces_delivery`, `spaces_review`): each table name is pinned first
(a no-op on the database, it is the name the table already has), so the renames change the models'
names only. The obligation's related name becomes `fulfilments` (no database change).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("spaces", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="delivery", table="spaces_delivery"),
        migrations.RenameModel(old_name="Delivery", new_name="Fulfilment"),
        migrations.AlterField(
            model_name="fulfilment",
            name="obligation",
            field=models.ForeignKey(on_delete=models.CASCADE, related_name="fulfilments", to="spaces.obligation"),
        ),
        migrations.AlterModelTable(name="review", table="spaces_review"),
        migrations.RenameModel(old_name="Review", new_name="AgreementReview"),
    ]
