from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: the pages a user lands on (the dashboard of their scope, the way to a talent
    pool, the community-affairs hub). It reads every app below it and none of them reads it."""

    name = "gongzhi.portal"
    label = "portal"
    verbose_name = _("门户")
