"""Delivering voters' one-time codes, and the secrets behind personal voting links.

The sender is pluggable (settings.GONGZHI_CODE_SENDER, a dotted path to a class with
`send(phone, message)`): in development the console sender prints the code; a deployment
plugs in its SMS gateway. Tests use MemorySender to read what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class CodeSender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSender:
    """Prints the message on the server's console (development and the demo): one line on the
    process's standard output, which `gongzhi demo` and `runserver` show in their terminal, so the
    person trying the demo reads the code there and types it into the voting page."""

    def send(self, phone: str, message: str) -> None:
        sys.stdout.write(f"[短信（控制台）] 发往 {phone}：{message}\n")
        sys.stdout.flush()


@dataclass
class SentMessage:
    phone: str
    message: str


class MemorySender:
    """Keeps messages in memory (tests)."""

    outbox: list[SentMessage] = []  # noqa: RUF012 - deliberately shared: the class is the mailbox

    def send(self, phone: str, message: str) -> None:
        MemorySender.outbox.append(SentMessage(phone, message))


def sender() -> CodeSender:
    cls = import_string(settings.GONGZHI_CODE_SENDER)
    instance: CodeSender = cls()
    return instance


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def voter_token(voter_id: int, motion_public_id: str) -> str:
    """The secret of a voter's personal link, derived (not stored) so notices can be reprinted.

    Only its SHA-256 is stored; the key is the deployment's SECRET_KEY, so a database leak alone
    does not reveal the links."""
    key = hashlib.sha256(f"gongzhi-voter-link:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, f"{motion_public_id}:{voter_id}".encode(), hashlib.sha256).hexdigest()
    return mac[:32]


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
