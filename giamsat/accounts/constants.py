"""Account constants."""

from .choices import Role

# Roles that may turn on a TOTP second factor (settings.TOTP_REQUIRED_ROLES adds to them).
SECOND_FACTOR_ROLES = frozenset({Role.MINISTRY_LEADER, Role.PROVINCE_LEADER, Role.ADMIN})
