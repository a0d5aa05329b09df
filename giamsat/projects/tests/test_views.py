"""Projects' pages: the portfolio scoped and flagged first, a project with its history, earned
value and red flags, the editors' forms through the services, errors in Vietnamese that lose
nothing, refusals (404 outside scope, 403 without the right), the rules and their versions."""

import datetime as dt
import html
import re

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit
from giamsat.projects.models import FlagRuleSet, Package, PhysicalProgress, Project, Transaction, YearBudget
from giamsat.projects.services import (
    baseline_freeze,
    flags_evaluate,
    package_save,
    physical_progress_report,
    transaction_record,
    year_budget_set,
)

from .conftest import at, make_project

pytestmark = pytest.mark.django_db
d = dt.date
TODAY = d(2026, 7, 15)


@pytest.fixture(autouse=True)
def on_today(monkeypatch):
    monkeypatch.setattr("giamsat.projects.views.today", lambda: TODAY)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def projects(leader, rules):
    """Hà Nội's project behind on disbursement (flagged), a quiet one, Tuyên Quang's, and a
    former Quảng Nam project now Đà Nẵng's."""
    skhcn = OrgUnit.objects.get(code="SKHCN_01")
    flagged = make_project(skhcn, leader, code="DA-HN-01", total=1_200_000_000, end=d(2026, 12, 31))
    year_budget_set(project=flagged, year=2026, planned=1_200_000_000, allocated=1_200_000_000, by=leader)
    baseline_freeze(project=flagged, by=leader)
    transaction_record(
        project=flagged, kind="DISBURSEMENT", date=d(2026, 2, 1), amount=100_000_000, by=leader, at=at(TODAY)
    )
    physical_progress_report(project=flagged, on=d(2026, 6, 30), percent=20, by=leader)
    package_save(
        project=flagged,
        code="GT01",
        by=leader,
        name="Phần mềm nền tảng",
        method="OPEN",
        stage="CONTRACT",
        estimated_value=800_000_000,
        contract_value=790_000_000,
        bidders=1,
        supplier="Công ty A",
    )
    quiet = make_project(OrgUnit.objects.get(code="P01"), leader, code="DA-HN-02", total=5_000_000_000)
    other = make_project(OrgUnit.objects.get(code="P08"), leader, code="DA-TQ-01")
    former = make_project(
        OrgUnit.objects.get(code="P49_63"), leader, code="DA-QN-01", start=d(2024, 3, 1), end=d(2026, 12, 31)
    )
    flags_evaluate(projects=[flagged, quiet, other, former], today=TODAY)
    return {"flagged": flagged, "quiet": quiet, "other": other, "former": former}


def test_the_portfolio_shows_flagged_projects_first_with_their_rule(projects):
    response = _client("ministry.leader").get("/projects/")
    assert response.status_code == 200
    codes = [p.code for p in response.context["rows"]]
    assert codes[0] == "DA-HN-01" and set(codes) >= {"DA-HN-02", "DA-TQ-01", "DA-QN-01"}
    text = _text(response)
    assert "Gói thầu chỉ có một nhà thầu tham dự" in text
    assert response.context["totals"]["projects"] == 4
    assert response.context["rows"][0].spi is not None
    assert response.context["flag_chart"]["counts"]


def test_a_reporter_sees_his_provinces_projects_only(projects):
    client = _client("a.reporter")
    codes = {p.code for p in client.get("/projects/").context["rows"]}
    assert codes == {"DA-HN-01", "DA-HN-02"}
    assert client.get("/projects/DA-TQ-01/").status_code == 404
    assert client.get("/projects/DA-QN-01/").status_code == 404
    assert client.get("/projects/DA-HN-01/").status_code == 200
    data = client.get("/projects/map/").json()
    assert [v["code"] for v in data["values"]] == ["P01"]
    assert data["values"][0]["value"] >= 1 and data["values"][0]["url"] == "/projects/?owner=P01"
    # The ministry's map shades every province in force, those without a flag at zero.
    values = {v["code"]: v["value"] for v in _client("ministry.leader").get("/projects/map/").json()["values"]}
    assert len(values) == 34 and values["P01"] >= 1 and values["P04"] == 0
    assert "P49_63" not in values


