"""The official DHIS2 Python client (PyPI `dhis2-client`), pointed at GiamSat's base URL with a
personal token, reads metadata and posts and reads data value sets unchanged."""

import pytest
from dhis2_client import DHIS2Client
from dhis2_client.errors import DHIS2HTTPError

from giamsat.accounts.models import User
from giamsat.accounts.services import token_create
from giamsat.reporting.models import DataValue, DataValueAudit

pytestmark = pytest.mark.xdist_group("browser")
PERIOD = "202609"


@pytest.fixture
def client(live_url, django_db_blocker):
    with django_db_blocker.unblock():
        _token, raw = token_create(user=User.objects.get(username="hanoi.baocao"), name="dhis2-client test")
        dhis2 = DHIS2Client(base_url=live_url, token=raw, retries=0)
        yield dhis2
        dhis2.close()
        DataValue.objects.filter(period__code=PERIOD).delete()
        DataValueAudit.objects.filter(period__code=PERIOD).delete()


def test_official_client_round_trip(client):
    assert client.get_system_info()["systemName"] == "GiamSat"
    me = client.get_current_user()
    assert me["username"] == "hanoi.baocao"
    assert [u["id"] for u in me["organisationUnits"]] == ["P01"]

    elements = list(client.get_data_elements(pageSize=40))
    assert len(elements) >= 113 and {"id", "code", "valueType"} <= set(elements[0])
    assert any(d["id"] == "BC_TINH_MONTHLY" for d in client.get_data_sets())
    assert [u["id"] for u in client.get_organisation_units(level=2)] == ["P01", "P01_63"]

    payload = {
        "dataSet": "BC_TINH_MONTHLY",
        "period": PERIOD,
        "orgUnit": "P01",
        "dataValues": [
            {"dataElement": "DOSSIERS_TOTAL", "value": "52340"},
            {"dataElement": "DOSSIERS_ONLINE", "value": "41002", "comment": "Cổng DVC tỉnh"},
        ],
    }
    summary = client.post_data_value_set(payload)
    assert summary["response"]["importCount"]["imported"] == 2

    read = client.get_data_value_set({"dataSet": "BC_TINH_MONTHLY", "orgUnit": "P01", "period": PERIOD})
    assert {(v["dataElement"], v["value"]) for v in read["dataValues"]} == {
        ("DOSSIERS_TOTAL", "52340"),
        ("DOSSIERS_ONLINE", "41002"),
    }
    again = client.post_data_value_set({"dataValues": read["dataValues"]})
    assert again["response"]["importCount"]["ignored"] == 2  # nothing changed, nothing rewritten

    client.set_data_value("DOSSIERS_ONLINE_FULL", PERIOD, "P01", 30000, co="")  # no category combos here
    assert client.get_data_value("DOSSIERS_ONLINE_FULL", PERIOD, "P01")["value"] == "30000"
    client.delete_data_value("DOSSIERS_ONLINE_FULL", PERIOD, "P01", co="")
    with pytest.raises(DHIS2HTTPError) as missing:
        client.get_data_value("DOSSIERS_ONLINE_FULL", PERIOD, "P01")
    assert missing.value.status_code == 404


def test_official_client_is_held_to_the_users_scope(client):
    with pytest.raises(DHIS2HTTPError) as refused:
        client.post_data_value_set(
            {"period": PERIOD, "orgUnit": "P08", "dataValues": [{"dataElement": "DOSSIERS_TOTAL", "value": "1"}]}
        )
    assert refused.value.status_code == 409
    with pytest.raises(DHIS2HTTPError) as hidden:
        client.get_data_value_set({"orgUnit": "P08", "period": PERIOD})
    assert hidden.value.status_code == 403
