"""Outside channels behind one small interface. E-mail now; an SMS gateway or a messenger later
is one more class here. The in-app inbox is not a channel: it is the Notification row itself.

A channel calls `handed()` just before the step after which the message may have reached the
other side (for SMTP: before the final "." of DATA). services.delivery_send records that step,
so after a crash it knows whether a message can be sent again without a duplicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address


@dataclass(frozen=True)
class OutgoingMessage:
    address: str
    subject: str
    text: str
    html: str = ""
    message_id: str = ""  # the same on every attempt, so a receiver may drop a repeat


class ChannelRefused(Exception):
    """The channel answered that it did not take the message: nothing arrived, try again later
    (`permanent`: never, e.g. an address the server rejects)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    code: str

    def address_for(self, user) -> str | None:
        """Where this user is reached through the channel; None when they cannot be."""

    def send(self, message: OutgoingMessage, *, handed: Callable[[], None]) -> None:
        """Deliver the message; call `handed()` right before the point of no return."""


_DOT = re.compile(rb"(?m)^\.")


class EmailChannel:
    """E-mail through Django's configured backend (console in development, SMTP when EMAIL_HOST
    is set). On SMTP, the conversation is driven here so that the message's body is on the wire
    before `handed()` and only the final "." after it: a crash before the dot leaves the server
    with an incomplete message it discards."""

    code = "email"

    def address_for(self, user) -> str | None:
        return user.email or None

    def _email(self, message: OutgoingMessage) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": message.message_id} if message.message_id else None,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    def send(self, message: OutgoingMessage, *, handed: Callable[[], None]) -> None:
        email = self._email(message)
        backend = get_connection(timeout=settings.NOTIFICATIONS_SMTP_TIMEOUT)
        if not isinstance(backend, SmtpBackend):
            handed()
            backend.send_messages([email])
            return
        backend.open()
        conn = backend.connection
        in_data = False
        try:
            encoding = email.encoding or settings.DEFAULT_CHARSET
            sender = sanitize_address(email.from_email, encoding)
            recipients = [sanitize_address(address, encoding) for address in email.recipients()]
            payload = email.message().as_bytes(linesep="\r\n")
            conn.ehlo_or_helo_if_needed()
            code, reply = conn.mail(sender)
            if code != 250:
                raise ChannelRefused(f"MAIL FROM: {code} {reply!r}", permanent=500 <= code < 600)
            for recipient in recipients:
                code, reply = conn.rcpt(recipient)
                if code not in (250, 251):
                    raise ChannelRefused(f"RCPT TO: {code} {reply!r}", permanent=500 <= code < 600)
            code, reply = conn.docmd("data")
            if code != 354:
                raise ChannelRefused(f"DATA: {code} {reply!r}")
            in_data = True
            body = _DOT.sub(b"..", payload)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            conn.send(body)
            handed()
            conn.send(b".\r\n")
            code, reply = conn.getreply()
            in_data = False
            if code != 250:
                raise ChannelRefused(f"end of DATA: {code} {reply!r}", permanent=500 <= code < 600)
        finally:
            if in_data:
                conn.close()  # no QUIT in the middle of DATA: it would be read as the message
                backend.connection = None
            else:
                backend.close()


@dataclass
class FakeChannel:
    """For tests: keeps what it is given; can fail before or after the hand-over."""

    code: str = "fake"
    sent: list[OutgoingMessage] = field(default_factory=list)
    refuse: bool = False
    crash_after_handed: bool = False

    def address_for(self, user) -> str | None:
        return user.username

    def send(self, message: OutgoingMessage, *, handed: Callable[[], None]) -> None:
        if self.refuse:
            raise ChannelRefused("refused by the fake channel")
        handed()
        if self.crash_after_handed:
            raise ConnectionResetError("the fake channel lost the connection")
        self.sent.append(message)


_channels: dict[str, Channel] = {}


def channel_register(channel: Channel) -> Channel:
    _channels[channel.code] = channel
    return channel


def channel_get(code: str) -> Channel | None:
    return _channels.get(code)


def channels_active() -> list[Channel]:
    """The outside channels this deployment uses (settings.NOTIFICATIONS_CHANNELS)."""
    return [_channels[code] for code in settings.NOTIFICATIONS_CHANNELS if code in _channels]


channel_register(EmailChannel())