def test_the_portfolio_filters(projects):
    client = _client("ministry.leader")
    assert {p.code for p in client.get("/projects/?owner=P01").context["rows"]} == {"DA-HN-01", "DA-HN-02"}
    assert {p.code for p in client.get("/projects/?flag=SINGLE_BIDDER").context["rows"]} == {"DA-HN-01"}
    assert {p.code for p in client.get("/projects/?q=QN").context["rows"]} == {"DA-QN-01"}
    response = client.get("/projects/?status=NOPE&owner=P01")
    assert response.status_code == 200 and response.context["form"].errors["status"]
    assert {p.code for p in response.context["rows"]} == {"DA-HN-01", "DA-HN-02"}


def test_the_project_page_tells_its_history_money_and_flags(projects):
    response = _client("ministry.leader").get("/projects/DA-HN-01/")
    assert response.status_code == 200
    text = _text(response)
    assert "123/QĐ-UBND" in text and "tỷ đồng" in text
    flag = next(r for r in response.context["flags"] if r["flag"].code == "SINGLE_BIDDER")
    assert "GT01" in flag["why"] and flag["legal_basis"] in text and flag["version"] == 1
    assert response.context["ev"].spi is not None
    assert response.context["chart"]["planned"] and response.context["chart"]["disbursed"]
    former = _client("ministry.leader").get("/projects/DA-QN-01/")
    old, new = OrgUnit.objects.get(code="P49_63").display_name, OrgUnit.objects.get(code="P48").display_name
    assert "Quảng Nam" in old and "Đà Nẵng" in new
    assert f"{old} → {new} từ 01/07/2025" in _text(former)


def test_a_transaction_saves_through_the_service_and_bad_input_is_explained(projects):
    client = _client("a.reporter")
    response = client.post(
        "/projects/DA-HN-01/transactions/",
        {"kind": "DISBURSEMENT", "date": "01/07/2026", "amount": "200.000.000", "document": "UNC 7"},
    )
    assert response.status_code == 302 and response["Location"] == "/projects/DA-HN-01/#transactions"
    assert Transaction.objects.filter(project=projects["flagged"], amount=200_000_000, document="UNC 7").exists()
    response = client.post(
        "/projects/DA-HN-01/transactions/", {"kind": "DISBURSEMENT", "date": "01/07/2026", "amount": "hai trăm"}
    )
    assert response.status_code == 200
    assert "Nhập số tiền" in response.context["transaction_form"].errors["amount"][0]
    response = client.post(
        "/projects/DA-HN-01/transactions/", {"kind": "DISBURSEMENT", "date": "01/07/2025", "amount": "5"}
    )
    assert response.status_code == 200 and "date" in response.context["transaction_form"].errors
    assert Transaction.objects.filter(project=projects["flagged"]).count() == 2


def test_the_other_forms_save_through_the_services(projects):
    client = _client("a.leader")
    project = projects["quiet"]
    assert (
        client.post(
            "/projects/DA-HN-02/budget/", {"year": "2026", "planned": "3.000.000.000", "allocated": "2.000.000.000"}
        ).status_code
        == 302
    )
    assert YearBudget.objects.get(project=project, year=2026).allocated == 2_000_000_000
    assert client.post("/projects/DA-HN-02/progress/", {"on": "30/06/2026", "percent": "45,5"}).status_code == 302
    assert PhysicalProgress.objects.get(project=project).percent == pytest.approx(45.5)
    response = client.post("/projects/DA-HN-02/progress/", {"on": "30/06/2026", "percent": "120"})
    assert response.status_code == 200 and response.context["progress_form"].errors["percent"]
    data = {"code": "GT02", "name": "Thiết bị", "method": "LIMITED", "stage": "TENDER", "estimated_value": "1.000.000"}
    assert client.post("/projects/DA-HN-02/packages/", data).status_code == 302
    assert client.post("/projects/DA-HN-02/packages/", {**data, "stage": "AWARD", "bidders": "2"}).status_code == 302
    package = Package.objects.get(project=project, code="GT02")
    assert (package.stage, package.bidders) == ("AWARD", 2)
    milestone = {"title": "Nghiệm thu", "type": "delivery", "due_date": "30/09/2026"}
    assert client.post("/projects/DA-HN-02/milestones/", milestone).status_code == 302
    assert project.milestones.count() == 1
    assert client.post("/projects/DA-HN-02/baselines/", {"reason": ""}).status_code == 302
    response = client.post("/projects/DA-HN-02/baselines/", {"reason": ""})
    assert response.status_code == 200 and response.context["baseline_form"].errors["reason"]
    assert client.post("/projects/DA-HN-02/baselines/", {"reason": "Điều chỉnh dự án"}).status_code == 302
    assert project.baselines.count() == 2


