"""API: who am I."""

from django.utils.translation import get_language
from ninja import Router, Schema

from .selectors import user_scope_units

router = Router(tags=["accounts"])


class ScopeUnitOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    role: str
    role_name: str
    home_unit: str | None
    domains: list[str]
    capture_scope: list[ScopeUnitOut]
    view_scope: list[ScopeUnitOut]
    language: str


@router.get("/me", response=MeOut, summary="The authenticated user, role and scopes")
def me(request):
    user = request.user
    scopes = user_scope_units(user)
    return MeOut(
        username=user.username,
        full_name=user.display_name,
        email=user.email,
        role=user.role,
        role_name=str(user.get_role_display()),
        home_unit=user.home_unit.code if user.home_unit_id else None,
        domains=user.domains,
        capture_scope=[ScopeUnitOut(code=u.code, name=u.name) for u in scopes["CAPTURE"]],
        view_scope=[ScopeUnitOut(code=u.code, name=u.name) for u in scopes["VIEW"]],
        language=get_language() or "vi",
    )
