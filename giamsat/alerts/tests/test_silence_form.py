"""A silence's dates are typed dd/mm/yyyy (no browser date picker in the user's locale order)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.alerts.models import Silence

pytestmark = pytest.mark.django_db


def test_silence_dates_typed_as_dd_mm_yyyy():
    client = Client()
    client.force_login(User.objects.get(username="ministry.leader"))
    page = client.get("/alerts/silences/").content.decode()
    assert 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    response = client.post(
        "/alerts/silences/", {"starts": "24/12/2026", "ends": "02/01/2027", "reason": "Nghỉ Tết dương lịch"}
    )
    assert response.status_code in (200, 302)
    silence = Silence.objects.get(reason="Nghỉ Tết dương lịch")
    assert timezone.localtime(silence.starts_at).date() == dt.date(2026, 12, 24)
    assert timezone.localtime(silence.ends_at).date() in (dt.date(2027, 1, 2), dt.date(2027, 1, 3))  # through 02/01
