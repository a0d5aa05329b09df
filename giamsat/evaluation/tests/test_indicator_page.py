"""The indicator page's map, trend, distribution and exports: stored results, scoped, the
exports equal to the table, bad input answered 400 or 404, never 500, queries bounded."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from giamsat.catalog.models import Indicator
from giamsat.evaluation.models import GroupIndicatorValue
from giamsat.evaluation.tests.routes import INDICATOR, QUARTERS, results_for
from giamsat.orgunits.models import OrgUnitGroup
from giamsat.reporting.services import period_get

pytestmark = pytest.mark.django_db

PERIOD = QUARTERS[-1]
PAGE = f"/evaluation/indicators/{INDICATOR}/?period={PERIOD}"
PROVINCES = ["P01", "P04", "P08", "P11", "P12", "P14", "P15", "P19"]


@pytest.fixture
def stored(unit):
    for n, code in enumerate(PROVINCES):
        results_for(unit(code), value=0.5 + n / 100)
    indicator = Indicator.objects.get(code=INDICATOR)
    group = OrgUnitGroup.objects.get(code="PROVINCES_34")
    for n, code in enumerate(QUARTERS):
        GroupIndicatorValue.objects.create(
            indicator=indicator, group=group, period=period_get(code), value=61.0 + n, members=34
        )


def test_the_page_has_the_map_trend_distribution_and_exports(client_leader, stored):
    response = client_leader.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="province-map"' in body and "data-giamsat-map" in body
    assert f"/api/v1/maps/indicator?indicator={INDICATOR}&amp;period={PERIOD}" in body
    assert "ODbL" in body and "Hoàng Sa" in body and "Trường Sa" in body
    assert 'id="trend-chart"' in body and 'id="spread-data"' in body
    assert f"/evaluation/indicators/{INDICATOR}/export/xlsx/?" in body
    assert response.context["spread"].count == len(PROVINCES)
    assert sum(response.context["spread_chart"]["values"]) == len(PROVINCES)


def test_the_map_is_shown_only_for_provinces(client_leader, stored):
    body = client_leader.get(PAGE + "&type=COMMUNE").content.decode()
    assert 'data-testid="province-map"' not in body


def test_trend_gives_the_country_and_the_chosen_units(client_leader, stored):
    response = client_leader.get(f"/evaluation/indicators/{INDICATOR}/trend/?period={PERIOD}&trend=P01&trend=P08")
    data = response.json()
    assert data["labels"] == ["Quý I/2026", "Quý II/2026", "Quý III/2026"]
    national, p01, p08 = data["series"]
    assert national["code"] == "NATIONAL" and national["name"] == "Cả nước"
    assert national["values"] == [61.0, 62.0, 63.0]
    assert p01["code"] == "P01" and p01["values"] == [60.0, 65.0, 70.0]
    assert p08["name"] == "Tỉnh Tuyên Quang"


def test_trend_of_a_provincial_user_hides_the_pooled_national_figure(client_a, stored):
    data = client_a.get(f"/evaluation/indicators/{INDICATOR}/trend/?period={PERIOD}&trend=P01").json()
    assert [s["code"] for s in data["series"]] == ["P01"]


@pytest.mark.parametrize(
    "query, status",
    [
        ("trend=P08", 404),  # another province
        ("trend=NOPE", 404),
        ("period=2026Q9&trend=P01", 400),
        ("&".join(f"trend={c}" for c in ["P01"] * 1 + [f"P{n:02d}" for n in range(2, 12)]), 400),
    ],
)
def test_trend_refuses_bad_input_and_other_provinces(client_a, stored, query, status):
    response = client_a.get(f"/evaluation/indicators/{INDICATOR}/trend/?{query}")
    assert response.status_code == status
    assert response.json()["detail"]
    assert "Tuyên Quang" not in response.content.decode()


def _table(response) -> list[list[str]]:
    """The page's table as text cells: unit, value, target, status, score."""
    rows = response.context["rows"]
    labels = response.context["labels"]
    return [[labels[r.org_unit.pk], r.value, r.target, r.status, r.score] for r in rows]


