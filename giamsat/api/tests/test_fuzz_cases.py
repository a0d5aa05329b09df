"""Cases the fuzzer (`make fuzz`) found, kept as regular tests: each answered 500 once."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/dataValueSets", "/api/dataValueSets"])
@pytest.mark.parametrize("name", ["startDate", "endDate"])
def test_a_blank_date_is_no_date(api, path, name):
    """`endDate=%0D` was parsed to None and the filter broke: a blank date is like no date."""
    response = api.get(path, {name: "\r"})
    assert response.status_code == 400
    assert "startDate" in response.content.decode()  # "give at least one of …"
    assert api.get(path, {name: "\r", "orgUnit": "P01"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/dataValueSets", "/api/dataValueSets"])
def test_an_unreadable_date_is_a_400(api, path):
    response = api.get(path, {"endDate": "31/02/2025"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/organisationUnits", "/api/dataElements", "/api/dataSets"])
def test_a_page_past_the_last_is_empty(api, path):
    """`page=99999999999999999999` overflowed SQLite's offset."""
    key = path.rsplit("/", 1)[1]
    for page in ("99999999999999999999", "1000"):
        response = api.get(path, {"page": page})
        assert response.status_code == 200
        assert response.json()[key] == []


def test_the_suite_draws_the_same_examples_on_every_run():
    """A red CI on unchanged code cost whole submissions: in `make test` Hypothesis (and so
    schemathesis) derives its examples from each test's name and keeps no example database.
    `make fuzz` (HYPOTHESIS_PROFILE=fuzz) is where new random cases are drawn."""
    import os

    from hypothesis import settings

    if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz":
        pytest.skip("the fuzzer draws fresh cases on purpose")
    assert settings.default.derandomize is True
    assert settings.default.database is None
