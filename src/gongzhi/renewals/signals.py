"""Install the known subsidy rules after migrations (renewals.services.subsidy_rules_install_known)."""

from __future__ import annotations

from typing import Any


def install_known_rules(sender: Any, **kwargs: Any) -> None:
    from gongzhi.renewals.services import subsidy_rules_install_known

    subsidy_rules_install_known()
