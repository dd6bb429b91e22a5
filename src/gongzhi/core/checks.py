"""The deployment's secrets: a warning when the server starts, and a `check --deploy` check.

The development defaults of SECRET_KEY and of the owner-id hash key are public in the repository:
with SECRET_KEY anyone can derive every owner's personal voting link (motions.codes.voter_token)
and forge sessions; with the hash key anyone can test identity numbers against the registry's
hashes. Development and the demo may use them, but say so every time the web application starts
(config/asgi.py and wsgi.py log `development_secrets_check`'s findings) and in `gongzhi check --deploy`;
production settings refuse them (config/production.py). The check is a deploy check so that the
command-line tools (`gongzhi tally`, `due-date`, …), whose stderr carries exactly one line on bad
input, stay quiet.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.utils.translation import gettext as _

DEV_SECRET_KEY_ID = "gongzhi.W001"  # noqa: S105 - a check id, not a secret
DEV_HASH_KEY_ID = "gongzhi.W002"


@register(Tags.security, deploy=True)
def development_secrets_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # The public development values are settings too (config/settings.py), read through Django's
    # settings so that the ground floor does not import the configuration above it.
    dev_secret_key = str(getattr(settings, "DEV_SECRET_KEY", ""))
    dev_hash_key = getattr(settings, "DEV_OWNER_ID_HASH_KEY", None)
    found: list[CheckMessage] = []
    if dev_secret_key and dev_secret_key in str(settings.SECRET_KEY):
        found.append(
            Warning(
                _("正在使用开发用 SECRET_KEY：它是公开的，任何人都能推算出业主的表决链接。"),
                hint=_("开发和演示以外的环境请把 GONGZHI_SECRET_KEY 设为至少 50 个随机字符。"),
                id=DEV_SECRET_KEY_ID,
            )
        )
    if dev_hash_key is not None and getattr(settings, "OWNER_ID_HASH_KEY", None) == dev_hash_key:
        found.append(
            Warning(
                _("正在使用开发用的身份证号哈希密钥：它是公开的，任何人都能拿身份证号比对登记册中的哈希。"),
                hint=_("开发和演示以外的环境请把 GONGZHI_OWNER_ID_PEPPER 设为随机的秘密值。"),
                id=DEV_HASH_KEY_ID,
            )
        )
    return found


def log_development_secrets() -> None:
    """Log each finding of the check at WARNING (shown on the console of `gongzhi demo` and uvicorn)."""
    logger = logging.getLogger("gongzhi.security")
    for message in development_secrets_check():
        logger.warning("%s (%s) %s", message.msg, message.id, message.hint or "")
