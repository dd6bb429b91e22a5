from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElevatorsConfig(AppConfig):
    name = "gongzhi.elevators"
    label = "elevators"
    verbose_name = _("电梯")
