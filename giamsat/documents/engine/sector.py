"""The sector report (monthly or quarterly, national or for one province) as a document: the
figures read from the stored evaluation results (documents/selectors.py gathers them into
SectorFigures, plain data that a draft keeps as it was read), the narrative a leader edits,
and the metadata of the title block. Pure: no database, no clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields

from .model import BarChart, Document, Heading, Paragraph, Signature, Table
from .numbers import NO_DATA, vn_number, vn_percent

INDEX_DECIMALS = 4  # as the scorecard and the ranking pages show the index


@dataclass
class IndicatorLine:
    pillar: str
    code: str
    name: str
    value: float | None
    decimals: int
    unit: str
    target: float | None
    status: str  # its label: "Đạt", "Có nguy cơ", "Không có số liệu", ...
    period_label: str  # the period the value is shown at (a yearly indicator: its last year)


@dataclass
class RankingLine:
    rank: int | None
    code: str
    name: str
    value: float
    complete: bool  # every input reported for the period and the reports accepted


@dataclass
class PillarLine:
    label: str
    value: float | None
    national_median: float | None = None


@dataclass
class CompletenessLine:
    data_set: str
    expected: int
    received: int
    on_time: int


@dataclass
class SectorFigures:
    """What the report says, read from stored results; None is "no data", never 0."""

    period_code: str
    period_label: str  # "tháng 11/2026", "quý III/2026"
    quarterly: bool
    unit_code: str
    unit_name: str
    national: bool
    index: float | None = None  # the unit's index (a province); the national median (national)
    rank: int | None = None
    previous_rank: int | None = None
    peers: int | None = None
    national_median: float | None = None
    region_name: str = ""
    region_median: float | None = None
    pillars: list[PillarLine] = field(default_factory=list)
    ranking: list[RankingLine] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    completeness: list[CompletenessLine] = field(default_factory=list)
    alerts: dict[str, int] = field(default_factory=dict)  # active alerts by severity label

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> SectorFigures:
        """The figures a document kept; keys a later version no longer has are left out."""

        def known(kind, row: dict):
            return kind(**{k: v for k, v in row.items() if k in {f.name for f in fields(kind)}})

        data = dict(data)
        data["pillars"] = [known(PillarLine, p) for p in data.get("pillars", [])]
        data["ranking"] = [known(RankingLine, r) for r in data.get("ranking", [])]
        data["indicators"] = [known(IndicatorLine, i) for i in data.get("indicators", [])]
        data["completeness"] = [known(CompletenessLine, c) for c in data.get("completeness", [])]
        return known(cls, data)


def lower_first(text: str) -> str:
    """ "Quý III/2026" → "quý III/2026" (inside a sentence)."""
    return text[:1].lower() + text[1:]


def index_text(value: float | None) -> str:
    return vn_number(value, INDEX_DECIMALS)


def indicator_value_text(line: IndicatorLine) -> str:
    if line.value is None:
        return NO_DATA
    return f"{vn_number(line.value, line.decimals)} {line.unit}".strip()


def narrative_draft(figures: SectorFigures) -> tuple[str, str]:
    """The assessment and the proposals, drafted from the figures for a leader to edit:
    paragraphs separated by blank lines."""
    where = "toàn quốc" if figures.national else figures.unit_name
    paragraphs = []
    if figures.national:
        ranked = [r for r in figures.ranking if r.value is not None]
        if ranked:
            best, worst = ranked[0], ranked[-1]
            paragraphs.append(
                f"Trong {figures.period_label}, chỉ số chuyển đổi số của {len(ranked)} tỉnh, thành phố có trung vị "
                f"{index_text(figures.index)}; dẫn đầu là {best.name} ({index_text(best.value)}), thấp nhất là "
                f"{worst.name} ({index_text(worst.value)})."
            )
        else:
            paragraphs.append(f"Trong {figures.period_label}, chưa có chỉ số chuyển đổi số của các tỉnh, thành phố.")
        incomplete = sum(1 for r in ranked if not r.complete)
        if incomplete:
            paragraphs.append(
                f"Có {incomplete}/{len(ranked)} tỉnh, thành phố chưa đủ số liệu hoặc báo cáo chưa được Bộ tiếp nhận; "
                "chỉ số của các địa phương này là số liệu tạm tính."
            )
    else:
        if figures.index is None:
            paragraphs.append(f"Trong {figures.period_label}, {where} chưa có chỉ số chuyển đổi số (không có số liệu).")
        else:
            rank = f", xếp thứ {figures.rank}/{figures.peers} tỉnh, thành phố" if figures.rank and figures.peers else ""
            median = (
                f" (trung vị toàn quốc {index_text(figures.national_median)})"
                if figures.national_median is not None
                else ""
            )
            paragraphs.append(
                f"Trong {figures.period_label}, chỉ số chuyển đổi số của {where} đạt {index_text(figures.index)}"
                f"{median}{rank}."
            )
    counted = [i for i in figures.indicators if i.value is not None]
    missing = len(figures.indicators) - len(counted)
    if figures.indicators:
        paragraphs.append(
            f"Có {len(counted)}/{len(figures.indicators)} chỉ tiêu có số liệu"
            + (f"; {missing} chỉ tiêu không có số liệu trong kỳ." if missing else ".")
        )
    total_alerts = sum(figures.alerts.values())
    if total_alerts:
        detail = ", ".join(f"{n} {label.lower()}" for label, n in figures.alerts.items() if n)
        paragraphs.append(f"Hiện còn {total_alerts} cảnh báo chưa xử lý xong ({detail}).")
    proposals = [
        "Các đơn vị chưa gửi hoặc gửi chậm báo cáo khẩn trương hoàn thành, bảo đảm số liệu đầy đủ, đúng hạn.",
        "Tập trung khắc phục các chỉ tiêu có nguy cơ không đạt và các cảnh báo chưa xử lý.",
    ]
    return "\n\n".join(paragraphs), "\n\n".join(proposals)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of an edited text: separated by blank lines; line breaks inside are joined."""
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in text.split("\n\n")]
    return [b for b in blocks if b]


