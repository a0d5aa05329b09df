"""The plans' part of `make run`'s demo: three years of plans (two years back to this year) of
every current provincial department, the ministry's departments and the ministries' IT units,
built from the tasks the seed documents name (sources/002: the 2022 minister's speech and the
December 2024 conference) and plausible tasks of each domain, then played out through the real
services with backdated times: progress reports with evidence, evidence accepted or returned,
extensions approved or refused, tasks completed on time, late, or not at all.

Deterministic (a random generator seeded per unit and year), relative to `today` (the real date
in `make run`): what happened before today is history, the rest is still open. Hà Nội's
department always has tasks due within days and overdue ones. Idempotent: once the first
document is there, nothing is loaded again."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from giamsat.accounts.choices import Domain
from giamsat.accounts.models import User
from giamsat.events.services import events_muted
from giamsat.orgunits.models import OrgUnit
from giamsat.tracking.choices import Review
from giamsat.tracking.models import WorkItem
from giamsat.tracking.services import (
    baseline_take,
    work_extension_decide,
    work_extension_request,
    work_progress_report,
    work_review_accept,
    work_review_return,
)

from .models import AssigningDocument, Plan, Task
from .services import document_get_or_create, plan_get_or_create, plans_figures_refresh, task_assign_many, task_create

SEED = 17
MERGER = dt.date(2025, 3, 1)  # Bộ TT&TT merged into Bộ KH&CN
ISSUER_BEFORE = "Bộ Thông tin và Truyền thông"
ISSUER = "Bộ Khoa học và Công nghệ"
LEADER = "lanhdao.bo"
HANOI_DEPT = "SKHCN_01"
# The unit's own people, where the demo has an account for them (else the demo's system account).
REPORTERS = {HANOI_DEPT: "hanoi.baocao", "CNTT.BO_TAICHINH": "taichinh.cntt"}
HANOI_LEADER = "hanoi.lanhdao"
CONFERENCE_TITLE = "Thông báo kết luận của Bộ trưởng tại Hội nghị giao ban quản lý nhà nước"

D = Domain


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _issuer(day: dt.date) -> str:
    return ISSUER if day >= MERGER else ISSUER_BEFORE


def _suffix(day: dt.date) -> str:
    return "BKHCN" if day >= MERGER else "BTTTT"


# --- what the ministry gives -----------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """A task the ministry gives to many units at once."""

    title: str
    due: dt.date
    domain: str
    deliverable: str
    to: str  # "provinces", "it_units", "depts", or a unit code
    subtasks: tuple[tuple[str, dt.date], ...] = ()  # the unit's own steps (provinces that split it)


@dataclass
class Document:
    number: str
    issued_on: dt.date
    title: str
    tasks: list[Given] = field(default_factory=list)


INFRA_SUBTASKS_DEAD_ZONES = (
    ("Rà soát, lập danh sách thôn, bản lõm sóng kèm tọa độ và số hộ dân", 5),
    ("Phối hợp doanh nghiệp viễn thông, Quỹ Dịch vụ viễn thông công ích lập kế hoạch phủ sóng", 7),
)


def _conference_q1(year: int, first_year: int) -> Document:
    """The first quarter's management conference (as in March 2022): the five digital
    infrastructure tasks of every province, the online monitoring connection of the IT units,
    and, the first year, the provinces still without a digital transformation resolution."""
    issued = dt.date(year, 3, 31)
    doc = Document(
        number=f"{1120 + (year - 2024) * 37}/TB-{_suffix(issued)}",
        issued_on=issued,
        title=f"{CONFERENCE_TITLE} quý I/{year}",
    )
    if year == first_year:
        doc.tasks.append(
            Given(
                "Tham mưu Tỉnh ủy ban hành nghị quyết chuyên đề, UBND tỉnh ban hành kế hoạch chuyển đổi số",
                dt.date(year, 4, 30),
                D.IT_DX,
                "Nghị quyết của Tỉnh ủy; kế hoạch chuyển đổi số của UBND tỉnh",
                "provinces_without_resolution",
            )
        )
    doc.tasks += [
        Given(
            "Xóa các vùng lõm sóng 3G/4G trên địa bàn",
            dt.date(year, 10, 31),
            D.TELECOM,
            "Danh sách thôn, bản đã được phủ sóng; báo cáo kết quả kèm số liệu",
            "provinces",
            tuple((title, month) for title, month in INFRA_SUBTASKS_DEAD_ZONES),
        ),
        Given(
            "Phấn đấu 100% hộ gia đình có điện thoại thông minh hoặc máy tính bảng",
            dt.date(year, 11, 30),
            D.DIGITAL_SOCIETY,
            "Báo cáo tỷ lệ hộ gia đình có điện thoại thông minh",
            "provinces",
        ),
        Given(
            "Đưa Internet cáp quang đến 100% thôn, bản; 80% hộ gia đình có Internet cáp quang",
            dt.date(year, 12, 15),
            D.TELECOM,
            "Báo cáo kết quả phát triển hạ tầng cáp quang đến thôn, bản",
            "provinces",
        ),
        Given(
            "Giảm tỷ lệ thuê bao điện thoại chỉ dùng 2G xuống dưới 5%",
            dt.date(year, 9, 30),
            D.TELECOM,
            "Số liệu thuê bao 2G của các doanh nghiệp trên địa bàn",
            "provinces",
        ),
        Given(
            "Tăng tốc độ Internet cố định và di động trên địa bàn ít nhất 30%",
            dt.date(year, 12, 31),
            D.TELECOM,
            "Kết quả đo tốc độ Internet cố định và di động",
            "provinces",
        ),
        Given(
            "Kết nối, cập nhật số liệu của bộ, ngành lên hệ thống giám sát trực tuyến của Bộ",
            dt.date(year, 6, 30),
            D.IT_DX,
            "Hệ thống đã kết nối; số liệu kỳ gần nhất được cập nhật",
            "it_units",
        ),
        Given(
            "Xây dựng bộ chỉ tiêu giám sát trực tuyến lĩnh vực phụ trách",
            dt.date(year, 5, 31),
            "",
            "Bộ chỉ tiêu được Lãnh đạo Bộ phê duyệt",
            "depts",
        ),
    ]
    return doc


QUARTERS = ("I", "II", "III", "IV")


def _conference_q4(year: int) -> Document:
    """The fourth quarter's conference of `year` - 1 (as on 9 December 2024), giving the tasks of
    `year`: good practices collected and shared each quarter by every department, the
    full-process online dossiers target sent to each province and ministry "this week",
    databases completed, dead zones listed with coordinates."""
    issued = dt.date(year - 1, 12, 13)
    doc = Document(
        number=f"{5230 + (year - 2024) * 41}/TB-{_suffix(issued)}",
        issued_on=issued,
        title=f"{CONFERENCE_TITLE} quý IV/{year - 1}",
    )
    for q, roman in enumerate(QUARTERS, start=1):
        doc.tasks.append(
            Given(
                "Thu thập kinh nghiệm, cách làm tốt của các bộ, ngành, địa phương và tổ chức chia sẻ "
                f"quý {roman}/{year}",
                _last_day(year, q * 3),
                "",
                "Tài liệu tổng hợp cách làm tốt; hội nghị chia sẻ trực tuyến",
                "depts",
            )
        )
    doc.tasks += [
        Given(
            "Ký văn bản giao mục tiêu dịch vụ công trực tuyến toàn trình cho từng bộ, ngành, địa phương, "
            "gửi đích danh người đứng đầu",
            issued + dt.timedelta(days=4),
            D.IT_DX,
            "Văn bản của Bộ gửi các bộ, ngành, địa phương",
            "BO_KHCN.CUC_CDSQG",
        ),
        Given(
            "Ban hành hướng dẫn thu thập thông tin điểm lõm sóng (tọa độ, số hộ dân cần phủ sóng)",
            _last_day(year - 1, 12),
            D.TELECOM,
            "Văn bản hướng dẫn gửi các sở",
            "BO_KHCN.CUC_VIENTHONG",
        ),
        Given(
            "Lập danh sách điểm lõm sóng kèm tọa độ, số hộ dân cần phủ sóng theo hướng dẫn của Cục Viễn thông",
            _last_day(year, 2),
            D.TELECOM,
            "Danh sách điểm lõm sóng gửi Cục Viễn thông",
            "provinces",
        ),
        Given(
            f"Đạt tỷ lệ hồ sơ trực tuyến toàn trình 70% trong năm {year}",
            dt.date(year, 12, 31),
            D.IT_DX,
            "Số liệu hồ sơ trực tuyến toàn trình trên Cổng dịch vụ công",
            "provinces",
        ),
        Given(
            f"Đạt tỷ lệ hồ sơ trực tuyến toàn trình 85% trong năm {year}",
            dt.date(year, 12, 31),
            D.IT_DX,
            "Số liệu hồ sơ trực tuyến toàn trình trên Cổng dịch vụ công",
            "it_units",
        ),
        Given(
            "Hoàn thành xây dựng cơ sở dữ liệu dùng chung, cập nhật dữ liệu hằng ngày",
            dt.date(year, 11, 30),
            D.IT_DX,
            "Kho dữ liệu dùng chung vận hành; danh mục dữ liệu đã số hóa",
            "provinces",
        ),
        Given(
            "Hoàn thành xây dựng cơ sở dữ liệu chuyên ngành, bắt đầu hoạt động dựa trên dữ liệu",
            dt.date(year, 11, 30),
            D.IT_DX,
            "Cơ sở dữ liệu chuyên ngành vận hành; danh mục dữ liệu mở",
            "it_units",
        ),
    ]
    if year == 2025:
        # "55 provinces have a digital infrastructure plan; the others can learn from them."
        doc.tasks.append(
            Given(
                "Ban hành kế hoạch phát triển hạ tầng số trên địa bàn",
                dt.date(year, 6, 30),
                D.TELECOM,
                "Kế hoạch phát triển hạ tầng số của UBND tỉnh",
                "provinces_without_infra_plan",
            )
        )
    return doc


# --- the units' own tasks, per domain ------------------------------------------------------

PROVINCE_OWN = [
    ("Ký hợp đồng thuê dịch vụ điện toán đám mây cho các hệ thống thông tin của tỉnh", D.IT_DX, "Hợp đồng đã ký"),
    ("Chuyển dữ liệu từ các hệ thống cũ lên nền tảng điện toán đám mây", D.IT_DX, "Biên bản nghiệm thu chuyển đổi"),
    ("Triển khai chương trình tái sử dụng máy tính cũ cho học sinh", D.DIGITAL_SOCIETY, "Danh sách máy đã trao"),
    ("Triển khai kho dữ liệu dùng chung và cổng dữ liệu mở của tỉnh", D.IT_DX, "Cổng dữ liệu mở vận hành"),
    ("Kiện toàn tổ công nghệ số cộng đồng đến thôn, tổ dân phố", D.DIGITAL_SOCIETY, "Quyết định kiện toàn"),
    ("Tập huấn kỹ năng số cho cán bộ, công chức cấp xã", D.DIGITAL_SOCIETY, "Báo cáo kết quả tập huấn"),
    ("Hạ ngầm, chỉnh trang cáp viễn thông trên các tuyến phố chính", D.TELECOM, "Danh sách tuyến đã hạ ngầm"),
    ("Thẩm định, cấp phép xây dựng trạm thu phát sóng di động 5G", D.TELECOM, "Số trạm được cấp phép"),
    ("Bảo đảm 100% xã có điểm phục vụ bưu chính kết nối Internet", D.POST, "Danh sách điểm phục vụ"),
    ("Cập nhật mã bưu chính sau sắp xếp đơn vị hành chính cấp xã", D.POST, "Danh mục mã bưu chính mới"),
    ("Tổ chức diễn tập ứng cứu sự cố an toàn thông tin mạng cấp tỉnh", D.CYBERSEC, "Báo cáo kết quả diễn tập"),
    ("Phê duyệt cấp độ an toàn cho các hệ thống thông tin của tỉnh", D.CYBERSEC, "Quyết định phê duyệt cấp độ"),
    ("Vận hành mạng lưới người phát ngôn của tỉnh trên nền tảng số", D.PRESS, "Báo cáo tiếp nhận, trả lời"),
    ("Giám sát trực tuyến báo chí, trang thông tin điện tử địa phương", D.PRESS, "Báo cáo giám sát hằng tháng"),
    ("Hỗ trợ doanh nghiệp nhỏ và vừa hiện diện trên sàn thương mại điện tử", D.DIGITAL_ECONOMY, "Số doanh nghiệp"),
    ("Đo lường tỷ trọng kinh tế số của tỉnh hằng tháng", D.DIGITAL_ECONOMY, "Báo cáo số liệu hằng tháng"),
    ("Khảo sát, cập nhật danh sách doanh nghiệp công nghệ số trên địa bàn", D.ICT_INDUSTRY, "Danh sách cập nhật"),
    ("Xây dựng đề án phát triển khu công nghệ thông tin tập trung", D.ICT_INDUSTRY, "Đề án trình UBND tỉnh"),
]

IT_UNIT_OWN = [
    ("Nâng cấp hệ thống thông tin giải quyết thủ tục hành chính của bộ", D.IT_DX, "Hệ thống nâng cấp vận hành"),
    ("Tích hợp dịch vụ công trực tuyến toàn trình lên Cổng dịch vụ công quốc gia", D.IT_DX, "Danh sách dịch vụ"),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", D.IT_DX, "Tỷ lệ hồ sơ được số hóa"),
    ("Triển khai trợ lý ảo hỗ trợ cán bộ, công chức của bộ", D.IT_DX, "Trợ lý ảo vận hành thử"),
    ("Diễn tập thực chiến bảo đảm an toàn thông tin các hệ thống của bộ", D.CYBERSEC, "Báo cáo diễn tập"),
    ("Phê duyệt hồ sơ đề xuất cấp độ an toàn hệ thống thông tin", D.CYBERSEC, "Quyết định phê duyệt"),
    ("Chuyển các hệ thống dùng chung của bộ lên nền tảng điện toán đám mây", D.IT_DX, "Biên bản nghiệm thu"),
    ("Kết nối cơ sở dữ liệu chuyên ngành với nền tảng tích hợp, chia sẻ dữ liệu quốc gia", D.IT_DX, "Kết nối"),
    ("Xây dựng kiến trúc Chính phủ số của bộ, phiên bản mới", D.IT_DX, "Kiến trúc được ban hành"),
]

DEPT_OWN = {
    "VU_BUUCHINH": [
        ("Xây dựng quy định về mã bưu chính quốc gia sau sắp xếp đơn vị hành chính", D.POST),
        ("Đánh giá chất lượng dịch vụ bưu chính công ích", D.POST),
        ("Hướng dẫn phát triển địa chỉ số quốc gia gắn với bản đồ số", D.POST),
    ],
    "CUC_VIENTHONG": [
        ("Tổ chức đấu thầu xóa vùng lõm sóng sử dụng Quỹ Dịch vụ viễn thông công ích", D.TELECOM),
        ("Đo kiểm chất lượng dịch vụ di động 4G, 5G tại các tỉnh", D.TELECOM),
        ("Tổng hợp kế hoạch phát triển hạ tầng số của các địa phương", D.TELECOM),
    ],
    "CUC_TANSO": [
        ("Kiểm tra, xử lý can nhiễu tần số tại các khu vực biên giới", D.TELECOM),
        ("Quy hoạch băng tần cho mạng di động 5G", D.TELECOM),
        ("Cấp phép sử dụng tần số trực tuyến toàn trình", D.TELECOM),
    ],
    "CUC_CDSQG": [
        ("Vận hành hệ thống giám sát trực tuyến kết nối với các bộ, ngành, địa phương", D.IT_DX),
        ("Đánh giá mức độ chuyển đổi số của các bộ, ngành, địa phương", D.IT_DX),
        ("Hướng dẫn xây dựng cơ sở dữ liệu của các bộ, ngành, địa phương", D.IT_DX),
    ],
    "CUC_CNCNTT": [
        ("Thống kê doanh nghiệp công nghệ số theo địa phương", D.ICT_INDUSTRY),
        ("Xây dựng chương trình phát triển sản phẩm công nghệ số Make in Viet Nam", D.ICT_INDUSTRY),
        ("Đánh giá hoạt động các khu công nghệ thông tin tập trung", D.ICT_INDUSTRY),
    ],
    "VU_KTXHS": [
        ("Đo lường kinh tế số của các địa phương, các ngành và cả nước hằng tháng", D.DIGITAL_ECONOMY),
        ("Hướng dẫn hoạt động tổ công nghệ số cộng đồng", D.DIGITAL_SOCIETY),
        ("Tổng hợp kết quả phổ cập điện thoại thông minh của các địa phương", D.DIGITAL_SOCIETY),
    ],
}
DEPT_DOMAIN = {
    "VU_BUUCHINH": D.POST,
    "CUC_VIENTHONG": D.TELECOM,
    "CUC_TANSO": D.TELECOM,
    "CUC_CDSQG": D.IT_DX,
    "CUC_CNCNTT": D.ICT_INDUSTRY,
    "VU_KTXHS": D.DIGITAL_ECONOMY,
}

# Hà Nội's department: tasks due within days and overdue ones, whatever today is
# (days from today: negative = overdue; start, progress).
HANOI_NEAR = [
    ("Báo cáo kết quả chương trình tái sử dụng máy tính cũ cho học sinh", D.DIGITAL_SOCIETY, 2, 60),
    ("Hoàn thiện hồ sơ thuê dịch vụ điện toán đám mây giai đoạn 2", D.IT_DX, 5, 40),
    ("Tổng hợp cách làm tốt về chuyển dữ liệu lên nền tảng điện toán đám mây", D.IT_DX, 9, 20),
    ("Cập nhật danh sách điểm lõm sóng tại các xã ngoại thành", D.TELECOM, -4, 80),
    ("Báo cáo đánh giá an toàn thông tin các hệ thống của thành phố", D.CYBERSEC, -18, 40),
]

PROGRESS_NOTES = [
    "Đã ban hành kế hoạch triển khai, đang phối hợp các đơn vị liên quan thực hiện.",
    "Đã hoàn thành khảo sát, đang tổng hợp số liệu.",
    "Đang triển khai theo tiến độ; đã làm việc với các doanh nghiệp viễn thông.",
    "Đã hoàn thành dự thảo, đang lấy ý kiến các sở, ngành.",
]
DONE_NOTES = [
    "Đã hoàn thành; gửi kèm văn bản báo cáo kết quả.",
    "Hoàn thành nhiệm vụ; số liệu đã cập nhật trên hệ thống.",
    "Đã ban hành văn bản; đính kèm đường dẫn văn bản trên hệ thống quản lý văn bản.",
]
RETURN_REASONS = [
    "Minh chứng chưa có văn bản ban hành chính thức, đề nghị bổ sung bản có chữ ký, đóng dấu.",
    "Số liệu báo cáo chưa khớp với số liệu trên hệ thống, đề nghị rà soát lại.",
    "Báo cáo chưa nêu rõ danh sách thôn, bản và số hộ dân đã được phủ sóng.",
]
EXTENSION_REASONS = [
    "Doanh nghiệp viễn thông chậm lắp đặt trạm do vướng mặt bằng.",
    "Chờ ý kiến thẩm định kinh phí của Sở Tài chính.",
    "Sắp xếp tổ chức bộ máy, cán bộ phụ trách thay đổi.",
    "Nhà thầu chậm bàn giao sản phẩm, đã có văn bản đôn đốc.",
]
APPROVE_NOTES = ["Đồng ý gia hạn; đề nghị hoàn thành đúng thời hạn mới.", "Đồng ý."]
REFUSE_NOTES = [
    "Nhiệm vụ đã được giao từ đầu năm, đề nghị tập trung hoàn thành đúng hạn.",
    "Không đồng ý gia hạn: thời hạn gắn với báo cáo Chính phủ.",
]


# --- playing a task out ---------------------------------------------------------------------


class Timeline:
    """Backdated times for one task's history: always later than the last one, never today or
    later (what would happen from today on has not happened yet)."""

    def __init__(self, created_at: dt.datetime, today: dt.date, rng: random.Random):
        self.last = created_at
        self.today = today
        self.rng = rng

    @property
    def last_day(self) -> dt.date:
        return timezone.localtime(self.last).date()

    def possible(self, day: dt.date) -> bool:
        return max(day, self.last_day) < self.today

    def at(self, day: dt.date) -> dt.datetime:
        day = max(day, self.last_day)
        hour = dt.time(8 + self.rng.randrange(8), self.rng.randrange(60))
        moment = timezone.make_aware(dt.datetime.combine(day, hour))
        if moment <= self.last:
            moment = self.last + dt.timedelta(minutes=23)
        self.last = moment
        return moment


@dataclass
class Loaded:
    plans: int = 0
    documents: int = 0
    tasks: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def line(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        return f"Demo plans: {self.plans} plans, {self.documents} assigning documents, {self.tasks} tasks ({parts})."


class Player:
    def __init__(self, *, today: dt.date, summary: Loaded):
        self.today = today
        self.summary = summary

    def _link(self, task: Task, n: int) -> str:
        return f"https://vanban.demo.giamsat.vn/{task.item.owner_unit.code.lower()}/{task.plan.year}/{task.pk}-{n}"

    def _progress(self, task, clock, reporter, day, progress, rng) -> None:
        if clock.possible(day):
            work_progress_report(
                item=task.item, by=reporter, progress=progress, note=rng.choice(PROGRESS_NOTES), at=clock.at(day)
            )

    def _complete(self, task, clock, reporter, day, rng) -> bool:
        if not clock.possible(day):
            return False
        work_progress_report(
            item=task.item,
            by=reporter,
            progress=100,
            note=rng.choice(DONE_NOTES),
            link=self._link(task, rng.randrange(100, 999)),
            completion=True,
            at=clock.at(day),
        )
        return True

    def _accept(self, task, clock, reviewer, day) -> None:
        if clock.possible(day) and task.item.review == Review.PENDING:
            work_review_accept(item=task.item, by=reviewer, note="Đạt yêu cầu.", at=clock.at(day))

    def _extension(self, task, clock, reporter, reviewer, day, days, approve, rng) -> bool:
        """Ask for `days` more on `day`; decided two days later (or left pending: approve None)."""
        if not clock.possible(day):
            return False
        extension = work_extension_request(
            item=task.item,
            by=reporter,
            due_requested=task.item.due_date + dt.timedelta(days=days),
            reason=rng.choice(EXTENSION_REASONS),
            at=clock.at(day),
        )
        decide_on = clock.last_day + dt.timedelta(days=2)
        if approve is None or not clock.possible(decide_on):
            return False
        work_extension_decide(
            extension=extension,
            by=reviewer,
            approve=approve,
            note=rng.choice(APPROVE_NOTES if approve else REFUSE_NOTES),
            at=clock.at(decide_on),
        )
        return approve

    def play(self, task: Task, *, reporter, reviewer, rng: random.Random) -> None:
        """Play the task's history out to today, by chance (seeded) within each year's mix."""
        item = task.item
        today = self.today
        due = item.due_date
        clock = Timeline(item.created_at, today, rng)
        created = clock.last_day
        start = max(item.start_date or created, created)
        mid = start + (due - start) / 2
        age = today.year - task.plan.year
        p_overdue = {0: 0.12, 1: 0.05}.get(age, 0.02)
        r = rng.random()
        days = lambda a, b: dt.timedelta(days=rng.randint(a, b))  # noqa: E731
        if due < today:
            if r < p_overdue:
                self.summary.count("overdue")
                self._progress(task, clock, reporter, mid, rng.choice((30, 50, 70)), rng)
                if rng.random() < 0.4:
                    self._extension(task, clock, reporter, reviewer, due - days(3, 8), 30, False, rng)
            elif r < p_overdue + 0.10:
                self.summary.count("extended")
                self._progress(task, clock, reporter, mid, 50, rng)
                if self._extension(task, clock, reporter, reviewer, due - days(5, 10), rng.randint(14, 45), True, rng):
                    new_due = item.due_date
                    if new_due < today and self._complete(task, clock, reporter, new_due - days(0, 7), rng):
                        self._accept(task, clock, reviewer, clock.last_day + days(1, 4))
                    else:
                        self._progress(task, clock, reporter, today - days(3, 12), 80, rng)
            elif r < p_overdue + 0.22:
                self.summary.count("late")
                self._progress(task, clock, reporter, mid, 60, rng)
                if rng.random() < 0.4:
                    self._extension(task, clock, reporter, reviewer, due - days(3, 6), 20, False, rng)
                if self._complete(task, clock, reporter, min(due + days(2, 35), today - dt.timedelta(days=1)), rng):
                    self._accept(task, clock, reviewer, clock.last_day + days(1, 4))
            elif r < p_overdue + 0.27:
                self.summary.count("returned then completed")
                if self._complete(task, clock, reporter, due - days(5, 15), rng) and clock.possible(
                    clock.last_day + dt.timedelta(days=3)
                ):
                    work_review_return(
                        item=item,
                        by=reviewer,
                        reason=rng.choice(RETURN_REASONS),
                        at=clock.at(clock.last_day + dt.timedelta(days=3)),
                    )
                    if self._complete(task, clock, reporter, clock.last_day + days(3, 20), rng):
                        self._accept(task, clock, reviewer, clock.last_day + days(1, 3))
            else:
                self.summary.count("on time")
                if rng.random() < 0.6:
                    self._progress(task, clock, reporter, mid, 50, rng)
                if self._complete(task, clock, reporter, max(due - days(0, 20), start + dt.timedelta(days=1)), rng):
                    self._accept(task, clock, reviewer, clock.last_day + days(1, 5))
            return
        if start > today:
            self.summary.count("not started")
            return
        if r < 0.12:
            self.summary.count("completed early")
            if self._complete(task, clock, reporter, today - days(2, 25), rng) and rng.random() < 0.5:
                self._accept(task, clock, reviewer, clock.last_day + dt.timedelta(days=1))
        elif r < 0.16 and age == 0:
            self.summary.count("extension pending")
            self._progress(task, clock, reporter, today - days(10, 20), 40, rng)
            self._extension(task, clock, reporter, reviewer, today - days(1, 5), 30, None, rng)
        elif r < 0.19 and age == 0:
            self.summary.count("evidence returned")
            if self._complete(task, clock, reporter, today - days(8, 20), rng):
                work_review_return(
                    item=item,
                    by=reviewer,
                    reason=rng.choice(RETURN_REASONS),
                    at=clock.at(clock.last_day + dt.timedelta(days=2)),
                )
        else:
            self.summary.count("in progress")
            self._progress(task, clock, reporter, min(mid, today - days(20, 40)), 30, rng)
            self._progress(task, clock, reporter, today - days(1, 15), rng.choice((50, 60, 70, 80)), rng)


# --- loading --------------------------------------------------------------------------------


def demo_units() -> dict[str, list[OrgUnit]]:
    """The units that keep a plan in the demo: the current provinces' departments, the ministry's
    departments and the ministries' IT units in force."""
    current = {"valid_to__isnull": True}
    return {
        "provinces": list(
            OrgUnit.objects.filter(
                type="PROVINCIAL_DEPT", parent__type="PROVINCE", parent__valid_to__isnull=True, **current
            ).order_by("code")
        ),
        "depts": list(OrgUnit.objects.filter(type="MINISTRY_DEPT", parent__code="BO_KHCN", **current).order_by("code")),
        "it_units": list(OrgUnit.objects.filter(type="MINISTRY_IT_UNIT", **current).order_by("code")),
    }


