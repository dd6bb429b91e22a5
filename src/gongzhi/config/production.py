"""Production settings: the base settings hardened for `manage.py check --deploy`.

Secrets come from the environment only; the process refuses to start without them.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from gongzhi.config.settings import *  # noqa: F403
from gongzhi.config.settings import DEV_OWNER_ID_HASH_KEY, DEV_SECRET_KEY, env_bool, env_list

DEBUG = False
# The development defaults are public in the repository: whoever knows SECRET_KEY can forge every
# owner's voting link (motions.codes.voter_token) and session; whoever knows the hash key can test
# identity numbers against the registry's hashes. Refuse them outright.
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or DEV_SECRET_KEY in SECRET_KEY:
    raise ImproperlyConfigured(
        "GONGZHI_SECRET_KEY must be set to at least 50 random characters (not the development key)."
    )
OWNER_ID_HASH_KEY = os.environ.get("GONGZHI_OWNER_ID_PEPPER", "")
if not OWNER_ID_HASH_KEY or OWNER_ID_HASH_KEY == DEV_OWNER_ID_HASH_KEY:
    raise ImproperlyConfigured("GONGZHI_OWNER_ID_PEPPER must be set (not the development value).")
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("GONGZHI_CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("GONGZHI_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
