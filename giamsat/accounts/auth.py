"""API authentication: personal tokens as `Bearer <token>` or DHIS2's `ApiToken <token>`."""

from django.http import HttpRequest
from ninja.security import SessionAuth
from ninja.security.base import AuthBase

from .services import token_authenticate

TOKEN_SCHEMES = ("bearer", "apitoken")


class PersonalTokenAuth(AuthBase):
    """Reads the Authorization header; both schemes carry the same personal token."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in TOKEN_SCHEMES or not value.strip():
            return None
        user = token_authenticate(value.strip())
        if user is not None:
            request.user = user
        return user


api_auth = [PersonalTokenAuth(), SessionAuth()]
