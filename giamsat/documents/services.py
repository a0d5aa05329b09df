"""Writes for official documents: draft a sector report, edit it, read its figures again,
issue it (which locks it and queues the rendering of its files), and render a document.

Who may do what: a provincial leader drafts and issues its own province's reports (its
data-entry scope); the ministry's leaders draft and issue the national report, its analysts
draft it; everyone reads the documents of the units in their view scope."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from unidecode import unidecode

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.accounts.models import User
from giamsat.accounts.selectors import ensure_can_view, user_scope
from giamsat.core.dates import today
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import period_get

from .choices import DocumentFormat, DocumentState
from .engine.docx import render_docx
from .engine.model import Document, Signature
from .engine.pdf import render_pdf
from .engine.sector import SectorFigures, SectorMeta, narrative_draft, sector_document
from .models import OfficialDocument
from .selectors import sector_figures

REPORT_PERIOD_TYPES = (PeriodType.MONTHLY, PeriodType.QUARTERLY)
NATIONAL_DRAFTERS = {Role.MINISTRY_LEADER, Role.MINISTRY_ANALYST}
NATIONAL_ISSUERS = {Role.MINISTRY_LEADER}
MINISTRY = "Bộ Khoa học và Công nghệ"


class DocumentError(ValueError):
    """A request a document cannot take (a wrong period, an issued document edited, ...)."""


# --- who may do what -------------------------------------------------------------------------


def _national(unit: OrgUnit) -> bool:
    return unit.type == OrgUnitType.COUNTRY


def can_draft(user: User, unit: OrgUnit) -> bool:
    """A provincial leader for its own province; the ministry's leaders and analysts for the
    country."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if _national(unit):
        return user.role in NATIONAL_DRAFTERS and user_scope(user).contains(unit)
    return (
        unit.type == OrgUnitType.PROVINCE
        and user.role == Role.PROVINCE_LEADER
        and user_scope(user, ScopeKind.CAPTURE).contains(unit)
    )


def can_issue(user: User, document: OfficialDocument) -> bool:
    if not can_draft(user, document.org_unit):
        return False
    return user.is_superuser or not _national(document.org_unit) or user.role in NATIONAL_ISSUERS


def ensure_can_draft(user: User, unit: OrgUnit) -> None:
    ensure_can_view(user, unit)  # a unit outside the scope is refused as such first
    if not can_draft(user, unit):
        raise PermissionDenied(
            _(
                "Only the province's leader drafts its report; "
                "the ministry's leaders and analysts draft the national one."
            )
        )


def report_period(code: str) -> PeriodValue:
    """A month or a quarter (202611, 2026Q3); DocumentError with the accepted forms otherwise."""
    from giamsat.core.periods import InvalidPeriod

    try:
        period = PeriodValue.parse(code)
    except InvalidPeriod as exc:
        raise DocumentError(str(exc)) from None
    if period.type not in REPORT_PERIOD_TYPES:
        raise DocumentError(
            _("A sector report is monthly or quarterly: give a month (202611) or a quarter (2026Q3), not %(code)s.")
            % {"code": period.code}
        )
    return period


def report_unit(code: str | None, *, user: User) -> OrgUnit:
    """The country (no code, or VN) or a province in the user's view scope: DocumentError for
    an unknown code or another kind of unit, ScopeDenied (before anything else is said about
    it) for a unit outside the scope."""
    from .selectors import NATIONAL_UNIT

    code = (code or NATIONAL_UNIT).strip()[:60]
    unit = OrgUnit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        raise DocumentError(_("No unit has the code “%(code)s”.") % {"code": code})
    ensure_can_view(user, unit)
    if unit.type not in (OrgUnitType.COUNTRY, OrgUnitType.PROVINCE):
        raise DocumentError(_("A sector report is made for the whole country or for a province."))
    return unit


# --- defaults of the title block --------------------------------------------------------------

_WITHOUT_PLACE = re.compile(r"\s+(tỉnh|thành phố)\s+.*$", re.IGNORECASE)


def _short_place(unit: OrgUnit) -> str:
    if unit.short_name_vi:
        return unit.short_name_vi
    return re.sub(r"^(Tỉnh|Thành phố)\s+", "", unit.name_vi)


def symbol_of(issuer: str) -> str:
    """The issuer's abbreviation: the initials of its name without "và", "của" (Bộ Khoa học và
    Công nghệ → BKHCN; Sở Khoa học và Công nghệ → SKHCN)."""
    words = [w for w in re.split(r"\s+", unicodedata.normalize("NFC", issuer)) if w and w.lower() not in {"và", "của"}]
    return "".join(w[0].upper() for w in words)


