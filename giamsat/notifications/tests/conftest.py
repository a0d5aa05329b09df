import datetime as dt

import pytest
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.notifications.channels import FakeChannel, channel_register, channels_active
from giamsat.notifications.registry import kind_register


@pytest.fixture
def fake_channel(settings):
    """The fake channel as the only outside channel (it reaches every user by username)."""
    channel = FakeChannel()
    channel_register(channel)
    settings.NOTIFICATIONS_CHANNELS = ["fake"]
    settings.NOTIFICATIONS_SEND = "off"
    assert channels_active() == [channel]
    return channel


@pytest.fixture
def kind():
    """A kind registered by a test, as another app would register its own."""
    return kind_register("TEST_KIND", "Thông báo thử").code


@pytest.fixture
def people(db):
    return {u.username: u for u in User.objects.all()}


def local(*args) -> dt.datetime:
    """An aware datetime in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(dt.datetime(*args))
