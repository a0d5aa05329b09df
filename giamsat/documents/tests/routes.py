"""Documents routes, for the shared scope tests: a document belongs to its unit."""

from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.documents.engine.sector import SectorFigures
from giamsat.documents.models import OfficialDocument
from giamsat.reporting.services import period_get
from giamsat.testing.scoping import RouteInventory, ScopedRoute

MONTH = "202611"


def document_for(unit) -> OfficialDocument:
    """A draft sector report of the unit, as a leader leaves it (test scaffolding)."""
    now = timezone.now()
    author = User.objects.get(username="admin")
    figures = SectorFigures(
        period_code=MONTH,
        period_label="tháng 11/2026",
        quarterly=False,
        unit_code=unit.code,
        unit_name=unit.name_vi,
        national=False,
    )
    return OfficialDocument.objects.create(
        period=period_get(MONTH),
        org_unit=unit,
        issuer="Sở Khoa học và Công nghệ",
        parent_body=f"UBND {unit.name_vi}",
        symbol="BC-SKHCN",
        place="Hà Nội",
        assessment="Đánh giá chung.",
        proposals="Kiến nghị.",
        recipients="Bộ Khoa học và Công nghệ\nLưu: VT",
        signer_position="Giám đốc",
        signer_name="Phạm Quốc Dũng",
        figures=figures.as_json(),
        figures_read_at=now,
        created_by=author,
        created_at=now,
        updated_at=now,
    )


def _document_url(suffix: str = ""):
    return lambda unit: f"/documents/{document_for(unit).pk}/{suffix}"


def _edit(unit):
    return {
        "parent_body": "UBND THÀNH PHỐ",
        "issuer": "Sở Khoa học và Công nghệ",
        "symbol": "BC-SKHCN",
        "place": "Hà Nội",
        "assessment": "Đánh giá đã sửa.",
        "proposals": "Kiến nghị.",
        "recipients": "Lưu: VT",
        "signer_authority": "",
        "signer_position": "Giám đốc",
        "signer_name": "Phạm Quốc Dũng",
    }


REDIRECT = frozenset({302})

ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("document page", "/documents/<int:pk>/", _document_url()),
        ScopedRoute("document download", "/documents/<int:pk>/download/<str:fmt>/", _document_url("download/docx/")),
        ScopedRoute(
            "draft a sector report",
            "/documents/new/",
            lambda unit: "/documents/new/",
            method="POST",
            data=lambda unit: {"period": MONTH, "unit": unit.code},
            ok_status=REDIRECT,
            user="a.leader",
        ),
        ScopedRoute(
            "edit a draft",
            "/documents/<int:pk>/edit/",
            _document_url("edit/"),
            method="POST",
            data=_edit,
            ok_status=REDIRECT,
            user="a.leader",
        ),
        ScopedRoute(
            "read a draft's figures again",
            "/documents/<int:pk>/refresh/",
            _document_url("refresh/"),
            method="POST",
            ok_status=REDIRECT,
            user="a.leader",
        ),
        ScopedRoute(
            "issue a document",
            "/documents/<int:pk>/issue/",
            _document_url("issue/"),
            method="POST",
            ok_status=REDIRECT,
            user="a.leader",
        ),
        ScopedRoute(
            "api sector report",
            "GET /api/v1/documents/sector-report",
            lambda unit: f"/api/v1/documents/sector-report?period={MONTH}&format=docx&orgUnit={unit.code}",
            api=True,
        ),
    ),
    # The documents of the units in the user's view scope (test_views).
    listed=("/documents/",),
)
