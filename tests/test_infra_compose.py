"""docker-compose.yml and the Dockerfile, checked by reading them (no Docker engine runs here).

Every service exists, every command names something this project has (management commands and their
flags, the ASGI application, the Celery app and subcommands), health checks are present, depends_on
points at real services with sensible conditions, and the environment wiring is consistent.
"""

import importlib
import os
import re
import secrets
import shlex
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
REQUIRED = {"postgres", "redis", "simulator", "web", "worker", "beat"}
APP_SERVICES = sorted(name for name, svc in SERVICES.items() if "build" in svc)
ONE_SHOT = sorted(name for name, svc in SERVICES.items() if str(svc.get("restart", "")) == "no")

_VAR = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        current = env.get(name)
        if op in (":-", "-"):
            if current is None or (op == ":-" and current == ""):
                return arg
        elif op in (":?", "?"):
            if current is None or (op == ":?" and current == ""):
                raise MissingVariable(f"{name}: {arg}")
        return current or ""

    return _VAR.sub(replace, value)


def prod_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "portal.example.com",
    }


def service_env(name: str, env: dict[str, str] | None = None) -> dict[str, str]:
    raw = SERVICES[name].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    env = prod_env() if env is None else env
    return {key: str(value) for key, value in interpolate(raw, env).items()}


def command(name: str, env: dict[str, str] | None = None) -> list[str]:
    cmd = SERVICES[name].get("command")
    if cmd is None:  # the image's CMD
        cmd = dockerfile_cmd()
    cmd = interpolate(cmd, prod_env() if env is None else env)
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def dockerfile_cmd() -> list[str]:
    import json

    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return json.loads(line[4:])
    raise AssertionError("Dockerfile has no CMD")


def option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


# --- services and images ------------------------------------------------------------------------


def test_every_service_is_there():
    assert REQUIRED <= set(SERVICES), f"missing: {REQUIRED - set(SERVICES)}"


def test_app_services_run_one_image_built_from_the_dockerfile():
    assert {"simulator", "web", "worker", "beat"} <= set(APP_SERVICES)
    assert {SERVICES[name]["build"] for name in APP_SERVICES} == {"."}
    assert len({SERVICES[name].get("image") for name in APP_SERVICES}) == 1
    assert (ROOT / "Dockerfile").is_file()


def test_long_running_services_have_health_checks():
    for name, svc in SERVICES.items():
        if name in ONE_SHOT:
            continue
        check = svc.get("healthcheck")
        assert check and check.get("test"), f"{name} has no health check"
        test = check["test"]
        assert isinstance(test, list) and test[0] in ("CMD", "CMD-SHELL"), f"{name}: {test}"
        if test[:3] == ["CMD", "python", "-c"]:
            compile(test[3], f"<{name} healthcheck>", "exec")


def test_health_checks_ask_the_ports_the_services_listen_on():
    sim_port = option(command("simulator"), "--port")
    assert f"127.0.0.1:{sim_port}/control" in " ".join(SERVICES["simulator"]["healthcheck"]["test"])
    web_port = option(command("web"), "--port")
    assert f"127.0.0.1:{web_port}/healthz/" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    published = interpolate(SERVICES["web"]["ports"], {})
    assert any(str(p).endswith(f":{web_port}") for p in published), published
    beat_schedule = option(command("beat"), "--schedule")
    assert beat_schedule.rsplit("/", 1)[0] in SERVICES["beat"]["healthcheck"]["test"][1]


def test_depends_on_points_at_real_services_with_sensible_conditions():
    for name, svc in SERVICES.items():
        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {target: {"condition": "service_started"} for target in depends}
        for target, spec in depends.items():
            assert target in SERVICES, f"{name} depends on unknown service {target}"
            condition = spec.get("condition", "service_started")
            if condition == "service_healthy":
                assert SERVICES[target].get("healthcheck"), f"{name} waits for {target} to be healthy"
            elif condition == "service_completed_successfully":
                assert target in ONE_SHOT, f"{name} waits for {target} to finish but it restarts"
            else:
                assert condition == "service_started", condition
    # What the web, the worker and beat need is there before they start.
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


# --- commands name things that exist ------------------------------------------------------------


def check_manage_py(args: list[str]):
    from django.core.management import get_commands, load_command_class

    assert args[:2] == ["python", "manage.py"], args
    subcommand, rest = args[2], args[3:]
    commands = get_commands()
    assert subcommand in commands, f"manage.py has no {subcommand!r} command"
    cmd = load_command_class(commands[subcommand], subcommand)
    cmd.create_parser("manage.py", subcommand).parse_args(rest)  # exits (fails) on an unknown flag


def check_click_options(command, args: list[str]):
    """Every --flag in ``args`` is an option of the click ``command``."""
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for arg in args:
        if arg.startswith("-") and arg != "-":
            flag = arg.split("=", 1)[0]
            assert flag in known, f"{command.name} has no option {flag}"


