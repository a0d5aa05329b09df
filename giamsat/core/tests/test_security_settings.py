"""Safe in production: DEBUG is off unless asked for, `check --deploy` is clean with the production
environment documented in README.md, and every response carries the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[3]

# README.md, "Configuration": the production environment.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-7vQ2mX9pL4sR8tW1yB6nD3fH5jK0cG2eZ-production-length-key",
    "ALLOWED_HOSTS": "giamsat.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://giamsat.example.gov.vn",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
}


def _manage(tmp_path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # Not the test process's own settings (DEBUG, the key, DJANGO_ALLOW_ASYNC_UNSAFE from conftest.py).
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ours}
    environment.update(DJANGO_SETTINGS_MODULE="giamsat.settings", GIAMSAT_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_are_clean_in_the_documented_production_environment(tmp_path):
    result = _manage(tmp_path, PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_see_a_missing_https_redirect(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECURE_SSL_REDIRECT"}
    result = _manage(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_debug_is_off_by_default_and_a_key_is_made_once_when_none_is_given(tmp_path):
    """With nothing set, DEBUG is off and every manage.py command still works: a strong key is
    made once in var/, readable by its owner only, and kept for the next command."""
    result = _manage(tmp_path, {}, "check")
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50 and key_file.stat().st_mode & 0o777 == 0o600
    assert _manage(tmp_path, {}, "makemigrations", "--check", "--dry-run").returncode == 0
    assert key_file.read_text() == key
    debug = _manage(tmp_path, {}, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert debug.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.django_db
def test_pages_and_api_answers_carry_the_content_security_policy(client_a):
    for path in ("/", "/accounts/login/", "/api/v1/me", "/api/system/info", "/healthz"):
        response = client_a.get(path)
        policy = response["Content-Security-Policy"]
        assert policy == settings.CONTENT_SECURITY_POLICY
        assert "script-src 'self' 'unsafe-eval';" in policy and "'unsafe-inline'" not in policy.split(";")[1]
        assert "frame-ancestors 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_answers_carry_hsts():
    response = Client().get("/healthz", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
