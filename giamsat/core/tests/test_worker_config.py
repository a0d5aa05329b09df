"""Huey runs on SQLite by default and on Redis when REDIS_URL is set (real Redis, 127.0.0.1)."""

import os
import socket
import subprocess
import sys

import pytest

PROBE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
django.setup()
from huey.contrib.djhuey import HUEY
print(type(HUEY.storage).__name__)
# A round trip through the configured storage: enqueue, dequeue, run.
@HUEY.task()
def add(a, b):
    return a + b
HUEY.flush()
result = add(2, 3)
task = HUEY.dequeue()
HUEY.execute(task)
print(result.get())
HUEY.flush()
"""


def run_probe(tmp_path, **env):
    environment = {**os.environ, "GIAMSAT_VAR_DIR": str(tmp_path), **env}
    environment.pop("DATABASE_URL", None)
    output = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return output.stdout.split()


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_huey_uses_sqlite_by_default(tmp_path):
    assert run_probe(tmp_path, REDIS_URL="") == ["SqliteStorage", "5"]


def test_huey_uses_redis_when_configured(tmp_path):
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    assert run_probe(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15") == ["PriorityRedisStorage", "5"]
