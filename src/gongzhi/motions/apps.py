from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MotionsConfig(AppConfig):
    name = "gongzhi.motions"
    label = "motions"
    verbose_name = _("业主表决")