def check_uvicorn(args: list[str]):
    uvicorn_cli = importlib.import_module("uvicorn.main").main

    assert args[0] == "uvicorn", args
    uvicorn_cli.make_context("uvicorn", list(args[1:]))  # parses and validates every option
    target = next(arg for arg in args[1:] if ":" in arg and not arg.startswith("-"))
    module_name, attr = target.split(":")
    assert module_name == "portal.asgi" and attr == "application"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # WhiteNoise: no staticfiles/ before collectstatic
        module = importlib.import_module(module_name)
    assert callable(getattr(module, attr))


def check_celery(args: list[str]):
    from celery import Celery
    from celery.bin.celery import celery as celery_cli

    assert args[:3] == ["celery", "-A", "portal"], args
    package = importlib.import_module(args[2])
    assert isinstance(package.celery_app, Celery)
    subcommand, rest = args[3], args[4:]
    assert subcommand in celery_cli.commands, f"celery has no {subcommand!r} command"
    check_click_options(celery_cli.commands[subcommand], rest)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_commands_refer_to_what_the_project_has(name):
    args = command(name)
    if args[0] == "python":
        check_manage_py(args)
    elif args[0] == "uvicorn":
        check_uvicorn(args)
    elif args[0] == "celery":
        check_celery(args)
    else:
        pytest.fail(f"{name}: unexpected command {args}")


def test_each_role_runs_what_it_says():
    assert command("simulator")[2] == "runsimulator"
    assert option(command("simulator"), "--addr") == "0.0.0.0"
    assert command("migrate")[2:4] == ["migrate", "--noinput"]
    assert command("web")[:2] == ["uvicorn", "portal.asgi:application"]
    assert command("worker")[3] == "worker" and command("beat")[3] == "beat"


def test_the_worker_health_check_pings_its_own_node():
    check = SERVICES["worker"]["healthcheck"]["test"][1]
    assert "celery -A portal inspect ping" in check and "$$HOSTNAME" in check


# --- environment wiring ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_same_wiring(name):
    env = service_env(name)
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert len(env["SECRET_KEY"]) >= 50
    assert env["ALLOWED_HOSTS"] == "portal.example.com"

    db = urlsplit(env["DATABASE_URL"])
    pg = service_env("postgres")
    assert db.scheme in ("postgres", "postgresql") and db.hostname == "postgres" and (db.port or 5432) == 5432
    assert (db.username, db.password, db.path.lstrip("/")) == (
        pg["POSTGRES_USER"],
        pg["POSTGRES_PASSWORD"],
        pg["POSTGRES_DB"],
    )

    redis_url = urlsplit(env["REDIS_URL"])
    assert redis_url.scheme == "redis" and redis_url.hostname == "redis" and (redis_url.port or 6379) == 6379

    sim_port = option(command("simulator"), "--port")
    assert env["CLC_API_URL"] == f"http://simulator:{sim_port}"


def test_wiring_follows_overrides_and_requires_a_secret():
    env = dict(prod_env(), CLC_API_URL="https://api.ctl.io", POSTGRES_PASSWORD="s3cret")
    web = service_env("web", env)
    assert web["CLC_API_URL"] == "https://api.ctl.io"
    assert (
        urlsplit(web["DATABASE_URL"]).password
        == "s3cret"
        == service_env("postgres", env)["POSTGRES_PASSWORD"]
    )
    with pytest.raises(MissingVariable, match="SECRET_KEY"):
        service_env("web", {})
    # The production profile refuses to start without token keys: compose says so first.
    without_keys = {k: v for k, v in prod_env().items() if k != "TOKEN_ENCRYPTION_KEYS"}
    with pytest.raises(MissingVariable, match="TOKEN_ENCRYPTION_KEYS"):
        service_env("web", without_keys)


def test_the_web_server_leaves_x_forwarded_for_to_the_portal():
    """uvicorn rewrites no client address (the portal reads X-Forwarded-For from TRUSTED_PROXIES
    only); the proxies to trust reach every service from the environment."""
    for args in (command("web"), dockerfile_cmd()):
        assert "--no-proxy-headers" in args and "--forwarded-allow-ips" not in args, args
    assert (
        service_env("web", dict(prod_env(), TRUSTED_PROXIES="10.0.0.0/8"))["TRUSTED_PROXIES"] == "10.0.0.0/8"
    )
    assert service_env("web")["TRUSTED_PROXIES"] == ""


def test_the_web_environment_passes_check_deploy():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update(service_env("web"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the image ------------------------------------------------------------------------------------


def test_dockerfile_builds_a_pinned_non_root_image_with_static_files():
    text = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[[i for i, line in enumerate(lines) if line and not line.startswith("#")][0]] == (
        "FROM python:3.11-slim"
    )
    assert "-r requirements.txt -c constraints.txt" in text
    assert "collectstatic --noinput" in text
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    for line in lines:
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert source == "." or (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert dockerfile_cmd()[:2] == ["uvicorn", "portal.asgi:application"]


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "var", "staticfiles", ".env"} <= ignored
