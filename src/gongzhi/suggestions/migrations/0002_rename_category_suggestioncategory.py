"""Glossary rename (诉求类别): the model `Category` is now `SuggestionCategory`.

The table keeps its name `suggestions_category`: the table name is pinned first (a no-op on the
database, it is the name the table already has), so the rename changes the model's name only.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="category", table="suggestions_category"),
        migrations.RenameModel(old_name="Category", new_name="SuggestionCategory"),
    ]
