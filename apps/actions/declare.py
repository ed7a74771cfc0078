"""Shorthands for declaring actions (``registry``): what many declarations share, written once.

    act = declare("pool", roles=BALANCERS, **at_once())       # what the pool's actions share
    act("deletePool", "Delete pool", lambda run: clc.delete_pool(...), link=("self", "DELETE"),
        **asks("Delete the pool {name}?"), **at_once("Pool deleted.", "Delete pool"), order=90)

is ``register(Action(name="deletePool", target="pool", label="Delete pool", call=..., ...))``;
a declaration's own fields win over the shared ones. ``fresh_load`` makes a target's ``load`` from a
selector; ``server_call`` a server action's call (``answerless``: its answer dropped), ``unmodifiable`` the state rule of its changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.accounts.services import client_for_request

from .registry import Action, Run, register


def declare(target: str, **shared) -> Callable[..., Action]:
    """``act(name, label, call, **fields)`` registering an action of ``target`` with ``shared``."""

    def act(name: str, label: str, call: Callable[[Run], Any], **fields) -> Action:
        return register(Action(name=name, target=target, label=label, call=call, **(shared | fields)))

    return act


def asks(question: str, danger: bool = True) -> dict:
    """It asks ``question`` first and (unless ``danger=False``) its button looks destructive."""
    return {"confirm": True, "danger": danger, "question": question}


def at_once(done: str = "", button: str = "") -> dict:
    """The cloud does it at once (no activity follows): the message of success, the button's text."""
    return {"queues": False, "done": done, "button": button}


def fresh_load(selector: Callable[..., Any], fresh_on_post: bool = True) -> Callable[..., Any]:
    """A target's ``load``: ``selector(user, **url kwargs, client=..., fresh=...)``; a POST (a change)
    reads the cloud's current state rather than the cache (unless ``fresh_on_post`` is false)."""

    def load(request, **kwargs):
        client = client_for_request(request)
        fresh = fresh_on_post and request.method == "POST"
        return selector(request.user, **kwargs, client=client, fresh=fresh)

    return load


def server_call(call: Callable[..., Any], *names: str) -> Callable[[Run], Any]:
    """An action's ``call``: ``call(the person's client, the server's id, *the form's values named)``."""
    return lambda run: call(run.client, run.resource.server.id, *(run.data[n] for n in names))


def answerless(call: Callable[[Run], Any]) -> Callable[[Run], None]:
    """``call`` with its answer (the changed resource, a new mapping) dropped: done at once."""

    def run_it(run: Run) -> None:
        call(run)

    return run_it


def unmodifiable(detail) -> str | None:
    """Why a server (a ``ServerDetail``) can't be changed now: unreadable, archived, not active."""
    s = detail.server
    if s.error:
        return "its details could not be read"
    if s.status == "archived":
        return "it is archived"
    if s.status != "active":
        return f"it is {s.status or 'not active'}"
    return None


def unreadable(detail) -> str | None:
    """The server's details could not be read (the rest is the cloud's to refuse)."""
    return "its details could not be read" if detail.server.error else None