@dataclass
class SectorMeta:
    """The title block and the closing of a sector report, as the draft holds them."""

    parent_body: str
    issuer: str
    symbol: str
    place: str
    number: int | None
    date: dt.date | None
    year: int
    recipients: list[str]
    signature: Signature
    draft: bool


def sector_document(figures: SectorFigures, *, assessment: str, proposals: str, meta: SectorMeta) -> Document:
    """The whole report: I. the assessment (the leader's text), II. the figures (index and
    ranking, the chart, the indicators, the reports, the alerts), III. the proposals."""
    body: list = [Heading("I. ĐÁNH GIÁ CHUNG")]
    body += [Paragraph(p) for p in split_paragraphs(assessment)] or [Paragraph(NO_DATA)]
    body.append(Heading("II. SỐ LIỆU CHỦ YẾU"))
    body.append(Heading("1. Chỉ số chuyển đổi số"))
    if figures.national:
        body += _national_index(figures)
    else:
        body += _unit_index(figures)
    body.append(Heading("2. Kết quả thực hiện các chỉ tiêu"))
    body += _indicators(figures)
    body.append(Heading("3. Tình hình gửi báo cáo"))
    body += _completeness(figures)
    body.append(Heading("4. Cảnh báo chưa xử lý xong"))
    body += _alerts(figures)
    body.append(Heading("III. KIẾN NGHỊ, ĐỀ XUẤT"))
    body += [Paragraph(p) for p in split_paragraphs(proposals)]
    scope = "toàn quốc" if figures.national else figures.unit_name
    return Document(
        parent_body=meta.parent_body,
        issuer=meta.issuer,
        number=meta.number,
        symbol=meta.symbol,
        place=meta.place,
        date=meta.date,
        kind="BÁO CÁO",
        summary=f"Tình hình chuyển đổi số {figures.period_label} ({scope})",
        body=body,
        recipients=meta.recipients,
        signature=meta.signature,
        draft=meta.draft,
        year=meta.year,
    )


def _national_index(figures: SectorFigures) -> list:
    ranked = figures.ranking
    if not ranked:
        return [Paragraph(f"Chỉ số chuyển đổi số {figures.period_label}: {NO_DATA}.")]
    blocks = [
        Paragraph(
            f"Trung vị chỉ số của {len(ranked)} tỉnh, thành phố: {index_text(figures.index)}. "
            "Chỉ số đánh dấu (*) là tạm tính: chưa đủ số liệu hoặc báo cáo chưa được Bộ tiếp nhận."
        )
    ]
    rows = [
        [str(r.rank) if r.rank else "—", r.name, index_text(r.value) + ("" if r.complete else " (*)")] for r in ranked
    ]
    blocks.append(
        Table(
            columns=["Xếp hạng", "Tỉnh, thành phố", "Chỉ số"],
            rows=rows,
            widths=[1.2, 5, 2],
            numeric=[True, False, True],
            caption=f"Bảng 1. Chỉ số chuyển đổi số các tỉnh, thành phố {figures.period_label}",
        )
    )
    blocks.append(
        BarChart(
            caption=f"Hình 1. Chỉ số chuyển đổi số các tỉnh, thành phố {figures.period_label}",
            labels=[r.name for r in ranked],
            values=[r.value for r in ranked],
            value_label="Chỉ số (0–1)",
        )
    )
    return blocks