def demo_plans_exist() -> bool:
    return AssigningDocument.objects.filter(title__startswith=CONFERENCE_TITLE).exists()


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _pick(units: list[OrgUnit], n: int, key: str) -> list[OrgUnit]:
    """`n` units chosen by a seeded draw (the same ones on every run)."""
    return sorted(_rng(key).sample(units, min(n, len(units))), key=lambda u: u.code)


def _own_tasks(unit: OrgUnit, kind: str, year: int, rng: random.Random) -> list[tuple[str, str, str]]:
    if kind == "provinces":
        return rng.sample(PROVINCE_OWN, 6)
    if kind == "it_units":
        return rng.sample(IT_UNIT_OWN, 5)
    short = unit.code.split(".", 1)[1]
    return [(title, domain, "Báo cáo kết quả trình Lãnh đạo Bộ") for title, domain in DEPT_OWN.get(short, [])]


@transaction.atomic
def demo_plans_load(*, today: dt.date | None = None) -> Loaded:
    """Load the demo plans of the last three years (nothing if they are there)."""
    from giamsat.reporting.demo import system_user

    today = today or timezone.localdate()
    summary = Loaded()
    if demo_plans_exist():
        return summary
    years = [today.year - 2, today.year - 1, today.year]
    users = {u.username: u for u in User.objects.filter(username__in=[LEADER, HANOI_LEADER, *REPORTERS.values()])}
    leader = users.get(LEADER)
    if leader is None:
        raise LookupError("Load the demo accounts first (manage.py load_demo).")
    system = system_user()
    units = demo_units()
    by_code = {u.code: u for group in units.values() for u in group}
    player = Player(today=today, summary=summary)

    def reporter_of(unit):
        return users.get(REPORTERS.get(unit.code, ""), system)

    def own_assigner(unit):
        if unit.code == HANOI_DEPT and HANOI_LEADER in users:
            return users[HANOI_LEADER]
        return leader if unit.type == "MINISTRY_DEPT" else system

    documents = []
    for year in years:
        documents += [_conference_q4(year), _conference_q1(year, years[0])]
    groups = {
        **units,
        "provinces_without_resolution": _pick(units["provinces"], 3, "resolution"),
        "provinces_without_infra_plan": _pick(units["provinces"], 5, "infra-plan"),
    }
    for spec in documents:
        if spec.issued_on >= today:
            continue  # not issued yet (early in the year)
        document = document_get_or_create(
            number=spec.number, issued_on=spec.issued_on, issuing_body=_issuer(spec.issued_on), title=spec.title
        )
        summary.documents += 1
        for given in spec.tasks:
            if given.due.year not in years:
                continue
            if given.to in groups:
                targets = groups[given.to]
            elif given.to in by_code:
                targets = [by_code[given.to]]
            else:
                continue
            per_domain: dict[str, list[OrgUnit]] = {}
            for unit in targets:
                domain = given.domain or DEPT_DOMAIN.get(unit.code.split(".", 1)[-1], "")
                per_domain.setdefault(domain, []).append(unit)
            for domain, domain_units in per_domain.items():
                assignment = task_assign_many(
                    units=domain_units,
                    title=given.title,
                    due_date=given.due,
                    by=leader,
                    document=document,
                    domain=domain,
                    start_date=spec.issued_on,
                    deliverable=given.deliverable,
                    at=_at(spec.issued_on, 15),
                )
                tasks = list(assignment.tasks.select_related("item__owner_unit", "plan"))
                summary.tasks += len(tasks)
                for task in sorted(tasks, key=lambda t: t.item.owner_unit.code):
                    unit = task.item.owner_unit
                    rng = _rng(unit.code, given.title, given.due)
                    reporter = reporter_of(unit)
                    player.play(task, reporter=reporter, reviewer=leader, rng=rng)
                    if given.subtasks and rng.random() < 0.4:
                        for title, month in given.subtasks:
                            sub = task_create(
                                plan=task.plan,
                                title=title,
                                due_date=_last_day(given.due.year, month),
                                start_date=spec.issued_on + dt.timedelta(days=7),
                                by=reporter,
                                domain=domain,
                                document=document,
                                parent=task,
                                at=_at(spec.issued_on + dt.timedelta(days=7), 10),
                            )
                            summary.tasks += 1
                            player.play(sub, reporter=reporter, reviewer=reporter, rng=rng)
    for kind, group in units.items():
        for unit in group:
            for year in years:
                rng = _rng(unit.code, year)
                assigner = own_assigner(unit)
                adopted = min(dt.date(year, 1, 8), today - dt.timedelta(days=1))
                plan = plan_get_or_create(unit=unit, year=year, by=assigner, at=_at(adopted))
                for title, domain, deliverable in _own_tasks(unit, kind, year, rng):
                    month = rng.randint(3, 12)
                    due = _last_day(year, month) if rng.random() < 0.6 else dt.date(year, month, 15)
                    start = max(adopted, due - dt.timedelta(days=rng.randint(45, 150)))
                    task = task_create(
                        plan=plan,
                        title=title,
                        due_date=due,
                        start_date=start,
                        by=assigner,
                        domain=domain,
                        deliverable=deliverable,
                        at=_at(adopted, 10),
                    )
                    summary.tasks += 1
                    player.play(task, reporter=reporter_of(unit), reviewer=assigner, rng=rng)
    if HANOI_DEPT in by_code:
        hanoi = by_code[HANOI_DEPT]
        _hanoi_near(hanoi, years, today, own_assigner(hanoi), reporter_of, summary)
        _baseline_march(hanoi, today, own_assigner(hanoi))
    summary.plans = Plan.objects.filter(year__in=years).count()
    return summary


