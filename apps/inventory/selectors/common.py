"""What every selector shares: the person's client, id checks, one bounded fan-out, and the
panel shapes (a side panel carries its data or the error that kept it out)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from apps.accounts.reads import own_client, url_part
from apps.clc import errors
from apps.clc.fanout import fan_out

from ..cache import PersonCache

T = TypeVar("T")


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class NotFound(errors.NotFound):
    """No such data center, group or server for this person (or one of another account)."""


@dataclass(frozen=True)
class PanelError:
    panel: str
    message: str
    status: int | None = None

    @classmethod
    def from_exception(cls, panel: str, exc: errors.ClcError, what: str | None = None) -> "PanelError":
        what = what or panel.capitalize()
        if isinstance(exc, errors.Forbidden):
            message = f"{what}: you do not have permission to see this."
        elif isinstance(exc, errors.NotFound):
            message = f"{what} is not available."
        elif isinstance(exc, errors.UpstreamUnavailable):
            status = f" (the cloud API answered {exc.status})" if exc.status else ""
            message = f"{what} is unavailable right now{status}. Try again in a moment."
        else:
            message = f"{what}: {exc.message}"
        return cls(panel=panel, message=message, status=exc.status)


@dataclass(frozen=True)
class Panel(Generic[T]):
    """A side panel: ``data``, or ``error``; neither when it does not apply (e.g. no billing link)."""

    data: T | None = None
    error: PanelError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def checked_id(value: str, what: str) -> str:
    """``value`` (stripped) when it can be a data center, group or server id, else ``NotFound``
    (``what`` names it in the message): an id from the URL is never sent upstream unchecked."""
    return url_part(value, _ID, what, NotFound, clip=64)


@dataclass(frozen=True)
class _CachedPage:
    """One resource's page by its id (``what``: "group", "server"): ``fetch(client, cache, id)``,
    cached per person as ``<what>:<id>`` while ``cacheable(page)``, brought up to date by ``patch``."""

    what: str
    fetch: Callable
    cacheable: Callable[[Any], bool]
    patch: Callable

    def read(self, user, raw_id: str, *, client, fresh: bool):
        checked = checked_id(raw_id, self.what)
        client = own_client(user, client)
        cache = PersonCache(user)
        return cache.get_or_fetch(
            f"{self.what}:{checked}",
            lambda: self.fetch(client, cache, checked),
            cacheable=self.cacheable,
            fresh=fresh,
            patch=self.patch,
        )


def run_tasks(tasks: list[Callable[[], Any]], workers: int | None = None) -> list:
    """Run heterogeneous calls in one bounded fan-out; a ``ClcError`` comes back in place."""
    return fan_out(lambda task: task(), tasks, workers=workers, return_exceptions=True)


def reraise_fatal(result) -> None:
    """A 401 always propagates (the person must sign in again)."""
    if isinstance(result, errors.Unauthorized):
        raise result


def _panel(result, panel: str, what: str) -> Panel:
    reraise_fatal(result)
    if isinstance(result, errors.ClcError):
        return Panel(error=PanelError.from_exception(panel, result, what))
    return Panel(data=result)
