"""The client's address, as far as this server can know it.

Every rate limit (login throttling through django-axes, the meeting sign-in, …) counts per
client address, and all of them take it from `client_ip`. Behind a reverse proxy REMOTE_ADDR is
the proxy's address for every visitor, so a limit counted on it would lock out everyone at once;
the proxy passes the visitor's address in a header instead. A header is only a claim, though:
anyone can send `X-Forwarded-For: 1.2.3.4`. So the header is believed only when the settings name
it (GONGZHI_CLIENT_IP_HEADER) and the request really came from one of the proxies the settings
trust (GONGZHI_TRUSTED_PROXIES, addresses or CIDR networks). The header is then read from the
right, where each trusted proxy appended the address of the peer it saw, skipping the trusted
proxies themselves: the first address that is not one of ours is the client (everything to its
left was written by the client or by proxies we do not control, and may be forged).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.7`, `203.0.113.7:51234`, `[2001:db8::1]:443`,
    `2001:db8::1`), IPv4-mapped IPv6 turned into IPv4; None for anything else."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def trusted_networks(entries: Iterable[str]) -> list[IPNetwork]:
    """GONGZHI_TRUSTED_PROXIES parsed: each entry an address (a /32 or /128) or a CIDR network.
    A malformed entry raises ValueError: a typo must not silently trust nobody (or everybody)."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _trusted(address: IPAddress, networks: list[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def header_meta_key(header: str) -> str:
    """`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`, the name under which Django keeps it."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy and the configured header
    names the client (see the module docstring). Returns "" when no address is known (REMOTE_ADDR
    missing or malformed, as with some test clients)."""
    peer = parse_address(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return ""
    header = str(getattr(settings, "GONGZHI_CLIENT_IP_HEADER", "") or "")
    networks = trusted_networks(getattr(settings, "GONGZHI_TRUSTED_PROXIES", []) or [])
    if not header or not networks or not _trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(str(request.META.get(header_meta_key(header), "")).split(",")):
        hop = parse_address(entry)
        if hop is None:
            break  # garbage can only come from beyond our proxies: the last good hop stands
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)
