"""A real SMTP server on the loopback interface for the tests (aiosmtpd, in a thread), which
keeps what it receives and can hold one recipient's conversation at RCPT or after DATA, so a
test can kill the sending worker at that exact point."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Received:
    rcpt: list[str]
    message: email.message.EmailMessage


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    hold: dict[str, str] = field(default_factory=dict)  # recipient -> "RCPT" or "DATA", held once
    reached: set[str] = field(default_factory=set)  # "RCPT:addr" / "DATA:addr" once held there
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def _hold(self, stage: str, address: str) -> None:
        if self.hold.get(address) != stage:
            return
        del self.hold[address]
        with self.lock:
            self.reached.add(f"{stage}:{address}")
        while not self.release.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        await self._hold("RCPT", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(rcpt=list(envelope.rcpt_tos), message=message))
        for address in envelope.rcpt_tos:
            await self._hold("DATA", address)  # the message is here; the 250 is not sent yet
        return "250 Message accepted for delivery"

    def count(self, address: str) -> int:
        with self.lock:
            return sum(address in r.rcpt for r in self.received)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalSmtp:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> LocalSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.handler.release.set()
        self.controller.stop()
