"""No silent overwrite: a figure saved from a form (or sent by a client) that read an older value
is refused with both values and who changed it; unconditional writes work as before."""

import re

import pytest
from django.test import Client

from giamsat.accounts.services import token_create
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue
from giamsat.reporting.services import data_values_write
from giamsat.testing.fixtures import PROVINCE_A

pytestmark = pytest.mark.django_db


def _stored():
    return DataValue.objects.get(data_element__code="DOSSIERS_TOTAL", org_unit__code=PROVINCE_A, period__code="202510")


def _write(value_input, users, value, *, who="a.reporter", version=None):
    item = value_input("DOSSIERS_TOTAL", value)
    item.expected_version = version
    return data_values_write(inputs=[item], by=users[who], channel=Channel.FORM)


def test_a_write_from_an_older_read_is_refused_with_the_newer_value(value_input, users):
    assert _write(value_input, users, "100").ok
    read = _stored().updated_at.isoformat()
    assert _write(value_input, users, "120", who="a.leader").ok  # someone else, meanwhile
    stale = _write(value_input, users, "130", version=read)
    assert not stale.ok and stale.problems[0].stale
    reason = stale.problems[0].reason
    assert "120" in reason and "a.leader" in reason, reason
    assert _stored().value == 120
    assert _write(value_input, users, "130", version=_stored().updated_at.isoformat()).ok  # read again: saved
    assert _write(value_input, users, "140").ok  # unconditional, as before
    assert _stored().value == 140


def test_a_form_opened_before_the_first_value_conflicts_with_one_entered_since(value_input, users):
    assert _write(value_input, users, "7", who="a.leader").ok
    stale = _write(value_input, users, "8", version="")
    assert not stale.ok and stale.problems[0].stale


def test_the_report_form_shows_the_conflict_and_lets_the_person_keep_their_value(report_a, users, value_input):
    reporter = Client()
    reporter.force_login(users["a.reporter"])
    page = reporter.get(f"/reports/{report_a.pk}/").content.decode()
    version = re.search(r'id="f-DOSSIERS_TOTAL".*?name="version" value="([^"]*)"', page, re.S).group(1)
    assert version == ""
    assert _write(value_input, users, "55", who="a.leader").ok  # saved in another tab or by a colleague
    url = f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/"
    answer = reporter.post(url, {"value": "60", "comment": "", "version": version}).content.decode()
    assert 'role="alert"' in answer and "55" in answer and 'data-testid="keep-mine-DOSSIERS_TOTAL"' in answer
    assert _stored().value == 55
    fresh = re.search(r'name="version" value="([^"]+)"', answer).group(1)
    again = reporter.post(url, {"value": "60", "comment": "", "version": fresh}).content.decode()
    assert 'role="alert"' not in again.split('id="f-DOSSIERS_TOTAL"')[1].split("</div>\n</div>")[0]
    assert _stored().value == 60


@pytest.fixture
def api(users):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=users['a.reporter'], name='t')[1]}"
    return client


def test_the_api_honours_last_updated_when_asked(api, value_input, users):
    assert _write(value_input, users, "100").ok
    exported = api.get("/api/v1/dataValueSets", {"orgUnit": PROVINCE_A, "period": "202510"}).json()["dataValues"]
    item = next(v for v in exported if v["dataElement"] == "DOSSIERS_TOTAL")
    assert _write(value_input, users, "120", who="a.leader").ok
    body = {"dataValues": [{**item, "value": "130"}]}
    refused = api.post("/api/v1/dataValueSets?ifUnmodified=true", body, content_type="application/json")
    assert refused.status_code == 409
    assert "120" in refused.json()["response"]["conflicts"][0]["value"]
    assert _stored().value == 120
    plain = api.post("/api/v1/dataValueSets", body, content_type="application/json")  # unconditional, as today
    assert plain.json()["response"]["importCount"]["updated"] == 1 and _stored().value == 130


def test_the_single_value_api_takes_an_if_match(api, value_input, users):
    assert _write(value_input, users, "100").ok
    read = _stored().updated_at.isoformat()
    assert _write(value_input, users, "120", who="a.leader").ok
    value = {"de": "DOSSIERS_TOTAL", "pe": "202510", "ou": PROVINCE_A, "value": "130"}
    stale = api.post("/api/dataValues", value, content_type="application/json", headers={"If-Match": read})
    assert stale.status_code == 409 and "120" in stale.json()["message"]
    fresh = _stored().updated_at.isoformat()
    ok = api.post("/api/dataValues", value, content_type="application/json", headers={"If-Match": fresh})
    assert ok.status_code == 201 and _stored().value == 130
