"""The demo history evaluated, for the tests that replay what a leader sees on the demo data."""

import datetime as dt

import pytest

from giamsat.accounts.models import User
from giamsat.catalog.services import catalog_load
from giamsat.evaluation.models import ElementFigure, GroupIndicatorValue, IndexValue, IndicatorValue
from giamsat.evaluation.services import evaluation_recompute
from giamsat.reporting import demo

DEMO_FIRST = dt.date(2024, 10, 1)
DEMO_LAST = dt.date(2025, 9, 30)
DEMO_TODAY = dt.date(2025, 10, 15)


@pytest.fixture(scope="module")
def demo_evaluated(django_db_setup, django_db_blocker):
    """The demo history of October 2024 to September 2025 (across the merger), evaluated for
    2024 and 2025; committed for the module (mark it xdist_group("demo_history")) and removed
    when the module ends."""
    with django_db_blocker.unblock():
        catalog_load()
        demo.demo_model.cache_clear()
        had_user = User.objects.filter(username=demo.SYSTEM_USERNAME).exists()
        demo.demo_history_load(first=DEMO_FIRST, last=DEMO_LAST, today=DEMO_TODAY)
        summary = evaluation_recompute(years=[2024, 2025])
        try:
            yield summary
        finally:
            for model in (IndexValue, IndicatorValue, GroupIndicatorValue, ElementFigure):
                model.objects.all().delete()
            demo.demo_history_reset()
            if not had_user:
                User.objects.filter(username=demo.SYSTEM_USERNAME).delete()
