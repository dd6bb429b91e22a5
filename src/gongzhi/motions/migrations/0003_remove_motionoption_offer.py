"""Drop MotionOption.offer: renewals.OptionOffer holds the link now (issue 14), filled from this
column by renewals 0005 before it goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("motions", "0002_motion_kind_and_options"),
        ("renewals", "0005_option_offer"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="motionoption",
            name="offer",
        ),
    ]
