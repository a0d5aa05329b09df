"""The projects' part of `make run`'s demo: a portfolio of digital-transformation investment
projects of the 34 provinces (the province or its department of science and technology) and of
the ministries' IT units, with former provinces' projects passed to their successors, played out
through the real services with backdated times: yearly budgets, the baseline at approval,
procurement packages, monthly disbursements, milestones met on time (tracked-work completion
reports) and physical progress.

Most projects go to plan; a share of them is made to raise each red flag of the v1 rules:
disbursement behind plan, a single bidder, a contract above the estimate, a milestone overdue,
a low CPI, approved and not started. Deterministic (one generator per project, fixed seed),
relative to `today`. Idempotent: once a project exists, nothing is loaded again."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.events.services import events_muted
from giamsat.orgunits.models import OrgUnit, OrgUnitLineage
from giamsat.tracking.services import work_progress_report

from .choices import FlagCode
from .engine.earned_value import planned_curve
from .models import Project
from .services import (
    baseline_freeze,
    flag_alerts_scan,
    flag_rules_load_default,
    flags_evaluate,
    milestone_add,
    package_save,
    physical_progress_report,
    project_create,
    project_update,
    transaction_record,
    year_budget_set,
)

SEED = 18
SIZE = 300
FIRST_FIGURES_YEAR = 2024
HANOI, HANOI_DEPT = "P01", "SKHCN_01"
REPORTERS = {HANOI_DEPT: "hanoi.baocao", "CNTT.BO_TAICHINH": "taichinh.cntt"}
FORMER = ("P49_63", "P74_63", "P02_63", "P36_63", "P93_63", "P54_63")  # absorbed by a neighbour in 2025

# What a project is made to show (share of the portfolio); "normal" takes the rest.
ROLES = {
    "behind": 0.15,
    "single_bidder": 0.035,
    "above_estimate": 0.03,
    "overdue": 0.05,
    "low_cpi": 0.03,
    "not_started": 0.03,
    "closed": 0.10,
    "pipeline": 0.05,
}
HANOI_ROLES = ["behind", "overdue", "single_bidder", "normal", "normal", "closed", "pipeline", "normal"]

# (name, programme, type) — {place}: "tỉnh Quảng Nam", "thành phố Hà Nội", "Bộ Tài chính".
PROVINCE_PROJECTS = [
    ("Xây dựng Trung tâm giám sát, điều hành đô thị thông minh {place}", "SMART_CITY", "INVESTMENT"),
    ("Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính {place}", "DIGITAL_GOVERNMENT", "INVESTMENT"),
    ("Xây dựng Kho dữ liệu dùng chung {place}", "NATIONAL_DX", "INVESTMENT"),
    ("Xây dựng Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) {place}", "DIGITAL_GOVERNMENT", "INVESTMENT"),
    ("Thuê dịch vụ Trung tâm giám sát an toàn thông tin mạng (SOC) {place}", "CYBERSECURITY", "SERVICE_HIRE"),
    ("Nâng cấp hạ tầng Trung tâm dữ liệu {place}", "DIGITAL_INFRASTRUCTURE", "INVESTMENT"),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính {place}", "PROJECT_06", "INVESTMENT"),
    ("Xây dựng cơ sở dữ liệu đất đai {place}", "NATIONAL_DX", "INVESTMENT"),
    ("Mở rộng mạng truyền số liệu chuyên dùng đến cấp xã {place}", "DIGITAL_INFRASTRUCTURE", "INVESTMENT"),
    ("Xây dựng hệ thống camera giám sát an ninh, trật tự và giao thông {place}", "SMART_CITY", "INVESTMENT"),
    ("Phát triển hệ thống y tế số, hồ sơ sức khỏe điện tử {place}", "NATIONAL_DX", "SOFTWARE"),
    ("Chuyển đổi số trong giáo dục và đào tạo {place}", "NATIONAL_DX", "INVESTMENT"),
    ("Xây dựng Cổng dịch vụ công và hệ thống một cửa điện tử {place}", "DIGITAL_GOVERNMENT", "SOFTWARE"),
]
MINISTRY_PROJECTS = [
    ("Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính của {place}", "DIGITAL_GOVERNMENT", "INVESTMENT"),
    ("Xây dựng Kho dữ liệu dùng chung của {place}", "NATIONAL_DX", "INVESTMENT"),
    ("Xây dựng cơ sở dữ liệu chuyên ngành của {place}", "NATIONAL_DX", "INVESTMENT"),
    ("Thuê dịch vụ điện toán đám mây cho các hệ thống thông tin của {place}", "DIGITAL_INFRASTRUCTURE", "SERVICE_HIRE"),
    ("Bảo đảm an toàn thông tin theo mô hình 4 lớp cho {place}", "CYBERSECURITY", "INVESTMENT"),
    ("Xây dựng Nền tảng số dùng chung của {place}", "NATIONAL_DX", "SOFTWARE"),
    ("Xây dựng hệ thống báo cáo, chỉ đạo điều hành của {place}", "DIGITAL_GOVERNMENT", "SOFTWARE"),
]
SUPPLIERS = [
    "Tổng Công ty Giải pháp Doanh nghiệp Viettel",
    "Công ty Cổ phần Hệ thống Thông tin FPT",
    "Tổng Công ty Dịch vụ Viễn thông VNPT-VinaPhone",
    "Công ty Cổ phần Công nghệ CMC",
    "Công ty Cổ phần Tin học Lạc Việt",
    "Công ty Cổ phần MISA",
    "Công ty TNHH Công nghệ Hài Hòa",
    "Công ty Cổ phần Phát triển Công nghệ Thông tin Bình Minh",
]
CONSULTANTS = [
    "Công ty Cổ phần Tư vấn Tin học Sao Mai",
    "Viện Công nghệ thông tin Đông Á",
    "Công ty TNHH Tư vấn ICT Việt",
]
DONE_NOTES = ["Đã hoàn thành theo kế hoạch, có biên bản kèm theo.", "Hoàn thành; biên bản nghiệm thu đã ký."]


@dataclass
class Loaded:
    projects: int = 0
    transactions: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        roles = ", ".join(f"{n} {k}" for k, n in sorted(self.roles.items()))
        flags = ", ".join(f"{n} {k}" for k, n in sorted(self.flags.items()))
        return (
            f"Demo projects: {self.projects} projects ({roles}), {self.transactions} transactions; "
            f"open red flags: {flags or 'none'}."
        )


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def _initials(name: str) -> str:
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = [w for w in plain.replace("-", " ").replace(",", " ").split() if w.lower() not in ("va", "bo")]
    return "B" + "".join(w[0].upper() for w in words)


def _place(unit: OrgUnit) -> str:
    """'tỉnh Quảng Nam' of a province or its department; the ministry of an IT unit."""
    province = unit.parent if unit.type == "PROVINCIAL_DEPT" else unit
    if unit.type == "MINISTRY_IT_UNIT":
        return unit.parent.name_vi
    name = province.name_vi
    return name[0].lower() + name[1:]


def _owner_on(unit: OrgUnit, day: dt.date) -> OrgUnit:
    """The unit in force on `day` that `unit` carries on (a current province's project approved
    before the 2025 merger belongs to the former province): back through the lineage."""
    current = unit
    for _step in range(5):
        if current.is_active_on(day):
            return current
        links = list(
            OrgUnitLineage.objects.filter(successor=current).select_related("predecessor").order_by("-is_primary", "pk")
        )
        if not links:
            return current
        same = [ln for ln in links if ln.predecessor.code.startswith(current.code)]
        current = (same or links)[0].predecessor
    return current


def demo_owners() -> dict[str, list[OrgUnit]]:
    current = {"valid_to__isnull": True}
    return {
        "provinces": list(OrgUnit.objects.filter(type="PROVINCE", **current).order_by("code")),
        "it_units": list(OrgUnit.objects.filter(type="MINISTRY_IT_UNIT", **current).order_by("code")),
        "former": sorted(OrgUnit.objects.filter(code__in=FORMER), key=lambda u: FORMER.index(u.code)),
    }


def _roles(n: int, rng: random.Random) -> list[str]:
    roles = [role for role, share in ROLES.items() for _i in range(max(1, round(n * share)))]
    roles += ["normal"] * max(0, n - len(roles))
    roles = roles[:n]
    rng.shuffle(roles)
    return roles


class Builder:
    def __init__(self, *, today: dt.date, system: User, users: dict[str, User], summary: Loaded):
        self.today = today
        self.system = system
        self.users = users
        self.summary = summary
        self.sequence: dict[int, int] = {}

    def reporter(self, unit: OrgUnit) -> User:
        return self.users.get(REPORTERS.get(unit.code, ""), self.system)

    def _code(self, year: int) -> str:
        self.sequence[year] = self.sequence.get(year, 0) + 1
        return f"DA-{year}-{self.sequence[year]:04d}"

    def _dates(self, role: str, rng: random.Random, former: bool) -> tuple[dt.date, dt.date, dt.date]:
        """(decision, planned start, planned end) for a role, relative to today."""
        today = self.today
        if former:  # approved before the 2025 merger, still running
            decision = dt.date(rng.choice((2023, 2024)), rng.randint(1, 12), rng.randint(1, 28))
            start = _add_months(decision, 1)
            end = max(_add_months(start, rng.randint(24, 40)), _add_months(today, rng.randint(3, 12)))
        elif role == "closed":
            decision = today - dt.timedelta(days=rng.randint(36 * 30, 58 * 30))
            start = _add_months(decision, 1)
            end = min(_add_months(start, rng.randint(12, 24)), today - dt.timedelta(days=90))
        elif role == "pipeline":
            decision = today - dt.timedelta(days=rng.randint(20, 120))
            start = _add_months(decision, 3)
            end = _add_months(start, rng.randint(18, 30))
        elif role == "not_started":
            decision = today - dt.timedelta(days=rng.randint(215, 420))
            start = _add_months(decision, 2)
            end = _add_months(start, rng.randint(18, 30))
        else:
            low = 10 * 30 if role in ("low_cpi", "overdue") else 4 * 30
            decision = today - dt.timedelta(days=rng.randint(low, 40 * 30))
            start = _add_months(decision, 1)
            end = max(_add_months(start, rng.randint(18, 42)), _add_months(today, rng.randint(3, 18)))
        return decision, start, end

    def build(self, owner: OrgUnit, role: str, rng: random.Random, *, former: bool = False) -> Project:
        templates = MINISTRY_PROJECTS if owner.type == "MINISTRY_IT_UNIT" else PROVINCE_PROJECTS
        title, programme, kind = rng.choice(templates)
        decision, start, end = self._dates(role, rng, former)
        unit = owner if former else _owner_on(owner, decision)
        place = _place(unit)
        if owner.type == "MINISTRY_IT_UNIT":
            body = unit.parent.name_vi
            number = f"{rng.randint(100, 2999)}/QĐ-{_initials(body)}"
        else:
            province = unit.parent if unit.type == "PROVINCIAL_DEPT" else unit
            body = f"Ủy ban nhân dân {_place(province)}"
            number = f"{rng.randint(100, 3999)}/QĐ-UBND"
        total = rng.randint(2, 300) * 1_000_000_000 + rng.randint(0, 999) * 1_000_000
        if role in ("low_cpi", "behind") and total < 10_000_000_000:
            total += 10_000_000_000
        local = owner.type != "MINISTRY_IT_UNIT"
        funding = {("LOCAL_BUDGET" if local else "CENTRAL_BUDGET"): total}
        if rng.random() < 0.25:
            share = total * rng.choice((20, 30, 50)) // 100
            funding = {("CENTRAL_BUDGET" if local else "ODA"): share, next(iter(funding)): total - share}
        status = {"closed": "IMPLEMENTATION", "pipeline": "PIPELINE", "not_started": "PIPELINE"}.get(
            role, "IMPLEMENTATION"
        )
        by = self.reporter(unit)
        project = project_create(
            by=by,
            check_permission=False,
            at=_at(decision),
            funding=funding,
            code=self._code(decision.year),
            name=f"{title.format(place=place)} giai đoạn {start.year}–{end.year}",
            owner_unit=unit,
            type=kind,
            programme=programme,
            status=status,
            decision_number=number,
            decision_date=decision,
            decision_body=body,
            total_investment=total,
            planned_start=start,
            planned_end=end,
        )
        by = self.reporter(project.owner_unit)
        curve = self._budgets(project, rng, by)
        baseline_freeze(project=project, by=by, on=decision, at=_at(decision, 15))
        main = self._packages(project, role, rng, by)
        if role not in ("pipeline", "not_started"):
            self._money(project, role, rng, by, curve, main)
        self._milestones(project, role, rng, by)
        if role == "closed":
            project_update(
                project=project,
                by=by,
                check_permission=False,
                at=_at(end + dt.timedelta(days=20)),
                status="CLOSED",
                actual_end=end,
            )
        self.summary.projects += 1
        self.summary.roles[role] = self.summary.roles.get(role, 0) + 1
        return project

    def _budgets(self, project: Project, rng: random.Random, by) -> list[tuple[dt.date, int]]:
        curve = planned_curve(start=project.planned_start, end=project.planned_end, total=project.total_investment)
        previous = 0
        years: dict[int, int] = {}
        for day, value in curve:
            years[day.year] = years.get(day.year, 0) + value - previous
            previous = value
        for year, planned in years.items():
            allocated = planned * rng.randint(90, 100) // 100 if year <= self.today.year else 0
            year_budget_set(
                project=project, year=year, planned=planned, allocated=allocated, by=by, at=_at(project.decision_date)
            )
        return curve

    def _packages(self, project: Project, role: str, rng: random.Random, by) -> dict:
        """Consultancy, the main supply-and-deployment package (open bidding) and supervision."""
        total, decision = project.total_investment, project.decision_date
        started = role not in ("pipeline", "not_started")
        specs = [
            ("GT-01", "Tư vấn khảo sát, lập báo cáo kinh tế - kỹ thuật", rng.choice(("SHOPPING", "DIRECT")), 3, 20),
            ("GT-02", "Cung cấp, lắp đặt thiết bị, phần mềm và triển khai hệ thống", "OPEN", 88, 75),
            ("GT-03", "Tư vấn giám sát triển khai", "SHOPPING", 2, 90),
        ]
        main = {}
        for code, name, method, share, days in specs:
            estimate = total * share // 100
            contract_date = decision + dt.timedelta(days=days)
            fields = {"name": name, "method": method, "estimated_value": estimate}
            if not started or contract_date >= self.today:
                stage = "TENDER" if started or role == "pipeline" and code == "GT-01" else "PLANNING"
                fields.update(
                    stage=stage, tender_date=decision + dt.timedelta(days=days - 45) if stage == "TENDER" else None
                )
                package_save(project=project, code=code, by=by, check_permission=False, at=_at(decision), **fields)
                continue
            bidders = 1 if method == "DIRECT" else rng.randint(2, 5)
            ratio = rng.randint(86, 99)
            if code == "GT-02" and role == "single_bidder":
                bidders = 1
            if code == "GT-02" and role == "above_estimate":
                ratio = rng.randint(103, 109)
            value = estimate * ratio // 100
            fields.update(
                stage="IMPLEMENTATION",
                bidders=bidders,
                contract_value=value,
                supplier=rng.choice(CONSULTANTS if code != "GT-02" else SUPPLIERS),
                tender_date=contract_date - dt.timedelta(days=40) if method != "DIRECT" else None,
                award_date=contract_date - dt.timedelta(days=10),
                contract_date=contract_date,
            )
            package = package_save(
                project=project, code=code, by=by, check_permission=False, at=_at(contract_date), **fields
            )
            transaction_record(
                project=project,
                kind="COMMITMENT",
                date=contract_date,
                amount=value,
                by=by,
                document=f"Hợp đồng số {rng.randint(1, 99):02d}/{contract_date.year}/HĐ-{code}",
                package=package,
                check_permission=False,
                at=_at(contract_date, 16),
            )
            self.summary.transactions += 1
            if code == "GT-02":
                main = {"package": package, "value": value}
        return main

    def _money(self, project: Project, role: str, rng: random.Random, by, curve, main) -> None:
        """A disbursement each month of the planned month's value (at a pace), and the physical
        progress at every month's end (a CPI read against a stale progress would flap)."""
        total, today = project.total_investment, self.today
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        paid, previous_value = 0, 0
        cpi = rng.uniform(0.55, 0.75) if role == "low_cpi" else rng.uniform(1.0, 1.1)
        for month_end, value in curve:
            month_plan, previous_value = value - previous_value, value
            day = month_end.replace(day=rng.randint(12, 25))
            if day >= today or day < project.decision_date:
                continue
            pace = rng.uniform(0.88, 1.02)
            if role == "behind" and day.year == today.year:
                pace = rng.uniform(0.3, 0.55)
            if role == "closed":
                pace = 1.0
            amount = min(int(month_plan * pace), total - paid)
            if amount > 0:
                transaction_record(
                    project=project,
                    kind="DISBURSEMENT",
                    date=day,
                    amount=amount,
                    by=by,
                    document=f"Giấy rút dự toán số {rng.randint(100, 9999)}/{day.year}",
                    package=main.get("package"),
                    check_permission=False,
                    at=_at(day, 14),
                )
                paid += amount
                self.summary.transactions += 1
            if month_end <= last_month_end:
                ratio = 1.0 if role == "closed" else cpi if month_end == last_month_end else rng.uniform(1.0, 1.1)
                percent = min(100.0, round(paid / total * 100 * ratio, 2))
                if role == "closed" and month_end == curve[-1][0]:
                    percent = 100.0
                physical_progress_report(
                    project=project,
                    on=month_end,
                    percent=percent,
                    by=by,
                    note="Theo báo cáo của chủ đầu tư",
                    check_permission=False,
                    at=_at(month_end + dt.timedelta(days=5)),
                )

    def _milestones(self, project: Project, role: str, rng: random.Random, by) -> None:
        start, end, decision = project.planned_start, project.planned_end, project.decision_date
        span = (end - start).days
        specs = [
            ("Phê duyệt kế hoạch lựa chọn nhà thầu", "preProcurement", decision + dt.timedelta(days=30), 0),
            ("Ký hợp đồng gói thầu cung cấp, triển khai hệ thống", "delivery", decision + dt.timedelta(days=85), 10),
            ("Hoàn thành triển khai giai đoạn 1, vận hành thử", "delivery", start + dt.timedelta(days=span // 2), 40),
            ("Nghiệm thu, bàn giao đưa vào sử dụng", "assessment", end - dt.timedelta(days=20), 40),
            ("Quyết toán dự án hoàn thành", "payment", end + dt.timedelta(days=rng.randint(60, 80)), 10),
        ]
        if role == "overdue":
            due = self.today - dt.timedelta(days=rng.randint(40, 150))
            specs.append(("Hoàn thành chuyển đổi, đồng bộ dữ liệu vào hệ thống", "delivery", due, 0))
        started = role not in ("pipeline", "not_started")
        for n, (title, kind, due, weight) in enumerate(specs):
            if not started and n:  # the owner's revised schedule: from the coming months on
                due = max(due, self.today + dt.timedelta(days=30 + 60 * n))
            milestone = milestone_add(
                project=project,
                title=title,
                type=kind,
                due_date=due,
                start_date=decision,
                weight=weight,
                by=by,
                check_permission=False,
                at=_at(decision, 16),
            )
            late_one = role == "overdue" and n == len(specs) - 1
            met = due - dt.timedelta(days=rng.randint(0, 12))
            can_meet = (started or n == 0) and due < self.today - dt.timedelta(days=3) and not late_one
            if role == "closed" and kind == "payment":
                can_meet = due < self.today
            if can_meet and met > decision:
                work_progress_report(
                    item=milestone.item,
                    by=self.reporter(milestone.item.owner_unit),
                    progress=100,
                    note=rng.choice(DONE_NOTES),
                    link=f"https://vanban.demo.giamsat.vn/duan/{project.code}/{n + 1}",
                    completion=True,
                    at=_at(met, 10),
                )


def demo_projects_exist() -> bool:
    return Project.objects.exists()


@transaction.atomic
def demo_projects_load(*, today: dt.date | None = None, size: int = SIZE) -> Loaded:
    """Load the demo portfolio (nothing if a project exists)."""
    from giamsat.reporting.demo import system_user

    today = today or timezone.localdate()
    summary = Loaded()
    if demo_projects_exist():
        return summary
    flag_rules_load_default()
    owners = demo_owners()
    if not owners["provinces"]:
        raise LookupError("Load the registry first (manage.py load_reference).")
    users = {u.username: u for u in User.objects.filter(username__in=REPORTERS.values())}
    builder = Builder(today=today, system=system_user(), users=users, summary=summary)
    depts = {
        u.parent_id: u
        for u in OrgUnit.objects.filter(type="PROVINCIAL_DEPT", parent__in=owners["provinces"], valid_to__isnull=True)
        .filter(code__startswith="SKHCN_")
        .order_by("code")
    }
    hanoi = next(u for u in owners["provinces"] if u.code == HANOI)
    former_n = min(len(owners["former"]), max(1, size // 50))
    hanoi_n = min(len(HANOI_ROLES), max(3, size // 40))
    rest = max(0, size - former_n - hanoi_n)
    rng = random.Random(SEED)
    roles = _roles(rest, rng)
    # Hà Nội: its department's projects (the reporter's) and the city's own.
    for n, role in enumerate(HANOI_ROLES[:hanoi_n]):
        owner = depts.get(hanoi.pk, hanoi) if n % 4 != 3 else hanoi
        builder.build(owner, role, random.Random(f"{SEED}-hanoi-{n}"))
    for n, unit in enumerate(owners["former"][:former_n]):
        role = "behind" if n == 0 else "normal"
        builder.build(unit, role, random.Random(f"{SEED}-former-{unit.code}"), former=True)
    provinces = [u for u in owners["provinces"] if u.code != HANOI]
    for n, role in enumerate(roles):
        local = random.Random(f"{SEED}-{n}")
        if n % 4 == 3 and owners["it_units"]:
            owner = owners["it_units"][(n // 4) % len(owners["it_units"])]
        else:
            province = provinces[n % len(provinces)]
            owner = depts.get(province.pk, province) if local.random() < 0.4 else province
        builder.build(owner, role, local)
    return summary


def demo_projects_run(*, today: dt.date | None = None, size: int = SIZE) -> Loaded:
    """The command's work: load (events muted), then the red flags tested once, the figures of
    the years written through the one write path, and the flags' alerts scanned."""
    from .figures import project_figures_write
    from .models import RedFlag

    today = today or timezone.localdate()
    with events_muted():
        summary = demo_projects_load(today=today, size=size)
    if not summary.projects:
        return summary
    # The flags as the nightly test would have raised and cleared them, month end by month end,
    # so each carries the day it was first seen and the monthly figures count them then.
    for year in range(FIRST_FIGURES_YEAR, today.year + 1):
        for month in range(1, 13):
            month_end = _add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
            if month_end < today:
                flags_evaluate(today=month_end)
    flags_evaluate(today=today)
    for year in range(FIRST_FIGURES_YEAR, today.year + 1):
        project_figures_write(year=year, today=today)
    flag_alerts_scan(today=today)
    for code in FlagCode.values:
        summary.flags[code] = RedFlag.objects.filter(code=code, cleared_on__isnull=True).count()
    return summary
