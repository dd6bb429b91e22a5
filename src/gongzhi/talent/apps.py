from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "gongzhi.talent"
    label = "talent"
    verbose_name = _("青年干部人才库")