def document_defaults(*, user: User, unit: OrgUnit) -> dict:
    """The title block and closing a new draft starts with (all editable)."""
    home = user.home_unit
    name = user.full_name or user.get_username()
    if _national(unit):
        issuer = home.name_vi if home and home.type == OrgUnitType.MINISTRY else MINISTRY
        short = symbol_of(issuer)
        return {
            "parent_body": "",
            "issuer": issuer,
            "symbol": f"BC-{short}",
            "place": "Hà Nội",
            "recipients": "\n".join(
                [
                    "Thủ tướng Chính phủ (để báo cáo)",
                    "Bộ trưởng (để báo cáo)",
                    "Các Thứ trưởng",
                    "UBND các tỉnh, thành phố trực thuộc trung ương",
                    "Sở Khoa học và Công nghệ các tỉnh, thành phố",
                    "Lưu: VT",
                ]
            ),
            "signer_authority": "KT. Bộ trưởng",
            "signer_position": "Thứ trưởng",
            "signer_name": name,
        }
    issuer = "Sở Khoa học và Công nghệ"
    if home and home.type == OrgUnitType.PROVINCIAL_DEPT:
        issuer = _WITHOUT_PLACE.sub("", home.name_vi)
    return {
        "parent_body": f"UBND {unit.name_vi}",
        "issuer": issuer,
        "symbol": f"BC-{symbol_of(issuer)}",
        "place": _short_place(unit),
        "recipients": "\n".join([f"{MINISTRY} (để báo cáo)", f"UBND {unit.name_vi} (để báo cáo)", "Lưu: VT"]),
        "signer_authority": "",
        "signer_position": "Giám đốc",
        "signer_name": name,
    }


# --- drafts ---------------------------------------------------------------------------------


@transaction.atomic
def sector_draft_create(*, by: User, unit: OrgUnit, period: PeriodValue) -> OfficialDocument:
    """A draft sector report of the unit for the period: figures read from the stored results,
    the narrative drafted from them for the leader to edit."""
    ensure_can_draft(by, unit)
    if period.type not in REPORT_PERIOD_TYPES:
        raise DocumentError(_("A sector report is monthly or quarterly."))
    figures = sector_figures(user=by, unit=unit, period=period)
    assessment, proposals = narrative_draft(figures)
    now = timezone.now()
    return OfficialDocument.objects.create(
        period=period_get(period),
        org_unit=unit,
        assessment=assessment,
        proposals=proposals,
        figures=figures.as_json(),
        figures_read_at=now,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
        **document_defaults(user=by, unit=unit),
    )


EDITABLE = (
    "parent_body",
    "issuer",
    "symbol",
    "place",
    "assessment",
    "proposals",
    "recipients",
    "signer_authority",
    "signer_position",
    "signer_name",
)


def _ensure_draft(document: OfficialDocument) -> None:
    if not document.is_draft:
        raise DocumentError(_("This document has been issued: it can no longer be changed."))


@transaction.atomic
def document_update(*, document: OfficialDocument, by: User, **fields) -> OfficialDocument:
    """Change the narrative, the title block or the closing of a draft."""
    ensure_can_draft(by, document.org_unit)
    _ensure_draft(document)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(document, name, value.strip())
    document.updated_by = by
    document.updated_at = timezone.now()
    document.save(update_fields=[*fields, "updated_by", "updated_at"])
    return document


@transaction.atomic
def document_figures_refresh(*, document: OfficialDocument, by: User) -> OfficialDocument:
    """Read a draft's figures again from the stored results (the narrative stays as edited)."""
    ensure_can_draft(by, document.org_unit)
    _ensure_draft(document)
    figures = sector_figures(user=by, unit=document.org_unit, period=document.period.value)
    document.figures = figures.as_json()
    document.figures_read_at = timezone.now()
    document.updated_by = by
    document.updated_at = document.figures_read_at
    document.save(update_fields=["figures", "figures_read_at", "updated_by", "updated_at"])
    return document


