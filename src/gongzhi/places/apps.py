from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "gongzhi.places"
    label = "places"
    verbose_name = _("区域与房屋")

    def ready(self) -> None:
        # Register the django-rules permissions `places.<action>` (user.has_perm) once, at start-up,
        # rather than as a side effect of whichever module first imported places.rules.
        from gongzhi.places import rules  # noqa: F401
