"""Plans in the API: filters, paging, scope (province A's token never reads or writes P08's
SKHCN_08 plan), creation in a plan or for many units, and errors in the API's shape."""

import datetime as dt

import pytest
from django.test import Client

from giamsat.accounts.services import token_create
from giamsat.plans.models import Plan, Task
from giamsat.plans.services import document_get_or_create, plan_get_or_create, task_create
from giamsat.tracking.services import work_extension_decide, work_extension_request

from .conftest import TODAY, at

d = dt.date
JAN = at(d(2026, 1, 5))
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("giamsat.plans.api.today", lambda: TODAY)


def api_client(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user, name='t')[1]}"
    return client


@pytest.fixture
def api_a(reporter):
    return api_client(reporter)


@pytest.fixture
def api_ministry(leader):
    return api_client(leader)


@pytest.fixture
def plans(hanoi_dept, reporter, leader):
    """Hà Nội's department: an overdue task, one in progress with a sub-task; P08's department:
    one task."""
    from giamsat.orgunits.models import OrgUnit

    hanoi = plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter, at=at(d(2026, 1, 5)))
    document = document_get_or_create(number="06/NQ-CP", issued_on=d(2022, 1, 6), issuing_body="Chính phủ")
    late = task_create(
        plan=hanoi,
        title="Ban hành kế hoạch",
        number="1",
        due_date=d(2026, 3, 31),
        by=reporter,
        document=document,
        at=JAN,
    )
    going = task_create(
        plan=hanoi, title="Nền tảng số", number="2", due_date=d(2026, 9, 30), by=reporter, domain="IT_DX", at=JAN
    )
    task_create(plan=hanoi, title="Khảo sát", number="2.1", due_date=d(2026, 6, 30), by=reporter, parent=going, at=JAN)
    other = plan_get_or_create(unit=OrgUnit.objects.get(code="SKHCN_08"), year=2026, by=leader)
    hidden = task_create(
        plan=other, title="Nhiệm vụ của tỉnh khác", number="1", due_date=d(2026, 3, 31), by=leader, at=JAN
    )
    return {"hanoi": hanoi, "other": other, "late": late, "going": going, "hidden": hidden, "document": document}


def test_plans_are_listed_in_scope_with_counts(api_a, plans):
    body = api_a.get("/api/v1/plans").json()
    assert [p["unit"]["code"] for p in body["plans"]] == ["SKHCN_01"]
    plan = body["plans"][0]
    assert plan["tasks"] == 2 and plan["overdue"] == 1 and plan["counts"]["OVERDUE"] == 1
    assert plan["onTimeRate"] == 0.0
    assert body["pager"] == {"page": 1, "pageSize": 50, "total": 1, "pageCount": 1}
    assert api_a.get("/api/v1/plans", {"year": "2025"}).json()["plans"] == []
    assert api_a.get("/api/v1/plans", {"unit": "P01"}).json()["pager"]["total"] == 1


def test_tasks_are_filtered(api_a, plans):
    def numbers(**params):
        response = api_a.get("/api/v1/plans/tasks", params)
        assert response.status_code == 200, response.json()
        return [t["number"] for t in response.json()["tasks"]]

    assert numbers() == ["1", "2.1", "2"]  # overdue first, then by deadline
    assert numbers(status="OVERDUE") == ["1"]
    assert numbers(domain="IT_DX") == ["2"]
    assert numbers(document=str(plans["document"].pk)) == ["1"]
    assert numbers(due_from="01/06/2026", due_to="2026-07-01") == ["2.1"]
    assert numbers(unit="P01", year="2026") == ["1", "2.1", "2"]
    assert numbers(year="2027") == []
    assert numbers(q="khảo") == ["2.1"]
    page = api_a.get("/api/v1/plans/tasks", {"page": "2", "pageSize": "2"}).json()
    assert page["pager"] == {"page": 2, "pageSize": 2, "total": 3, "pageCount": 2}
    assert [t["number"] for t in page["tasks"]] == ["2"]
    first = api_a.get("/api/v1/plans/tasks", {"status": "OVERDUE"}).json()["tasks"][0]
    assert first["status"] == "OVERDUE" and first["statusLabel"]
    assert first["document"]["number"] == "06/NQ-CP" and first["unit"]["code"] == "SKHCN_01"


