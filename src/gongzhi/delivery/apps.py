from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "gongzhi.delivery"
    label = "delivery"
    verbose_name = _("更新实施")
