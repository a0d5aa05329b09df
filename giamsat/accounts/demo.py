"""The demo accounts, one per role, that `make run` creates and prints."""

from django.db import transaction

from giamsat.orgunits.models import OrgUnit

from .choices import Domain, Role
from .models import User
from .services import user_create, user_reset

DEMO_PASSWORD = "GiamSat@2026"

# username, full name, role, home unit, capture subtrees, view subtrees, domains
DEMO_USERS = [
    ("lanhdao.bo", "Nguyễn Văn An", Role.MINISTRY_LEADER, "BO_KHCN", [], ["VN", "CP"], []),
    (
        "phantich.vienthong",
        "Trần Thị Bình",
        Role.MINISTRY_ANALYST,
        "BO_KHCN",
        [],
        ["VN", "CP"],
        [Domain.TELECOM, Domain.IT_DX],
    ),
    ("hanoi.baocao", "Lê Minh Châu", Role.PROVINCE_REPORTER, "SKHCN_01", ["P01"], [], []),
    ("hanoi.lanhdao", "Phạm Quốc Dũng", Role.PROVINCE_LEADER, "SKHCN_01", ["P01"], [], []),
    ("taichinh.cntt", "Hoàng Thu Hà", Role.MINISTRY_IT_REPORTER, "CNTT.BO_TAICHINH", ["CNTT.BO_TAICHINH"], [], []),
    ("quantri", "Quản trị hệ thống", Role.ADMIN, None, [], [], []),
]


def _all_codes() -> set[str]:
    codes = set()
    for _u, _n, _r, home, capture, view, _d in DEMO_USERS:
        codes |= {c for c in [home, *capture, *view] if c}
    return codes


@transaction.atomic
def demo_users_load() -> list[tuple[str, str, str]]:
    """Create the demo users, or reset them to their documented state; (username, role, unit)."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=_all_codes())}
    missing = sorted(_all_codes() - set(units))
    if missing:
        raise LookupError(f"Load the registry first (manage.py load_reference); missing: {', '.join(missing)}")
    rows = []
    for username, name, role, home, capture, view, domains in DEMO_USERS:
        fields = {
            "role": role,
            "full_name": name,
            "email": f"{username}@giamsat.local",
            "home_unit": units.get(home),
            "domains": domains,
        }
        capture_units = [units[c] for c in capture]
        view_units = [units[c] for c in view]
        user = User.objects.filter(username=username).first()
        if user is None:
            user_create(
                username=username, password=DEMO_PASSWORD, capture_units=capture_units, view_units=view_units, **fields
            )
        else:
            user_reset(user=user, password=DEMO_PASSWORD, capture_units=capture_units, view_units=view_units, **fields)
        rows.append((username, str(role.label), units[home].name_vi if home else "—"))
    return rows
