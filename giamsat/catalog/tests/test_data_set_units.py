"""Who reports what, for many data sets and dates at once, equals asking one by one."""

import datetime as dt

import pytest
from django.db.models import Q

from giamsat.catalog.models import DataSet
from giamsat.catalog.selectors import data_set_units, data_set_units_by_date

pytestmark = pytest.mark.django_db

# Either side of the 2025 merger, and its last day.
DATES = [dt.date(2024, 12, 31), dt.date(2025, 6, 30), dt.date(2025, 7, 31), dt.date(2026, 11, 30)]


@pytest.mark.parametrize("within", [None, Q(path__startswith="VN/P01/"), Q(path__startswith="VN/P02_63/")])
def test_many_at_once_equals_one_by_one(within):
    data_sets = list(DataSet.objects.all())
    assert data_sets
    many = data_set_units_by_date(data_sets, {ds.pk: DATES for ds in data_sets}, within=within)
    for data_set in data_sets:
        for on in DATES:
            one = data_set_units(data_set, on=on)
            if within is not None:
                one = one.filter(within)
            assert [u.pk for u in many[(data_set.pk, on)]] == list(one.order_by("path").values_list("pk", flat=True))


def test_a_reporters_home_reads_the_expected_reports_in_a_few_queries(django_assert_max_num_queries):
    from giamsat.accounts.models import User
    from giamsat.reporting.selectors import capture_choices, reporter_lists

    user = User.objects.get(username="a.reporter")
    with django_assert_max_num_queries(6):
        reporter_lists(user)
    with django_assert_max_num_queries(4):
        capture_choices(user)