def test_csv_export_equals_the_table(client_leader, stored):
    page = client_leader.get(PAGE)
    response = client_leader.get(f"/evaluation/indicators/{INDICATOR}/export/csv/?period={PERIOD}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{INDICATOR}_{PERIOD}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header[:7] == ["STT", "Mã đơn vị", "Đơn vị", "Kỳ báo cáo", "Từ ngày", "Đến ngày", "Giá trị"]
    assert header[8:11] == ["Mục tiêu", "Trạng thái", "Điểm"]
    table = _table(page)
    assert [r[2] for r in rows] == [t[0] for t in table]  # same units, same order
    assert [float(r[6]) for r in rows] == [t[1] for t in table]
    assert [float(r[8]) for r in rows] == [t[2] for t in table]
    assert [float(r[10]) for r in rows] == pytest.approx([t[4] for t in table])  # 10 significant digits
    assert {r[9] for r in rows} == {"Có nguy cơ"}
    assert rows[0][3:6] == ["Quý III/2026", "01/07/2026", "30/09/2026"]


def test_excel_export_equals_the_table(client_leader, stored):
    page = client_leader.get(PAGE)
    response = client_leader.get(f"/evaluation/indicators/{INDICATOR}/export/xlsx/?period={PERIOD}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert INDICATOR in values[0][0]
    assert values[1][:3] == ("STT", "Mã đơn vị", "Đơn vị")
    rows = values[2:]
    table = _table(page)
    assert [(r[2], r[6], r[8], r[10]) for r in rows] == [(t[0], t[1], t[2], t[4]) for t in table]
    assert all(isinstance(r[6], (int, float)) for r in rows)  # numbers stay numbers


def test_exports_are_scoped(client_a, stored):
    response = client_a.get(f"/evaluation/indicators/{INDICATOR}/export/csv/?period={PERIOD}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))[1:]
    assert [r[1] for r in rows] == ["P01"]


@pytest.mark.parametrize(
    "path, status",
    [
        (f"/evaluation/indicators/{INDICATOR}/export/pdf/?period={PERIOD}", 404),
        (f"/evaluation/indicators/{INDICATOR}/export/csv/?period=abc", 400),
        ("/evaluation/indicators/NOPE/export/csv/", 404),
        (f"/evaluation/indicators/{INDICATOR}/?period=2026Q9", 400),
    ],
)
def test_bad_export_input(client_leader, stored, path, status):
    assert client_leader.get(path).status_code == status


def test_export_with_nothing_stored_is_an_empty_table(client_leader):
    response = client_leader.get(f"/evaluation/indicators/{INDICATOR}/export/csv/")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))) == 1


def test_page_queries_do_not_grow_with_units(client_leader, unit):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_leader.get(PAGE).status_code == 200
        return len(captured)

    results_for(unit("P01"))
    few = count()
    for code in PROVINCES[1:]:
        results_for(unit(code))
    assert count() == few


def test_a_long_table_is_paged_and_the_distribution_counts_every_unit(client_leader):
    from giamsat.evaluation.models import IndicatorValue
    from giamsat.orgunits.models import OrgUnit

    indicator = Indicator.objects.get(code=INDICATOR)
    period = period_get(PERIOD)
    communes = list(OrgUnit.objects.filter(type="COMMUNE", valid_to__isnull=True).order_by("code")[:150])
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator, org_unit=c, period=period, value=float(n), basis="REPORTED", status="NO_TARGET"
        )
        for n, c in enumerate(communes)
    )
    first = client_leader.get(PAGE + "&type=COMMUNE")
    assert first.status_code == 200 and len(first.context["rows"]) == 100
    assert first.context["spread"].count == 150 and len(first.context["chart"]["values"]) == 100
    assert 'data-testid="indicator-pages"' in first.content.decode()
    second = client_leader.get(PAGE + "&type=COMMUNE&page=2")
    assert len(second.context["rows"]) == 50
    shown = [r.org_unit.pk for r in first.context["rows"]] + [r.org_unit.pk for r in second.context["rows"]]
    assert sorted(shown) == sorted(c.pk for c in communes)  # every unit once, across the pages
    assert client_leader.get(PAGE + "&type=COMMUNE&page=x").status_code == 200  # a bad page: the first