@transaction.atomic
def document_issue(*, document: OfficialDocument, by: User) -> OfficialDocument:
    """Issue a draft: it takes the next number of its symbol in the year and today's date, is
    locked, and its DOCX and PDF are rendered in the background and kept."""
    from .jobs import render_job_create

    if not can_issue(by, document):
        ensure_can_view(by, document.org_unit)
        raise PermissionDenied(
            _("Only a leader issues a report: the province's for its own, the ministry's for the national one.")
        )
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    _ensure_draft(document)
    day = today()
    last = OfficialDocument.objects.filter(symbol=document.symbol, issued_year=day.year).aggregate(n=Max("number"))["n"]
    document.number = (last or 0) + 1
    document.issued_year = day.year
    document.issued_on = day
    document.state = DocumentState.ISSUED
    document.issued_by = by
    document.issued_at = timezone.now()
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        raise DocumentError(_("Another document took this number at the same moment; issue it again.")) from None
    document.job_id = render_job_create(document=document, by=by).pk
    document.save(update_fields=["job_id"])
    return document


# --- rendering ------------------------------------------------------------------------------


def document_model(document: OfficialDocument) -> Document:
    """The document model of a stored draft or issued document (its kept figures)."""
    figures = SectorFigures.from_json(document.figures)
    meta = SectorMeta(
        parent_body=document.parent_body,
        issuer=document.issuer,
        symbol=document.symbol,
        place=document.place,
        number=document.number,
        date=document.issued_on,
        year=document.period.end_date.year if document.issued_on is None else document.issued_on.year,
        recipients=document.recipient_list,
        signature=Signature(document.signer_authority, document.signer_position, document.signer_name),
        draft=document.is_draft,
    )
    return sector_document(figures, assessment=document.assessment, proposals=document.proposals, meta=meta)


def render(model: Document, fmt: str) -> bytes:
    if fmt == DocumentFormat.DOCX:
        return render_docx(model)
    if fmt == DocumentFormat.PDF:
        return render_pdf(model)
    raise DocumentError(_("Unknown format “%(format)s”: use docx or pdf.") % {"format": str(fmt)[:10]})


def document_file_name(document: OfficialDocument, fmt: str) -> str:
    """An ASCII file name: bao-cao-so-05-BC-BKHCN-2026.pdf, or du-thao-... for a draft."""
    if document.is_draft:
        stem = f"du-thao-bao-cao-{document.period.code}-{document.org_unit.code}"
    else:
        stem = f"bao-cao-so-{document.number:02d}-{document.symbol}-{document.issued_year}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", unidecode(stem)) + f".{fmt}"


def document_render(document: OfficialDocument, fmt: str) -> bytes:
    """The file of a document: an issued one's kept file when rendered, else rendered now."""
    stored = {DocumentFormat.DOCX: document.docx_file, DocumentFormat.PDF: document.pdf_file}.get(fmt)
    if stored and not document.is_draft:
        with stored.open("rb") as handle:
            return handle.read()
    return render(document_model(document), fmt)


def document_files_store(*, document: OfficialDocument, progress=None) -> dict:
    """Render an issued document's DOCX and PDF and keep them (the rendering job's work)."""
    model = document_model(document)
    sizes = {}
    for step, fmt in enumerate((DocumentFormat.DOCX, DocumentFormat.PDF)):
        if progress:
            progress(step, total=2, stage=fmt)
        content = render(model, fmt)
        field = document.docx_file if fmt == DocumentFormat.DOCX else document.pdf_file
        field.save(document_file_name(document, fmt), ContentFile(content), save=False)
        sizes[fmt] = len(content)
    OfficialDocument.objects.filter(pk=document.pk).update(docx_file=document.docx_file, pdf_file=document.pdf_file)
    if progress:
        progress(2, total=2, stage="done")
    return sizes


def sector_report_render(*, user: User, unit: OrgUnit, period: PeriodValue, fmt: str) -> bytes:
    """A sector report made now from the stored results, with the drafted narrative, marked as
    a draft (the API's document: nothing is saved)."""
    ensure_can_view(user, unit)
    figures = sector_figures(user=user, unit=unit, period=period)
    assessment, proposals = narrative_draft(figures)
    defaults = document_defaults(user=user, unit=unit)
    meta = SectorMeta(
        parent_body=defaults["parent_body"],
        issuer=defaults["issuer"],
        symbol=defaults["symbol"],
        place=defaults["place"],
        number=None,
        date=None,
        year=period.end.year,
        recipients=defaults["recipients"].splitlines(),
        signature=Signature(defaults["signer_authority"], defaults["signer_position"], defaults["signer_name"]),
        draft=True,
    )
    return render(sector_document(figures, assessment=assessment, proposals=proposals, meta=meta), fmt)
