"""The production profile passes Django's deployment checks and refuses to run without a real secret."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def random_secret(length: int = 50) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def production(**env: str) -> dict[str, str]:
    """A production environment with real keys (override any of them with ``env``)."""
    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": random_secret(),
        "TOKEN_ENCRYPTION_KEYS": fernet_key(),
        "ALLOWED_HOSTS": "portal.example.com",
        **env,
    }


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "TOKEN_ENCRYPTION_KEYS")
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_ignores_debug_from_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        **production(DEBUG="true"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "True"]


def test_production_profile_refuses_the_development_secret():
    result = manage("check", DJANGO_SETTINGS_MODULE="portal.settings.production")
    assert result.returncode != 0
    assert result.stderr.startswith("SECRET_KEY: set a real secret")


def test_every_model_change_has_a_migration():
    result = manage(
        "makemigrations", "--check", "--dry-run", DJANGO_SETTINGS_MODULE="portal.settings.development"
    )
    assert result.returncode == 0, "models changed without a migration:\n" + result.stdout + result.stderr
