from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "gongzhi.renewals"
    label = "renewals"
    verbose_name = _("电梯更新")

    def ready(self) -> None:
        from gongzhi.renewals.signals import install_known_rules

        post_migrate.connect(install_known_rules, sender=self)
