"""Shorthands for declaring actions (``registry``): what many declarations share, written once.

    act = declare("pool", roles=BALANCERS, **at_once())       # what the pool's actions share
    act("deletePool", "Delete pool", lambda run: clc.delete_pool(...),
        **deletes("Delete the pool {name}?", "Pool deleted.", "Delete pool"), order=90)

is ``register(Action(name="deletePool", target="pool", label="Delete pool", call=..., ...))``
(``deletes``: its ``self`` link's DELETE, ``asks`` and ``at_once``; ``edits``: its PUT, at once);
a declaration's own fields win over the shared ones. ``creates``: a create's call and where it
goes after; ``datacenter_target`` declares a data center's list of a kind
(``datacenters/<dc>/<segment>/``), ``datacenter_item`` one of them (``.../<id>/``); ``fresh_load``
makes a target's ``load`` from a selector; ``server_call`` a server action's call (``answerless``:
its answer dropped), ``unmodifiable`` the state rule of its changes. ``change`` and ``changes``
write an ``audit``'s "from"/"to" details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.urls import reverse

from apps.accounts.reads import read_for

from .registry import Action, Run, Target, register, register_target


def declare(target: str, **shared) -> Callable[..., Action]:
    """``act(name, label, call, **fields)`` registering an action of ``target`` with ``shared``."""

    def act(name: str, label: str, call: Callable[[Run], Any], **fields) -> Action:
        return register(Action(name=name, target=target, label=label, call=call, **(shared | fields)))

    return act


def _under_datacenter(name: str, tail: str, load, ident, title, page: str, kwargs, **fields) -> Target:
    """A target at ``datacenters/<dc>/<tail>``: ``kwargs(r)`` its URL kwargs, its page the URL named
    ``page`` with the same values (the data center's id first)."""
    return register_target(
        Target(
            name=name,
            route=f"datacenters/<str:dc>/{tail}",
            load=load,
            ident=ident,
            title=title,
            url=lambda r: reverse(page, args=list(kwargs(r).values())),
            kwargs=kwargs,
            **fields,
        )
    )


def datacenter_target(
    name: str, segment: str, load, title: str, page: str, audit_type: str = "datacenter", crumbs=None
) -> Target:
    """A data center's resources of a kind (``datacenters/<dc>/<segment>/``: where one is created or
    claimed): ``title`` with ``{dc}``, its page the URL named ``page`` (with the data center's id),
    audited as the data center; its crumbs the data center's page unless ``crumbs`` says."""

    def dc_crumbs(r) -> list:
        return [(r.dc, reverse("datacenter", args=[r.dc.lower()]))]

    return _under_datacenter(
        name,
        f"{segment}/",
        load,
        lambda r: r.dc,
        lambda r: title.format(dc=r.dc),
        page,
        lambda r: {"dc": r.dc.lower()},
        audit_type=audit_type,
        crumbs=crumbs or dc_crumbs,
    )


def datacenter_item(name: str, segment: str, key: str, load, item, page: str, crumbs) -> Target:
    """One resource of a data center (``datacenters/<dc>/<segment>/<key>/``): ``item(r)`` is the
    cloud's object, whose id is the target's and whose name (else id) its title; its page the URL
    named ``page`` (with the data center's id and its id)."""
    return _under_datacenter(
        name,
        f"{segment}/<str:{key}>/",
        load,
        lambda r: item(r).id,
        lambda r: item(r).name or item(r).id,
        page,
        lambda r: {"dc": r.dc.lower(), key: item(r).id},
        crumbs=crumbs,
    )


def creates(
    create: Callable[[Run], Any], page: Callable[[Run, str], str], otherwise: Callable[[Run], str]
) -> dict:
    """A create's ``call`` (``create(run)`` -> what it made: its id is kept) and ``then``: the new
    resource's page ``page(run, id)``, else (the cloud named none) ``otherwise(run)``."""

    def call(run: Run) -> None:
        run.result["id"] = create(run).id

    def then(run: Run) -> str:
        made = run.result.get("id")
        return page(run, made) if made else otherwise(run)

    return {"call": call, "then": then}


def asks(question: str, danger: bool = True) -> dict:
    """It asks ``question`` first and (unless ``danger=False``) its button looks destructive."""
    return {"confirm": True, "danger": danger, "question": question}


def at_once(done: str = "", button: str = "") -> dict:
    """The cloud does it at once (no activity follows): the message of success, the button's text."""
    return {"queues": False, "done": done, "button": button}


def edits(done: str, button: str = "Save") -> dict:
    """It changes the resource in place (its ``self`` link's PUT), done at once: ``at_once``'s texts."""
    return {"link": ("self", "PUT"), **at_once(done, button)}


def deletes(question: str, done: str, button: str = "") -> dict:
    """It deletes the resource (its ``self`` link's DELETE) once asked ``question`` (``asks``), done at
    once (``at_once``'s texts)."""
    return {"link": ("self", "DELETE"), **asks(question), **at_once(done, button)}


def fresh_load(selector: Callable[..., Any], fresh_on_post: bool = True) -> Callable[..., Any]:
    """A target's ``load``: ``selector(user, **url kwargs, client=..., fresh=...)``; a POST (a change)
    reads the cloud's current state rather than the cache (unless ``fresh_on_post`` is false)."""

    def load(request, **kwargs):
        return read_for(request, selector, fresh_on_post and request.method == "POST", **kwargs)

    return load


def server_call(call: Callable[..., Any], *names: str) -> Callable[[Run], Any]:
    """An action's ``call``: ``call(the person's client, the server's id, *the form's values named)``."""
    return lambda run: call(run.client, run.resource.server.id, *(run.data[n] for n in names))


def answerless(call: Callable[[Run], Any]) -> Callable[[Run], None]:
    """``call`` with its answer (the changed resource, a new mapping) dropped: done at once."""

    def run_it(run: Run) -> None:
        call(run)

    return run_it


def change(before: Any, after: Any) -> dict:
    """An audit detail of one field's change: ``{"from": before, "to": after}``."""
    return {"from": before, "to": after}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict:
    """An edit's audit detail: ``change`` for each field of ``after`` (in its order) whose value is not
    ``before``'s; a field ``before`` lacks (it could not be read) is changed from ``""``."""
    return {k: change(before.get(k, ""), v) for k, v in after.items() if before.get(k) != v}


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
