"""Sector reports from the stored results: their figures equal the pages', no data is never 0,
a leader drafts, edits and issues them within its scope, the files are made by a job, and the
API gives them as DOCX or PDF with clear errors."""

import io

import pytest
from django.test import Client
from django.utils import translation

from giamsat.accounts.choices import Role
from giamsat.accounts.models import User
from giamsat.accounts.services import user_create
from giamsat.core.templatetags.giamsat import num
from giamsat.documents import services
from giamsat.documents.models import OfficialDocument
from giamsat.documents.services import report_period
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.choices import Structure
from giamsat.evaluation.models import OVERALL
from giamsat.evaluation.tests.routes import results_for
from giamsat.jobs.models import Job
from giamsat.jobs.services import job_run
from giamsat.orgunits.models import OrgUnit

from .layout import docx_open, docx_runs, pdf_pages

pytestmark = pytest.mark.django_db
MONTH = "202611"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def results(unit):
    """Stored results for November 2026: Hà Nội first (0,73456), Tuyên Quang second (0,51234)."""
    results_for(unit("P01"), rank=1, peers=34, value=0.73456)
    results_for(unit("P08"), rank=2, peers=34, value=0.51234)


def _pdf_text(content: bytes) -> str:
    """The text layer, lines joined (a sentence may wrap)."""
    return " ".join(" ".join(text for text, _placed, _page in pdf_pages(content)).split())


def _docx_text(content: bytes) -> str:
    return "\n".join(run.text for run in docx_runs(docx_open(content)))


def _screen(value: float, decimals: int = 4) -> str:
    with translation.override("vi"):
        return num(value, decimals)


def test_national_report_has_the_ranking_pages_figures(results, unit):
    leader = User.objects.get(username="ministry.leader")
    period = evaluation.stored_period(report_period(MONTH))
    ranking = evaluation.ranking_get(
        user=leader, period=period, pillar=OVERALL, unit_type="PROVINCE", structure=Structure.PERIOD
    )
    expected = [(row.unit.name_vi, _screen(row.value)) for row in ranking.rows]
    assert expected == [("Thành phố Hà Nội", "0,7346"), ("Tỉnh Tuyên Quang", "0,5123")]
    page = _client("ministry.leader").get(f"/evaluation/rankings/?period={MONTH}").content.decode()
    pdf = _pdf_text(services.sector_report_render(user=leader, unit=unit("VN"), period=report_period(MONTH), fmt="pdf"))
    docx = _docx_text(
        services.sector_report_render(user=leader, unit=unit("VN"), period=report_period(MONTH), fmt="docx")
    )
    for name, value in expected:
        assert value in page  # the screen
        assert value in pdf and value in docx and name in pdf
    assert "tháng 11/2026" in pdf


def test_province_report_has_the_scorecard_figures(results, unit):
    leader = User.objects.get(username="a.leader")
    period = evaluation.stored_period(report_period(MONTH))
    card = evaluation.scorecard_get(unit=unit("P01"), period=period)
    row = card.pillars[0].rows[0]
    index, value = _screen(card.overall.value), _screen(row.value.value, row.indicator.decimals)
    page = _client("a.leader").get(f"/evaluation/units/P01/?period={MONTH}").content.decode()
    assert index in page and value in page
    pdf = _pdf_text(
        services.sector_report_render(user=leader, unit=unit("P01"), period=report_period(MONTH), fmt="pdf")
    )
    assert f"đạt {index}" in pdf and "xếp thứ 1/34" in pdf
    assert value in pdf and "quý III/2026" in pdf  # a quarterly indicator at its last quarter


def test_no_data_is_said_so_never_zero(unit):
    leader = User.objects.get(username="ministry.leader")
    pdf = _pdf_text(
        services.sector_report_render(user=leader, unit=unit("VN"), period=report_period("202501"), fmt="pdf")
    )
    assert "không có số liệu" in pdf
    assert "0,0000" not in pdf


def test_a_leader_drafts_edits_issues_and_downloads(results, unit, django_capture_on_commit_callbacks):
    client = _client("a.leader")
    response = client.post("/documents/new/", {"period": MONTH, "unit": "P01"})
    assert response.status_code == 302
    document = OfficialDocument.objects.get()
    assert document.is_draft and document.org_unit.code == "P01" and "0,7346" in document.assessment
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "DỰ THẢO" in page and "0,7346" in page

    form = {f: getattr(document, f) for f in services.EDITABLE}
    form["assessment"] = "Đoạn thứ nhất do lãnh đạo viết lại.\n\nĐoạn thứ hai."
    assert client.post(f"/documents/{document.pk}/edit/", form).status_code == 302
    draft = client.get(f"/documents/{document.pk}/download/docx/")
    assert draft["Content-Disposition"] == 'attachment; filename="du-thao-bao-cao-202611-P01.docx"'
    paragraphs = [p.text for p in docx_open(draft.content).paragraphs]
    assert "Đoạn thứ nhất do lãnh đạo viết lại." in paragraphs and "Đoạn thứ hai." in paragraphs

    with django_capture_on_commit_callbacks() as queued:
        assert client.post(f"/documents/{document.pk}/issue/").status_code == 302
    assert queued  # the rendering job is queued after the commit
    document.refresh_from_db()
    assert document.state == "ISSUED" and document.number == 1 and document.issued_on is not None
    job = Job.objects.get(pk=document.job_id)
    assert job_run(job.pk).status == "DONE"
    document.refresh_from_db()
    assert document.docx_file and document.pdf_file
    pdf = client.get(f"/documents/{document.pk}/download/pdf/")
    with document.pdf_file.open("rb") as kept:
        assert pdf.content == kept.read()  # the issued file, as kept
    text = _pdf_text(pdf.content)
    assert "Số: 01/BC-SKHCN" in text and "DỰ THẢO" not in text
    assert f"ngày {document.issued_on.day:02d}" in text

    # Issued: locked.
    form["assessment"] = "Sửa sau khi ban hành."
    client.post(f"/documents/{document.pk}/edit/", form)
    document.refresh_from_db()
    assert "Sửa sau khi ban hành." not in document.assessment
    with pytest.raises(services.DocumentError):
        services.document_update(document=document, by=User.objects.get(username="a.leader"), assessment="x")


