"""Glossary renames in the talent pool, keeping every row: `Pool` is now `TalentPool` (人才库),
`Category` is `PoolCategory` (人才库类别), `Unit` is `Organisation` (推荐单位) and `Review` is
`RerankReview` (动态调整).

RenameModel renames the tables too (talent_pool → talent_talentpool and so on, with the
many-to-many tables and their columns); the `unit` foreign keys become `organisation` (column
`organisation_id`), the contact people's related name on the user becomes `talent_organisations`,
and feedback given for an organisation is stored as respondent "organisation" (was "unit").
"""

from django.conf import settings
from django.db import migrations, models


def _respondent(old, new):
    def run(apps, schema_editor):
        apps.get_model("talent", "Feedback").objects.filter(respondent=old).update(respondent=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0002_talent_import_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="Unit", new_name="Organisation"),
        migrations.RenameModel(old_name="Pool", new_name="TalentPool"),
        migrations.RenameModel(old_name="Category", new_name="PoolCategory"),
        migrations.RenameModel(old_name="Review", new_name="RerankReview"),
        migrations.RenameField(model_name="cadre", old_name="unit", new_name="organisation"),
        migrations.RenameField(model_name="nomination", old_name="unit", new_name="organisation"),
        migrations.RenameField(model_name="awardnomination", old_name="unit", new_name="organisation"),
        migrations.RenameField(model_name="feedback", old_name="unit", new_name="organisation"),
        migrations.AlterField(
            model_name="organisation",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                related_name="talent_organisations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="单位联络人",
            ),
        ),
        migrations.AlterField(
            model_name="feedback",
            name="respondent",
            field=models.CharField(
                choices=[("participant", "学员"), ("organisation", "所在单位")], max_length=12, verbose_name="评价人"
            ),
        ),
        migrations.RunPython(_respondent("unit", "organisation"), _respondent("organisation", "unit")),
    ]
