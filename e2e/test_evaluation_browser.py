"""Submit → evaluate → scorecard, with a real Huey consumer running in the background.

Province A's fibre households are raised above the 80 % target through the data exchange API;
the value service hands the change to the worker after commit, the worker refreshes the
results, and the scorecard the leader is looking at shows the new status, score and rank on
reload. How fast is measured in bench/evaluation_benchmark.py, not here.
"""

import json
import re
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage
from playwright.sync_api import expect

from giamsat.accounts.models import User
from giamsat.accounts.services import token_create
from giamsat.catalog.models import DataElement
from giamsat.evaluation.models import ElementFigure, IndexValue, IndicatorValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue, DataValueAudit
from giamsat.reporting.services import ValueInput, data_values_write, period_get

from .helpers import sign_in

pytestmark = pytest.mark.xdist_group("browser")

PERIOD = "2026Q3"


@pytest.fixture
def worker(django_db_blocker):
    """A Huey consumer (one thread) on a storage of its own, with refreshes sent to it."""
    previous_storage, previous_mode = HUEY.storage, settings.EVENTS_DISPATCH
    folder = tempfile.mkdtemp(prefix="giamsat-huey-")
    HUEY.storage = SqliteStorage(name="giamsat-e2e", filename=str(Path(folder) / "huey.sqlite3"))
    settings.EVENTS_DISPATCH = "task"
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", initial_delay=0.05, max_delay=0.1)
    with django_db_blocker.unblock():
        consumer.start()
        try:
            yield consumer
        finally:
            consumer.stop(graceful=True)
            HUEY.storage, settings.EVENTS_DISPATCH = previous_storage, previous_mode


@pytest.fixture
def fibre_figures(worker, django_db_blocker):
    """Households and fibre households of provinces A (50 %) and B (87.5 %), removed afterwards."""
    with django_db_blocker.unblock():
        admin = User.objects.get(username="admin")
        period = period_get(PERIOD)
        units = {u.code: u for u in OrgUnit.objects.filter(code__in=["P01", "P08"])}
        elements = {e.code: e for e in DataElement.objects.filter(code__in=["HH_TOTAL", "HH_FIBER"])}
        figures = [("P01", "HH_TOTAL", 1000), ("P01", "HH_FIBER", 500), ("P08", "HH_TOTAL", 800)]
        figures.append(("P08", "HH_FIBER", 700))
        result = data_values_write(
            inputs=[
                ValueInput(data_element=elements[e], org_unit=units[u], period=period, value=Decimal(v), comment="")
                for u, e, v in figures
            ],
            by=admin,
            channel=Channel.FORM,
        )
        assert result.ok, result.problems
        yield units
        keys = {"org_unit__in": units.values(), "period": period}
        DataValue.objects.filter(**keys).delete()
        DataValueAudit.objects.filter(**keys).delete()
        for model in (IndexValue, IndicatorValue, ElementFigure):
            model.objects.all().delete()


def fibre_row(page):
    return page.locator("tr", has=page.get_by_text("HH_FIBER_RATE", exact=False))


def test_a_value_raised_through_the_api_changes_the_scorecard(page, fibre_figures, django_db_blocker):
    scorecard = f"{page.base_url}/evaluation/units/P01/?period=202609&structure=CURRENT"
    sign_in(page, "hanoi.lanhdao")

    def computed():  # the worker refreshes the results of the figures written above
        page.goto(scorecard)
        expect(fibre_row(page)).to_contain_text("50,0", timeout=500)

    expect_within(computed, seconds=15)
    expect(fibre_row(page)).to_contain_text("Chậm tiến độ")  # 50 % is far from the 80 % target
    expect(page.get_by_test_id("rank")).to_contain_text("2 / 2")

    with django_db_blocker.unblock():
        token = token_create(user=User.objects.get(username="hanoi.baocao"), name="e2e")[1]
    body = {"dataValues": [{"dataElement": "HH_FIBER", "orgUnit": "P01", "period": PERIOD, "value": "900"}]}
    request = urllib.request.Request(
        f"{page.base_url}/api/v1/dataValueSets",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
        summary = json.loads(response.read())
    assert summary.get("response", summary)["importCount"]["updated"] == 1, summary

    def refreshed():
        page.goto(scorecard)
        expect(fibre_row(page)).to_contain_text("90,0", timeout=500)

    expect_within(refreshed, seconds=10)
    row = fibre_row(page)
    expect(row).to_contain_text("Đã đạt")
    expect(row).to_contain_text("1,00")
    expect(page.get_by_test_id("rank")).to_contain_text(re.compile(r"1 / 2"))


def expect_within(check, *, seconds: float) -> None:
    """Retry a page check until it passes or the time is up (the worker runs in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


@pytest.fixture
def fibre_target(django_db_blocker):
    """The provinces' fibre target, put back as it was afterwards."""
    from giamsat.catalog.models import Target

    with django_db_blocker.unblock():
        target = Target.objects.get(indicator__code="HH_FIBER_RATE", scope="UNIT_TYPE")
        value = target.value
        yield target
        Target.objects.filter(pk=target.pk).update(value=value)


def test_a_target_lowered_in_the_catalogue_changes_the_status_on_the_scorecard(
    page, fibre_figures, fibre_target, django_db_blocker
):
    """An analyst lowers the fibre target below Hà Nội's 50 %: the TARGET_CHANGED event reaches
    the worker, which judges every value again; no one runs `recompute`."""
    scorecard = f"{page.base_url}/evaluation/units/P01/?period=202609&structure=CURRENT"
    sign_in(page, "phantich.vienthong")

    def computed():
        page.goto(scorecard)
        expect(fibre_row(page)).to_contain_text("Chậm tiến độ", timeout=500)

    expect_within(computed, seconds=15)
    page.goto(f"{page.base_url}/catalog/indicators/HH_FIBER_RATE/targets/{fibre_target.pk}/")
    page.locator("#id_value").fill("45")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu")).to_be_visible()

    def judged_again():
        page.goto(scorecard)
        expect(fibre_row(page)).to_contain_text("Đã đạt", timeout=500)

    expect_within(judged_again, seconds=20)
