from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "gongzhi.suggestions"
    label = "suggestions"
    verbose_name = _("社情民意")
