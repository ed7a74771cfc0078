"""The action registry: every change a person can make is ONE declaration here.

An ``Action`` says what it is called, what it acts on (a ``Target`` kind: a server, servers in bulk,
a group, and later a network, a public IP, a load balancer, a policy...), its form, whether it asks
first, who and what allows it, the ``apps.clc`` call it makes and what that call invalidates. The
pages (``views``), the REST API (``api``), the template tags, the bulk bar and the audit all read
it; nothing else runs an action.

Adding an action = one ``register(Action(...))`` in the app's ``actions.py`` (apps with an
``actions.py`` module are imported at start-up, like Django's admin.py), one client function in
``apps/clc`` and its tests (``tests/test_actions_registry.py`` walks every entry and needs an example
for it in ``tests/support/action_examples.py``).

    register(Action(
        name="setCpuMemory", target="server", label="Change CPU / memory",
        form=CpuMemoryForm, roles=OPERATE, link=("self", "PATCH"), state=modifiable,
        call=lambda run: clc_servers.set_cpu_memory(run.client, run.resource.id, **run.data),
    ))

A target kind (``Target``) knows how to load its resource for a request (raising the client's
``NotFound`` for an unknown id or another account's), its id for the audit, its name for people,
the page to return to and the URL prefix of its action routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLE_NAMES = {
    "AccountAdmin": "Account Administrator",
    "AccountViewer": "Account Viewer",
    "BillingAdmin": "Billing Manager",
    "DNSManager": "DNS Manager",
    "NetworkAdmin": "Network Manager",
    "SecurityAdmin": "Security Manager",
    "ServerAdmin": "Server Administrator",
    "ServerOperator": "Server Operator",
}


@dataclass(frozen=True)
class Verdict:
    """``allowed()``'s answer: yes, or no with the reason a person reads. ``kind`` is ``"role"``
    (the person's roles can't: the button is shown disabled with the hint) or ``"state"`` (the
    resource can't now: the action is not offered)."""

    ok: bool
    reason: str = ""
    kind: str = ""

    def __bool__(self) -> bool:
        return self.ok


ALLOWED = Verdict(True)


def refuse_state(reason: str) -> Verdict:
    return Verdict(False, reason, "state")


def role_phrase(roles) -> str:
    """``{"ServerAdmin", "AccountAdmin"}`` -> ``"Account Administrator or Server Administrator"``."""
    order = list(ROLE_NAMES)
    names = [ROLE_NAMES.get(r, r) for r in sorted(roles, key=lambda r: order.index(r) if r in order else 99)]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def refuse_role(roles) -> Verdict:
    return Verdict(False, f"needs {role_phrase(roles)}", "role")


@dataclass
class Run:
    """What an action's ``call`` gets: the person's client, the loaded resource, the form's data."""

    client: Any
    resource: Any
    data: dict
    user: Any
    form: Any = None
    result: dict = field(default_factory=dict)  # a call may leave values for ``then`` (e.g. a new id)


@dataclass(frozen=True)
class Target:
    """A kind of thing actions act on."""

    name: str  # "server"
    route: str  # URL prefix with converters, e.g. "servers/<str:server_id>/"
    load: Callable[..., Any]  # (request, **url kwargs) -> resource; raises clc NotFound
    ident: Callable[[Any], str]  # resource -> id for the audit, activities and URLs
    title: Callable[[Any], str]  # resource -> a name for people
    url: Callable[[Any], str]  # resource -> the page to go back to
    kwargs: Callable[[Any], dict] = lambda resource: {}  # resource -> the route's URL kwargs
    audit_type: str = ""  # the audit entry's target type (default: name)
    crumbs: Callable[[Any], list] = lambda resource: []  # [(label, url), ...] before the resource
    many: bool = False  # acts on several resources at once (always asks first)
    invalidate: Callable[[Any, Any, Any], None] | None = None  # (user, resource, action) -> None

    @property
    def audit_name(self) -> str:
        return self.audit_type or self.name


def _yes(user, resource) -> Verdict:
    return ALLOWED


@dataclass(frozen=True)
class Action:
    name: str  # "powerOff": unique per target kind; the audit action is "<target>.<name>"
    target: str  # a Target name
    label: str  # "Power off": the one label of this operation everywhere
    call: Callable[[Run], Any]  # the apps/clc call (see services.record_answer for what it returns)
    form: type | None = None  # an ActionForm subclass; None: nothing to fill in
    roles: frozenset = frozenset()  # ROLES.md roles that may (the hint "needs ..." names them)
    link: tuple[str, str | None] | None = None  # (rel, verb) the resource must offer (verb None: the link)
    state: Callable[[Any], str | None] | None = None  # resource -> why its state forbids, or None
    check: Callable[[Any, Any], Verdict] | None = None  # extra (user, resource) check, after the rest
    confirm: bool = False  # asks first (destructive); every action on many resources asks anyway
    danger: bool = False  # a destructive button
    question: str = ""  # "Power off {name}?" ({name}: the resource's title, {target}: the form's target)
    button: str = ""  # the submit button's text (default: label)
    done: str = ""  # the message of an immediate success (default "<label>: done.")
    queues: bool = True  # the cloud queues it (an activity follows) rather than doing it at once
    placement: str = "bar"  # "bar": the page's action bar; "item": next to a snapshot, an IP...; "none"
    order: int = 100  # position in the action bar
    then: Callable[[Run], str] | None = None  # where a page goes after success (default: the target's page)
    resource_ids: Callable[[Run], list] | None = None  # the activity's resources (default: the target)
    affects: Callable[[Any, Any], list] | None = None  # (user, resource) -> what it touches, said when asking
    template: str = ""  # the page's template (default: actions/action.html)
    audit: Callable[[Run], dict] | None = None  # what it changed, for the audit entry (after the call)
    example: dict = field(default_factory=dict)  # the API request example
    description: str = ""  # for the API documentation

    @property
    def key(self) -> tuple[str, str]:
        return (self.target, self.name)

    @property
    def audit_action(self) -> str:
        return f"{self.target}.{self.name}"

    @property
    def submit(self) -> str:
        return self.button or self.label

    def asks_first(self) -> bool:
        return self.confirm or target(self.target).many

    def allowed(self, user, resource) -> Verdict:
        """Yes, or no with the reason: the resource's state first, then the person's roles, then
        the link (and verb) the cloud returned for this resource."""
        if self.state is not None:
            reason = self.state(resource)
            if reason:
                return refuse_state(reason)
        roles = set(getattr(user, "roles", None) or ())
        if self.roles and not roles & self.roles:
            return refuse_role(self.roles)
        if self.link is not None and not _allows(resource, *self.link):
            if self.roles and not roles & self.roles:
                return refuse_role(self.roles)
            return refuse_state("the cloud does not offer it for this now")
        if self.check is not None:
            return self.check(user, resource)
        return ALLOWED


def _allows(resource, rel: str, verb: str | None) -> bool:
    """The resource offers the link ``rel`` (with ``verb``; ``None``: the link's presence, for links
    the API documents without verbs, such as a group's ``archiveGroupAction``)."""
    if verb is None:
        link = getattr(resource, "link", None)
        return bool(link and link(rel) is not None)
    allows = getattr(resource, "allows", None)
    return bool(allows and allows(rel, verb))


_TARGETS: dict[str, Target] = {}
_ACTIONS: dict[tuple[str, str], Action] = {}


def register_target(kind: Target) -> Target:
    _TARGETS[kind.name] = kind
    return kind


def register(action: Action) -> Action:
    if action.key in _ACTIONS:
        raise ValueError(f"action {action.audit_action} is registered twice")
    _ACTIONS[action.key] = action
    return action


def target(name: str) -> Target:
    return _TARGETS[name]


def targets() -> list[Target]:
    return list(_TARGETS.values())


def get(target_name: str, name: str) -> Action | None:
    return _ACTIONS.get((target_name, name))


def actions(target_name: str | None = None) -> list[Action]:
    """Registered actions (of one target kind), in their page order."""
    found = [a for a in _ACTIONS.values() if target_name is None or a.target == target_name]
    return sorted(found, key=lambda a: (a.target, a.order, a.name))


def label(name: str, default: str = "") -> str:
    """The one label of an operation name (activities, messages), whatever its target."""
    for action in _ACTIONS.values():
        if action.name == name:
            return action.label
    return default or name