def test_create_and_edit_a_project(projects):
    client = _client("a.reporter")
    page = client.get("/projects/new/")
    assert page.status_code == 200
    owners = {u.code for u in page.context["form"].fields["owner_unit"].queryset}
    assert "P01" in owners and "P08" not in owners
    skhcn = OrgUnit.objects.get(code="SKHCN_01")
    data = {
        "code": "DA-HN-09",
        "name": "Trung tâm điều hành thông minh",
        "owner_unit": skhcn.pk,
        "type": "INVESTMENT",
        "domain": "IT_DX",
        "status": "PIPELINE",
        "decision_number": "9/QĐ-UBND",
        "decision_date": "01/03/2026",
        "decision_body": "UBND thành phố Hà Nội",
        "total_investment": "45.000.000.000",
        "planned_start": "01/04/2026",
        "planned_end": "31/03/2026",
        "funding_LOCAL_BUDGET": "45.000.000.000",
    }
    response = client.post("/projects/new/", data)
    assert response.status_code == 200 and "planned_end" in response.context["form"].errors
    assert response.context["form"]["name"].value() == "Trung tâm điều hành thông minh"
    other = OrgUnit.objects.get(code="P08")
    response = client.post("/projects/new/", {**data, "owner_unit": other.pk, "planned_end": "31/12/2027"})
    assert response.status_code == 200 and "owner_unit" in response.context["form"].errors
    response = client.post("/projects/new/", {**data, "planned_end": "31/12/2027"})
    assert response.status_code == 302
    project = Project.objects.get(code="DA-HN-09")
    assert project.funding.get().amount == 45_000_000_000
    edit = client.get("/projects/DA-HN-09/edit/")
    assert edit.status_code == 200
    form = edit.context["form"]
    posted = {name: form[name].value() for name in form.fields}
    posted = {k: (v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v) for k, v in posted.items() if v is not None}
    posted["status"] = "IMPLEMENTATION"
    assert client.post("/projects/DA-HN-09/edit/", posted).status_code == 302
    assert Project.objects.get(code="DA-HN-09").status == "IMPLEMENTATION"


def test_a_user_who_sees_but_may_not_edit_is_refused(projects):
    from giamsat.accounts.services import user_create

    commune = OrgUnit.objects.filter(parent__code="P01", type="COMMUNE").first()
    user_create(
        username="a.viewer",
        password="x-Pass-2026!",
        role="PROVINCE_REPORTER",
        capture_units=[commune],
        view_units=[OrgUnit.objects.get(code="P01")],
    )
    client = _client("a.viewer")
    page = client.get("/projects/DA-HN-01/")
    assert page.status_code == 200 and not page.context["can_edit"]
    assert "transaction_form" not in page.context
    response = client.post("/projects/DA-HN-01/transactions/", {"kind": "DISBURSEMENT", "amount": "5"})
    assert response.status_code == 403
    assert client.get("/projects/DA-HN-01/edit/").status_code == 403


