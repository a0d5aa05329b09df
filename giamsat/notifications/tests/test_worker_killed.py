"""Exactly one e-mail per recipient when the worker sending a digest is killed (SIGKILL) in the
middle and started again: a real local SMTP server and real `manage.py run_huey` processes.

The server holds one recipient's conversation at a chosen point, the test kills the worker
there, and a new worker takes over:
1. killed after recipient 2's whole message reached the server, before its "250" (the window
   SMTP cannot close): the message arrived, and it is not sent again (UNCERTAIN);
2. killed while recipient 3's conversation was at RCPT (nothing handed over): sent again;
3. a third worker finishes. Every recipient has exactly one digest."""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from giamsat.accounts.models import User
from giamsat.notifications.choices import DeliveryStatus
from giamsat.notifications.models import Delivery, DigestRun, Notification
from giamsat.notifications.services import notification_send
from giamsat.notifications.tasks import digests_make_task

from .smtp import LocalSmtp

pytestmark = pytest.mark.xdist_group("worker")

ROOT = Path(settings.BASE_DIR)
DAY = dt.date(2026, 12, 8)
ADDRESSES = [f"nguoinhan{i}@so.hanoi.gov.vn" for i in (1, 2, 3)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(var_dir: str, smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "GIAMSAT_VAR_DIR": var_dir,  # Huey's store: the same file the test queues into
        "REDIS_URL": "",
        "EVENTS_DISPATCH": "off",
        "NOTIFICATIONS_SEND": "off",
        "NOTIFICATIONS_CHANNELS": "email",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "false",
        "DB_CONN_MAX_AGE": "0",
        "PYTEST_XDIST_WORKER": "",  # the queue store named above, not the test worker's own
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _status(address: str) -> str:
    return Delivery.objects.get(user__email=address, channel="email").status


@pytest.fixture
def queue_store():
    """Huey's store in a folder of its own, shared with the worker processes."""
    folder = tempfile.mkdtemp(prefix="giamsat-digest-killed-")
    previous = HUEY.storage
    HUEY.storage = SqliteStorage(name="giamsat", filename=str(Path(folder) / "huey.sqlite3"))
    try:
        yield folder
    finally:
        HUEY.storage = previous


def test_a_worker_killed_while_sending_a_digest(django_db_setup, django_db_blocker, queue_store):
    with django_db_blocker.unblock(), LocalSmtp() as smtp:
        users = []
        try:
            for index, address in enumerate(ADDRESSES, start=1):
                user = User.objects.create_user(username=f"nguoinhan{index}", email=address, password=None)
                users.append(user)
                for n in range(2):
                    notification_send(
                        user=user,
                        kind="DEADLINE_REMINDER",
                        title=f"Báo cáo {n + 1} sắp đến hạn",
                        link="/reports/",
                        key=f"killed-test:{n}",
                    )
            hold = smtp.handler
            hold.hold = {ADDRESSES[1]: "DATA", ADDRESSES[2]: "RCPT"}

            # 1. Killed once recipient 2's message is on the server, before its 250.
            digests_make_task("DAILY", DAY.isoformat())
            first = _worker(queue_store, smtp.port)
            try:
                _wait(lambda: f"DATA:{ADDRESSES[1]}" in hold.reached, 90, "recipient 2's message on the server")
            finally:
                _kill(first)
            assert [_status(a) for a in ADDRESSES] == [DeliveryStatus.SENT, DeliveryStatus.HANDED, "PENDING"]

            # 2. A new worker: recipient 2 is not sent again; killed at recipient 3's RCPT.
            digests_make_task("DAILY", DAY.isoformat())  # as the minute's sweep would
            second = _worker(queue_store, smtp.port)
            try:
                _wait(lambda: f"RCPT:{ADDRESSES[2]}" in hold.reached, 60, "recipient 3's RCPT")
            finally:
                _kill(second)
            assert [_status(a) for a in ADDRESSES] == [
                DeliveryStatus.SENT,
                DeliveryStatus.UNCERTAIN,
                DeliveryStatus.CLAIMED,
            ]
            hold.release.set()  # the held conversations end (their client is gone)

            # 3. A third worker sends what was never handed over.
            digests_make_task("DAILY", DAY.isoformat())
            third = _worker(queue_store, smtp.port)
            try:
                _wait(lambda: _status(ADDRESSES[2]) == DeliveryStatus.SENT, 60, "recipient 3's digest")
            finally:
                third.terminate()
                third.wait(timeout=30)

            assert [hold.count(a) for a in ADDRESSES] == [1, 1, 1]
            for received in hold.received:
                assert received.message["Subject"].strip() == "[GiamSat] Tóm tắt thông báo ngày 08/12/2026: 2 thông báo"
                text = received.message.get_body(preferencelist=("plain",)).get_content()
                assert "Báo cáo 1 sắp đến hạn" in text and "Báo cáo 2 sắp đến hạn" in text
            assert Delivery.objects.filter(user__in=users).count() == 3  # one per recipient, ever
        finally:
            Notification.objects.filter(user__in=users).delete()
            User.objects.filter(pk__in=[u.pk for u in users]).delete()
            DigestRun.objects.filter(period=DAY.isoformat()).delete()