def _unit_index(figures: SectorFigures) -> list:
    if figures.index is None:
        return [Paragraph(f"Chỉ số chuyển đổi số của {figures.unit_name} {figures.period_label}: {NO_DATA}.")]
    parts = [f"Chỉ số chuyển đổi số của {figures.unit_name} {figures.period_label}: {index_text(figures.index)}"]
    if figures.rank and figures.peers:
        parts.append(f"xếp thứ {figures.rank}/{figures.peers}")
        if figures.previous_rank:
            parts.append(f"kỳ trước thứ {figures.previous_rank}")
    if figures.national_median is not None:
        parts.append(f"trung vị toàn quốc {index_text(figures.national_median)}")
    if figures.region_median is not None and figures.region_name:
        parts.append(f"trung vị {figures.region_name} {index_text(figures.region_median)}")
    blocks = [Paragraph("; ".join(parts) + ".")]
    if figures.pillars:
        rows = [[p.label, index_text(p.value), index_text(p.national_median)] for p in figures.pillars]
        blocks.append(
            Table(
                columns=["Trụ cột", "Giá trị", "Trung vị toàn quốc"],
                rows=rows,
                widths=[5, 2, 2.5],
                numeric=[False, True, True],
                caption=f"Bảng 1. Các trụ cột của chỉ số {figures.period_label}",
            )
        )
        shown = [p for p in figures.pillars if p.value is not None]
        if shown:
            blocks.append(
                BarChart(
                    caption=f"Hình 1. Các trụ cột của chỉ số chuyển đổi số {figures.unit_name}",
                    labels=[p.label for p in shown],
                    values=[p.value for p in shown],
                    value_label="Giá trị (0–1)",
                    note=("Trụ cột không có số liệu không được vẽ." if len(shown) < len(figures.pillars) else ""),
                )
            )
    return blocks


def _indicators(figures: SectorFigures) -> list:
    if not figures.indicators:
        return [Paragraph(f"Các chỉ tiêu: {NO_DATA}.")]
    rows = []
    for n, line in enumerate(figures.indicators, start=1):
        target = vn_number(line.target, line.decimals) if line.target is not None else "—"
        value = indicator_value_text(line)
        if line.value is not None and lower_first(line.period_label) != figures.period_label:
            value += f" ({lower_first(line.period_label)})"  # a yearly indicator: its last year
        rows.append([str(n), line.name, value, target, line.status])
    return [
        Table(
            columns=["STT", "Chỉ tiêu", "Giá trị", "Mục tiêu", "Đánh giá"],
            rows=rows,
            widths=[0.8, 5.2, 2, 1.6, 2],
            numeric=[True, False, True, True, False],
            caption=f"Bảng 2. Kết quả các chỉ tiêu {figures.period_label}",
        )
    ]


def _completeness(figures: SectorFigures) -> list:
    if not figures.completeness:
        return [Paragraph(f"Tình hình gửi báo cáo: {NO_DATA}.")]
    rows = []
    for line in figures.completeness:
        rate = vn_percent(100 * line.received / line.expected) if line.expected else NO_DATA
        rows.append([line.data_set, vn_number(line.expected), vn_number(line.received), vn_number(line.on_time), rate])
    return [
        Table(
            columns=["Báo cáo", "Phải gửi", "Đã gửi", "Đúng hạn", "Tỷ lệ đã gửi"],
            rows=rows,
            widths=[5, 1.6, 1.6, 1.6, 1.8],
            numeric=[False, True, True, True, True],
            caption=f"Bảng 3. Tình hình gửi báo cáo {figures.period_label}",
        )
    ]


def _alerts(figures: SectorFigures) -> list:
    total = sum(figures.alerts.values())
    if not total:
        return [Paragraph("Không có cảnh báo chưa xử lý xong.")]
    detail = "; ".join(f"{label}: {vn_number(n)}" for label, n in figures.alerts.items() if n)
    return [Paragraph(f"Tổng số cảnh báo chưa xử lý xong: {vn_number(total)} ({detail}).")]