def _hanoi_near(unit, years, today, assigner, reporter_of, summary) -> None:
    """Hà Nội's tasks due within days, overdue ones (one with a refused extension, one moved by
    an approved one), and one not started yet, dated from today."""
    reporter = reporter_of(unit)
    rng = _rng(unit.code, "near")
    player = Player(today=today, summary=summary)
    for title, domain, offset, progress in HANOI_NEAR:
        due = today + dt.timedelta(days=offset)
        year = due.year if due.year in years else today.year
        plan = plan_get_or_create(unit=unit, year=year, by=assigner)
        created = today - dt.timedelta(days=60)
        task = task_create(
            plan=plan,
            title=title,
            due_date=due,
            start_date=created,
            by=assigner,
            domain=domain,
            deliverable="Báo cáo kết quả gửi Lãnh đạo Sở",
            at=_at(created),
        )
        summary.tasks += 1
        summary.count("Hà Nội, near today")
        clock = Timeline(task.item.created_at, today, rng)
        player._progress(task, clock, reporter, today - dt.timedelta(days=30), progress // 2, rng)
        if offset < 0 and offset > -10:  # asked for more time before the deadline, refused
            player._extension(task, clock, reporter, assigner, today - dt.timedelta(days=8), 15, False, rng)
        player._progress(task, clock, reporter, today - dt.timedelta(days=3), progress, rng)
    # A task whose deadline was moved by an approved extension, now due within days.
    first_due = today - dt.timedelta(days=10)
    plan = plan_get_or_create(unit=unit, year=first_due.year if first_due.year in years else today.year, by=assigner)
    created = today - dt.timedelta(days=90)
    task = task_create(
        plan=plan,
        title="Triển khai nền tảng số phục vụ người dân tại các phường, xã sau sắp xếp",
        due_date=first_due,
        start_date=created,
        by=assigner,
        domain=D.IT_DX,
        deliverable="Nền tảng vận hành tại 100% phường, xã",
        at=_at(created),
    )
    summary.tasks += 1
    clock = Timeline(task.item.created_at, today, rng)
    player._progress(task, clock, reporter, today - dt.timedelta(days=30), 50, rng)
    task.item.refresh_from_db()
    extension = work_extension_request(
        item=task.item,
        by=reporter,
        due_requested=today + dt.timedelta(days=4),
        reason="Nhà thầu chậm bàn giao sản phẩm, đã có văn bản đôn đốc.",
        at=clock.at(today - dt.timedelta(days=14)),
    )
    work_extension_decide(
        extension=extension,
        by=assigner,
        approve=True,
        note=APPROVE_NOTES[0],
        at=clock.at(today - dt.timedelta(days=12)),
    )
    # Next year's plan is prepared from next week.
    plan = plan_get_or_create(unit=unit, year=today.year, by=assigner)
    start = today + dt.timedelta(days=10)
    task_create(
        plan=plan,
        title=f"Xây dựng kế hoạch chuyển đổi số năm {today.year + 1}",
        due_date=today + dt.timedelta(days=45),
        start_date=start,
        by=assigner,
        domain=D.IT_DX,
        deliverable="Kế hoạch trình UBND thành phố",
        at=_at(today - dt.timedelta(days=20)),
    )
    summary.tasks += 1


def _baseline_march(unit, today: dt.date, by) -> None:
    """Hà Nội's plan of the year as it stood on 31 March, to compare with today."""
    march = dt.date(today.year, 3, 31)
    plan = Plan.objects.filter(org_unit=unit, year=today.year).first()
    if plan is None or today <= march:
        return
    baseline_take(
        scope=f"plan:{plan.pk}",
        name=f"Kế hoạch ngày {march:%d/%m/%Y}",
        items=WorkItem.objects.filter(plan_task__plan=plan),
        by=by,
        on=march,
    )


def demo_plans_run(*, today: dt.date | None = None) -> Loaded:
    """The command's work: load (task events muted: the figures are rewritten once after), then
    write the plans' figures of the three years through the one write path."""
    today = today or timezone.localdate()
    with events_muted():
        summary = demo_plans_load(today=today)
    if summary.tasks:
        plans_figures_refresh(years=[today.year - 2, today.year - 1, today.year], today=today)
    return summary
