from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "gongzhi.workdays"
    label = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from gongzhi.workdays.signals import install_shipped_calendar

        post_migrate.connect(install_shipped_calendar, sender=self)