def test_numbers_follow_each_other_in_the_year(results, unit):
    leader = User.objects.get(username="a.leader")
    first = services.sector_draft_create(by=leader, unit=unit("P01"), period=report_period(MONTH))
    second = services.sector_draft_create(by=leader, unit=unit("P01"), period=report_period("2026Q3"))
    assert services.document_issue(document=first, by=leader).number == 1
    assert services.document_issue(document=second, by=leader).number == 2
    assert "quý III/2026" in second.figures["period_label"]


@pytest.mark.parametrize(
    "username, unit_code, status",
    [
        ("a.leader", "P01", 302),
        ("a.leader", "P08", 403),  # another province
        ("a.leader", "VN", 403),  # the national report is the ministry's
        ("a.reporter", "P01", 403),  # a reporter does not draft
        ("ministry.leader", "VN", 302),
        ("b.leader", "P08", 302),
    ],
)
def test_who_drafts_what(results, username, unit_code, status):
    response = _client(username).post("/documents/new/", {"period": MONTH, "unit": unit_code})
    assert response.status_code == status


def test_an_analyst_drafts_the_national_report_and_only_a_leader_issues_it(results, unit):
    analyst = user_create(
        username="national.analyst",
        password="test-Pass-2026",
        role=Role.MINISTRY_ANALYST,
        full_name="Trần Thị Bình",
        view_units=[unit("VN")],
    )
    client = _client("national.analyst")
    assert client.post("/documents/new/", {"period": MONTH, "unit": "VN"}).status_code == 302
    document = OfficialDocument.objects.get(created_by=analyst)
    assert "Sở Khoa học" not in document.issuer and document.symbol == "BC-BKHCN"
    assert client.post(f"/documents/{document.pk}/issue/").status_code == 403
    assert _client("ministry.leader").post(f"/documents/{document.pk}/issue/").status_code == 302


def test_the_list_shows_only_the_units_in_scope(results, unit):
    leader = User.objects.get(username="a.leader")
    services.sector_draft_create(by=leader, unit=unit("P01"), period=report_period(MONTH))
    own = _client("a.leader").get("/documents/").content.decode()
    other = _client("b.leader").get("/documents/").content.decode()
    assert "Thành phố Hà Nội" in own
    assert "Thành phố Hà Nội" not in other


@pytest.mark.parametrize(
    "query, message",
    [
        ("period=2026&format=docx", "báo cáo tháng hoặc quý"),  # a year
        ("period=2026W12&format=docx", "báo cáo tháng hoặc quý"),  # a week
        ("period=abc&format=docx", "không phải là kỳ báo cáo"),
        ("format=docx", "Nhập kỳ báo cáo"),  # the period is required
        ("period=202611&format=xls", "dùng docx hoặc pdf"),
        ("period=202611&format=pdf&orgUnit=NOPE", "Không có đơn vị nào có mã"),
        ("period=202611&format=pdf&orgUnit=SKHCN_01", "toàn quốc hoặc cho một tỉnh"),
    ],
)
def test_api_bad_input_is_a_clear_400(client_leader, query, message):
    response = client_leader.get(f"/api/v1/documents/sector-report?{query}")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_api_gives_a_province_its_report_and_refuses_the_national_one(results, token_a):
    headers = {"Authorization": f"Bearer {token_a}"}
    client = Client()
    response = client.get(f"/api/v1/documents/sector-report?period={MONTH}&format=pdf&orgUnit=P01", headers=headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Thành phố Hà Nội" in _pdf_text(response.content)
    national = client.get(f"/api/v1/documents/sector-report?period={MONTH}&format=pdf", headers=headers)
    assert national.status_code == 403


def test_api_quarterly_national_docx(client_leader, results):
    response = client_leader.get("/api/v1/documents/sector-report?period=2026Q3&format=docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx_open(response.content)
    assert any("quý III/2026" in p.text for p in document.paragraphs)
    assert io.BytesIO(response.content).getbuffer().nbytes > 10_000


def test_documents_page_in_the_navigation(client_leader):
    page = client_leader.get("/documents/").content.decode()
    assert 'href="/documents/"' in page


def test_a_commune_is_not_a_report_unit(client_leader):
    commune = OrgUnit.objects.filter(type="COMMUNE", path__startswith="VN/P01/").first()
    response = client_leader.get(f"/api/v1/documents/sector-report?period={MONTH}&orgUnit={commune.code}")
    assert response.status_code == 400