def test_the_rules_page_and_a_new_version(projects):
    reporter = _client("a.reporter")
    page = reporter.get("/projects/rules/")
    assert page.status_code == 200 and page.context["form"] is None
    assert "Luật" in _text(page) or page.context["versions"][0]["rules"]
    assert reporter.post("/projects/rules/", {}).status_code == 403
    leader = _client("ministry.leader")
    form = leader.get("/projects/rules/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    # As the page writes them: a decimal comma in Vietnamese, unticked boxes left out.
    data = {k: str(v).replace(".", ",") if isinstance(v, float) else v for k, v in data.items() if v is not False}
    data.update({"valid_from": "01/08/2026", "note": "Siết ngưỡng giải ngân", "DISBURSEMENT_BEHIND__gap_pct": "10"})
    bad = leader.post("/projects/rules/", {**data, "DISBURSEMENT_BEHIND__gap_pct": "-3"})
    assert bad.status_code == 200 and bad.context["form"].errors["DISBURSEMENT_BEHIND__gap_pct"]
    response = leader.post("/projects/rules/", data)
    assert response.status_code == 302, response.context["form"].errors
    v2 = FlagRuleSet.objects.get(version=2)
    assert v2.rules.get(code="DISBURSEMENT_BEHIND").params["gap_pct"] == 10
    assert v2.rules.get(code="SINGLE_BIDDER").params["max_bidders"] == 1
    assert v2.rules.get(code="COST_OVERRUN").params["cpi_below"] == 0.9
    assert "Phiên bản 2, hiệu lực từ 01/08/2026" in _text(leader.get("/projects/rules/"))


def test_pages_are_in_vietnamese(projects):
    client = _client("ministry.leader")
    for url in ("/projects/", "/projects/DA-HN-01/", "/projects/rules/", "/projects/new/"):
        text = _text(client.get(url))
        for english in ("Investment projects", "Red flags", "Earned value", "Open red flags", "billion VND"):
            assert english not in text, (url, english)


def test_anonymous_is_sent_to_sign_in():
    response = Client().get("/projects/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_pages_read_a_bounded_number_of_queries(projects, django_assert_max_num_queries):
    client = _client("ministry.leader")
    with django_assert_max_num_queries(25):  # 21 on 4 projects, not growing with the rows
        client.get("/projects/")
    with django_assert_max_num_queries(30):  # 23 with one package, three flags, one transaction
        client.get("/projects/DA-HN-01/")


def test_the_owner_reports_a_milestone_met_and_its_overdue_flag_clears(projects, leader, settings):
    """The milestone's evidence goes through the tracked-work base; the projects follow its event
    (dispatched inline, as the worker would) and the overdue flag clears."""
    from giamsat.events.services import events_dispatch
    from giamsat.projects.services import milestone_add

    project = projects["flagged"]
    milestone = milestone_add(
        project=project, title="Nghiệm thu giai đoạn 1", type="delivery", due_date=d(2026, 5, 31), by=leader
    )
    flags_evaluate(projects=[project], today=TODAY)  # 45 days late on 15/07
    assert project.flags.filter(code="MILESTONE_OVERDUE", cleared_on__isnull=True).exists()
    reporter = _client("a.reporter")  # Hà Nội's reporter: the owner's people
    page = _text(reporter.get(f"/projects/{project.code}/"))
    assert "Báo cáo tiến độ hoặc hoàn thành một mốc" in page
    url = f"/projects/{project.code}/milestones/report/"
    refused = reporter.post(url, {"milestone": milestone.pk, "progress": "100", "completion": "on"})
    assert refused.status_code == 200 and "Báo cáo hoàn thành cần có kết quả" in _text(
        refused
    )  # no evidence: nothing saved
    milestone.item.refresh_from_db()
    assert milestone.item.completed_on is None
    settings.EVENTS_DISPATCH = "inline"
    done = reporter.post(
        url, {"milestone": milestone.pk, "progress": "100", "completion": "on", "note": "Biên bản nghiệm thu số 12"}
    )
    assert done.status_code == 302
    events_dispatch()
    milestone.item.refresh_from_db()
    assert milestone.item.completed_on is not None
    assert not project.flags.filter(code="MILESTONE_OVERDUE", cleared_on__isnull=True).exists()
    # The ministry's leader may edit the project but does not report for the owner.
    assert _client("ministry.leader").post(url, {"milestone": milestone.pk, "progress": "10"}).status_code == 403


def test_the_landing_pages_show_the_flagged_projects(projects):
    """The ministry's landing page counts every flagged project; a province's, its own only."""
    from giamsat.portal.selectors import projects_card
    from giamsat.projects.models import RedFlag

    open_flags = RedFlag.objects.filter(cleared_on__isnull=True)
    ministry = projects_card(User.objects.get(username="ministry.leader"))
    assert (ministry.projects, ministry.flagged) == (4, open_flags.values("project").distinct().count())
    assert sum(n for _code, _label, n in ministry.flags_by_code) == open_flags.count()
    page = _text(_client("ministry.leader").get("/"))
    assert "trên 4 dự án có cờ đỏ đang mở" in page and "Gói thầu chỉ có một nhà thầu" in page
    province = projects_card(User.objects.get(username="a.leader"))  # Hà Nội's two projects
    assert province.projects == 2
    assert province.flagged == open_flags.filter(project__code__startswith="DA-HN").values("project").distinct().count()
    assert projects_card(User.objects.get(username="b.reporter")).projects == 1
