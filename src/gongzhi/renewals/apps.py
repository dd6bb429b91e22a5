from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RenewalsConfig(AppConfig):
    name = "gongzhi.renewals"
    label = "renewals"
    verbose_name = _("电梯更新")

    def ready(self) -> None:
        from gongzhi.motions import hooks
        from gongzhi.renewals.selectors import consultation_motion_ids, option_offers_of
        from gongzhi.renewals.services import offers_lock_for_motion
        from gongzhi.renewals.signals import install_known_rules
        from gongzhi.renewals.vote_panels import vote_panels

        post_migrate.connect(install_known_rules, sender=self)
        # What renewals adds to the vote engine below it (issue 14: motions never imports renewals).
        hooks.register_motion_opening(offers_lock_for_motion)
        hooks.register_motion_group(consultation_motion_ids)
        hooks.register_option_offers(option_offers_of)
        hooks.register_vote_panel(vote_panels)