@pytest.mark.parametrize(
    "params, word",
    [
        ({"status": "LATE"}, "status"),
        ({"domain": "AGRICULTURE"}, "domain"),
        ({"due_from": "31/02/2026"}, "31/02/2026"),
        ({"page": "0"}, "page"),
        ({"pageSize": "x"}, "pageSize"),
        ({"year": "năm"}, "year"),
        ({"document": "-1"}, "document"),
    ],
)
def test_bad_filters_are_a_400_that_says_which(api_a, plans, params, word):
    response = api_a.get("/api/v1/plans/tasks", params)
    assert response.status_code == 400
    assert word in response.json()["detail"]


def test_province_a_never_reads_or_writes_p08s_plan(api_a, plans):
    """a.reporter's token: SKHCN_08's plan and task are refused, and its tasks never listed."""
    assert plans["hidden"].pk not in [t["id"] for t in api_a.get("/api/v1/plans/tasks").json()["tasks"]]
    for url in ("/api/v1/plans?unit=SKHCN_08", "/api/v1/plans/tasks?unit=SKHCN_08", "/api/v1/plans/tasks?unit=P08"):
        response = api_a.get(url)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", url
    response = api_a.get(f"/api/v1/plans/tasks/{plans['hidden'].pk}")
    assert response.status_code == 403 and "Nhiệm vụ của tỉnh khác" not in response.content.decode()
    assert api_a.get("/api/v1/plans/tasks/999999").status_code == 404
    assert (
        api_a.post("/api/v1/plans", {"unit": "SKHCN_08", "year": 2026}, content_type="application/json").status_code
        == 403
    )
    response = api_a.post(
        "/api/v1/plans/tasks",
        {"plan": plans["other"].pk, "title": "Chen vào", "dueDate": "2026-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = api_a.post(
        "/api/v1/plans/tasks",
        {"unit": "SKHCN_08", "title": "Chen vào", "dueDate": "2026-12-31"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Task.objects.filter(plan=plans["other"]).count() == 1


def test_a_plan_is_created_once(api_a, hanoi_dept):
    response = api_a.post("/api/v1/plans", {"unit": "SKHCN_01", "year": 2027}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["title"] == "Kế hoạch năm 2027 — " + hanoi_dept.name_vi
    again = api_a.post("/api/v1/plans", {"unit": "SKHCN_01", "year": 2027}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert Plan.objects.filter(org_unit=hanoi_dept, year=2027).count() == 1


def test_a_task_is_created_in_the_units_plan(api_a, plans):
    response = api_a.post(
        "/api/v1/plans/tasks",
        {
            "unit": "SKHCN_01",
            "title": "Báo cáo sơ kết",
            "dueDate": "2026-07-15",
            "number": "2.2",
            "parent": plans["going"].pk,
            "domain": "IT_DX",
            "newDocument": {"number": "01/KH-UBND", "issuedOn": "2026-01-03", "issuingBody": "UBND Hà Nội"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["plan"] == plans["hanoi"].pk and body["parent"] == plans["going"].pk
    assert body["status"] == "IN_PROGRESS" and body["document"]["number"] == "01/KH-UBND"
    detail = api_a.get(f"/api/v1/plans/tasks/{body['id']}").json()
    assert [h["action"] for h in detail["history"]] == ["CREATE"]


def test_the_ministry_gives_one_task_to_many_units(api_ministry, plans):
    response = api_ministry.post(
        "/api/v1/plans/tasks",
        {"units": ["SKHCN_01", "SKHCN_08"], "title": "Báo cáo chỉ số chuyển đổi số", "dueDate": "2026-11-30"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    tasks = Task.objects.filter(pk__in=response.json()["tasks"]).select_related("plan__org_unit")
    assert sorted(t.plan.org_unit.code for t in tasks) == ["SKHCN_01", "SKHCN_08"]


def test_a_reporter_cannot_give_tasks_to_many_units(api_a, plans):
    response = api_a.post(
        "/api/v1/plans/tasks",
        {"units": ["SKHCN_01"], "title": "Giao việc", "dueDate": "2026-11-30"},
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "payload, status, field",
    [
        (
            {"unit": "SKHCN_01", "year": 2026, "title": "X", "dueDate": "2031-01-01"},
            400,
            "dueDate",
        ),  # outside the plan's year
        ({"unit": "SKHCN_01", "title": "X", "dueDate": "2026-05-01", "startDate": "2026-06-01"}, 400, "dueDate"),
        ({"unit": "SKHCN_01", "title": "X", "dueDate": "2026-05-01", "domain": "FARMING"}, 400, "domain"),
        ({"unit": "SKHCN_01", "title": "   ", "dueDate": "2026-05-01"}, 400, "title"),
        ({"title": "X", "dueDate": "2026-05-01"}, 400, "unit"),
        ({"unit": "COMMUNE_A", "title": "X", "dueDate": "2026-05-01"}, 400, "unit"),  # keeps no plan
        ({"unit": "NOPE", "title": "X", "dueDate": "2026-05-01"}, 404, None),
        ({"unit": "SKHCN_01", "title": "X", "dueDate": "2026-05-01", "document": 999999}, 404, None),
        ({"unit": "SKHCN_01", "title": "X", "dueDate": "31/02/2026"}, 422, None),
        ({"unit": "SKHCN_01", "dueDate": "2026-05-01"}, 422, None),
    ],
)
def test_bad_input_is_refused_with_a_specific_message(api_a, plans, payload, status, field):
    from giamsat.orgunits.models import OrgUnit

    if payload.get("unit") == "COMMUNE_A":
        payload = {
            **payload,
            "unit": OrgUnit.objects.filter(path__startswith=plans["hanoi"].org_unit.parent.path, type="COMMUNE")
            .first()
            .code,
        }
    response = api_a.post("/api/v1/plans/tasks", payload, content_type="application/json")
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"] and body["code"]
    if field:
        assert field in body["errors"]
    assert Task.objects.count() == 4


def test_a_task_shows_its_history_and_extension(api_a, reporter, leader, plans):
    item = plans["late"].item
    extension = work_extension_request(
        item=item, by=reporter, due_requested=d(2026, 6, 30), reason="Chờ ý kiến", at=at(d(2026, 3, 25))
    )
    work_extension_decide(extension=extension, by=reporter, approve=True, at=at(d(2026, 3, 26)))
    body = api_a.get(f"/api/v1/plans/tasks/{plans['late'].pk}").json()
    assert body["dueDate"] == "2026-06-30" and body["originalDueDate"] == "2026-03-31"
    assert body["status"] == "IN_PROGRESS"
    assert [h["action"] for h in body["history"]] == ["CREATE", "EXTENSION_REQUEST", "EXTENSION_APPROVE"]
    assert body["extensions"][0]["state"] == "APPROVED"
    assert api_a.get(f"/api/v1/plans/tasks/{plans['going'].pk}").json()["subtasks"] != []


def test_the_api_requires_a_token():
    assert Client().get("/api/v1/plans/tasks").status_code == 401


def test_the_lists_do_not_grow_queries_with_the_tasks(api_ministry, plans, leader, django_assert_max_num_queries):
    for number in range(3, 23):
        task_create(
            plan=plans["hanoi"], title=f"Nhiệm vụ {number}", number=str(number), due_date=d(2026, 8, 1), by=leader
        )
    with django_assert_max_num_queries(8):
        assert len(api_ministry.get("/api/v1/plans/tasks").json()["tasks"]) == 24
    with django_assert_max_num_queries(8):
        assert api_ministry.get("/api/v1/plans").json()["pager"]["total"] == 2
