"""Every dependency is pinned: requirements*.txt with ==, and constraints.txt covers the transitive ones."""

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def requirement_lines(name: str):
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            yield line


def constraints() -> dict[str, str]:
    pins = {}
    for line in requirement_lines("constraints.txt"):
        req = Requirement(line)
        (spec,) = req.specifier
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def direct_requirements() -> list[Requirement]:
    return [
        Requirement(line)
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in requirement_lines(name)
    ]


def test_requirements_files_pin_every_package_with_double_equals():
    for req in direct_requirements():
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{req} is not pinned with =="


def test_constraints_pin_every_line_exactly():
    for line in requirement_lines("constraints.txt"):
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line), f"not an exact pin: {line}"


def test_constraints_agree_with_the_requirements_files():
    pins = constraints()
    for req in direct_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is missing from constraints.txt (run `make lock`)"
        assert pins[name] == next(iter(req.specifier)).version, (
            f"{req.name}: constraints.txt differs (make lock)"
        )


def test_every_installed_dependency_is_in_the_constraints():
    """Walk the installed requirement tree: nothing it pulls in may be unpinned."""
    pins = constraints()
    seen: set[str] = set()
    todo = [(req, {""}) for req in direct_requirements()]
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({**default_environment(), "extra": e}) for e in extras):
            continue
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        assert name in pins, f"{req.name} (needed by the requirements) is not pinned in constraints.txt"
        version = metadata.version(req.name)
        assert version == pins[name], (
            f"{req.name} {version} is installed but constraints.txt pins {pins[name]}"
        )
        for sub in metadata.requires(req.name) or []:
            todo.append((Requirement(sub), {"", *req.extras}))
