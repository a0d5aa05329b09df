"""Users and units every test can rely on (created once per test database)."""

from giamsat.accounts.choices import Role
from giamsat.accounts.models import User
from giamsat.accounts.services import user_create
from giamsat.orgunits.models import OrgUnit

PASSWORD = "test-Pass-2026"

# Province A is the demo provincial reporter's Hà Nội; province B is Tuyên Quang, which
# absorbed Hà Giang on 01/07/2025 (so B has predecessors A must not see either).
PROVINCE_A = "P01"
PROVINCE_B = "P08"
COMMUNE_B = "X02269"  # Xã Thượng Lâm, Tuyên Quang
FORMER_PROVINCE_B = "P02_63"  # Hà Giang, merged into Tuyên Quang


def create_test_users() -> None:
    """Reporters of two provinces, a ministry leader and an IT-unit reporter."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["P01", "P08", "VN", "CP", "CNTT.BO_TAICHINH"])}
    specs = [
        ("a.reporter", Role.PROVINCE_REPORTER, "P01", ["P01"], []),
        ("b.reporter", Role.PROVINCE_REPORTER, "P08", ["P08"], []),
        ("b.leader", Role.PROVINCE_LEADER, "P08", ["P08"], []),
        ("a.leader", Role.PROVINCE_LEADER, "P01", ["P01"], []),
        # An analyst whose view is limited to province A (e.g. one following a region).
        ("a.analyst", Role.MINISTRY_ANALYST, None, [], ["P01"]),
        ("ministry.leader", Role.MINISTRY_LEADER, None, [], ["VN", "CP"]),
        ("it.reporter", Role.MINISTRY_IT_REPORTER, "CNTT.BO_TAICHINH", ["CNTT.BO_TAICHINH"], []),
        ("nobody", Role.PROVINCE_REPORTER, None, [], []),
    ]
    for username, role, home, capture, view in specs:
        if User.objects.filter(username=username).exists():
            continue
        user_create(
            username=username,
            password=PASSWORD,
            role=role,
            full_name=username,
            home_unit=units.get(home),
            capture_units=[units[c] for c in capture],
            view_units=[units[c] for c in view],
        )
    if not User.objects.filter(username="admin").exists():
        user_create(username="admin", password=PASSWORD, role=Role.ADMIN, full_name="admin")
