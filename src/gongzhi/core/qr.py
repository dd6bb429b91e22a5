"""QR codes for printed notices and sheets (segno, no network), and the public address they carry.

Every paper that points to a page online uses them: voting sheets and result notices (motions),
meeting sign-in posters (meetings), quarterly ledger statements (ledgers). Hangzhou 物业管理条例
(2021) Art. 20 makes electronic voting the norm while paper ballots stay available: the printed
sheet carries both, and the QR code is the bridge from paper to phone.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

QR_SCALE = 3  # 3 px per module: about 3 cm wide on paper for a link of ~50 characters


def qr_svg(url: str, *, scale: int = QR_SCALE) -> SafeString:
    """An inline <svg> of `url` (error correction M survives a crease or a smudge on a posted sheet).

    Safe to mark safe: the markup is segno's own, and the URL is encoded as modules, never as text."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, title=None, desc=None)
    return mark_safe(svg)  # noqa: S308 - segno output only, no user text inside


def absolute_url(request: HttpRequest, path: str) -> str:
    """The address printed on paper: settings.GONGZHI_PUBLIC_URL when set (the server behind a
    reverse proxy may not know its public name), else the one the request came in on."""
    base = str(getattr(settings, "GONGZHI_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path)
