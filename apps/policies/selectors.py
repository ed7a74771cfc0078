"""Policy reads for the pages, the API and the actions, through ``apps.clc`` with the person's
token, cached per person (``apps.inventory.cache.PersonCache``: a policy change bumps the account's
generation, so the next read is fresh; a server change leaves the policy lists alone).

Upstream calls, cold:

* the policies page: 1 alert policy list + 1 anti-affinity list + 1 autoscale list (each may fail
  alone: its section says so and the others render);
* one policy (alert, anti-affinity, autoscale): 0 after the list, else the list (1);
* a data center's anti-affinity policies: the anti-affinity list (shared) + the data center list
  (the top bar's, cached);
* the server page's panel: the server's autoscale mapping (1) + the autoscale list when it has
  one + the alert policy list when it has alert policies (both shared with the pages). The alerts
  that fired come from the webhooks' alert store (no upstream call).
"""

import re
from dataclasses import dataclass

from apps.accounts.reads import own_client, url_part
from apps.accounts.services import user_datacenters
from apps.actions.selectors import anti_affinity_policies  # the one cached read (create-server uses it)
from apps.clc import errors
from apps.clc import policies as clc
from apps.clc.entities import (
    AlertPolicyDefinition,
    AntiAffinityPolicy,
    AutoscalePolicy,
    PolicyList,
    PolicyMapping,
)
from apps.clc.links import HasLinks, Link
from apps.inventory.cache import PersonCache
from apps.webhooks import alerts as alert_store

_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_DC = re.compile(r"^[A-Za-z0-9]{2,16}$")
UNAVAILABLE = "could not be read right now (the cloud did not answer). The rest of the page is current."


class NotFound(errors.NotFound):
    """No such policy (or data center) in the person's account."""


def checked_id(value: str, what: str) -> str:
    return url_part(value, _ID, what, NotFound, clip=64).lower()


def _servers_only(value, changes):
    """A list no server change alters stays valid across them (policy changes bump the generation)."""
    return value if all(c.get("scope") == "server" for c in changes) else None


# --- lists -----------------------------------------------------------------------------------------
def _account_list(key: str, fetch, user, client, fresh: bool) -> PolicyList:
    """The account's list ``fetch(client)``, cached per person under ``key``."""
    client = own_client(user, client)
    return PersonCache(user).get_or_fetch(key, lambda: fetch(client), fresh=fresh, patch=_servers_only)


def alert_policies(user, *, client=None, fresh: bool = False) -> PolicyList:
    return _account_list("alertpolicies", clc.list_alert_policies, user, client, fresh)


def autoscale_policies(user, *, client=None, fresh: bool = False) -> PolicyList:
    return _account_list("autoscale", clc.list_autoscale_policies, user, client, fresh)


def _one(found: PolicyList, policy_id: str, what: str):
    wanted = checked_id(policy_id, what)
    match = next((p for p in found.items if p.id == wanted), None)
    if match is None:
        raise NotFound(f"No {what} {policy_id[:64]} in your account.")
    return match


def alert_policy(user, policy_id: str, *, client=None, fresh: bool = False) -> AlertPolicyDefinition:
    return _one(alert_policies(user, client=client, fresh=fresh), policy_id, "alert policy")


def anti_affinity_policy(user, policy_id: str, *, client=None, fresh: bool = False) -> AntiAffinityPolicy:
    return _one(anti_affinity_policies(user, client=client, fresh=fresh), policy_id, "anti-affinity policy")


def autoscale_policy(user, policy_id: str, *, client=None, fresh: bool = False) -> AutoscalePolicy:
    return _one(autoscale_policies(user, client=client, fresh=fresh), policy_id, "autoscale policy")


# --- the policies page -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    """One list of the page, or why it could not be read (the rest of the page renders)."""

    found: PolicyList | None
    error: str = ""

    @property
    def items(self) -> tuple:
        return self.found.items if self.found is not None else ()


def section(read, what: str) -> Section:
    try:
        return Section(read())
    except errors.Unauthorized:
        raise
    except errors.Forbidden:
        return Section(None, f"Your role may not read {what}.")
    except errors.ClcError:
        return Section(None, f"The {what} {UNAVAILABLE}")


@dataclass(frozen=True)
class PoliciesPage:
    alerts: Section
    anti_affinity: Section
    autoscale: Section


def policies_page(user, *, client=None, fresh: bool = False) -> PoliciesPage:
    client = own_client(user, client)
    return PoliciesPage(
        section(lambda: alert_policies(user, client=client, fresh=fresh), "alert policies"),
        section(lambda: anti_affinity_policies(user, client=client, fresh=fresh), "anti-affinity policies"),
        section(lambda: autoscale_policies(user, client=client, fresh=fresh), "autoscale policies"),
    )


# --- a data center's anti-affinity policies (the target of "create") ------------------------------
@dataclass(frozen=True)
class DataCenterAntiAffinity(HasLinks):
    dc: str
    policies: tuple[AntiAffinityPolicy, ...]
    links: tuple[Link, ...] = ()  # the account list's (POST: the person may create)


def datacenter_anti_affinity(request, dc: str, *, client=None, fresh: bool = False) -> DataCenterAntiAffinity:
    value = (dc or "").strip().upper()
    known = {d["id"].upper() for d in user_datacenters(request)}
    if not _DC.match(value) or value not in known:
        raise NotFound(f"No data center {value[:16]!r} in your account.")
    found = anti_affinity_policies(request.user, client=client, fresh=fresh)
    mine = tuple(sorted((p for p in found.items if p.location == value), key=lambda p: p.name.lower()))
    return DataCenterAntiAffinity(value, mine, found.links)


# --- a server's policies (the server page's panel, the API) ---------------------------------------
@dataclass(frozen=True)
class AttachedAlertPolicy:
    """An alert policy on the server, its triggers (when the account's list could be read) and the
    metrics whose alert is triggered now."""

    id: str
    name: str
    policy: AlertPolicyDefinition | None
    firing: tuple = ()  # webhooks Alert rows now triggered for one of its metrics
    links: tuple[Link, ...] = ()

    @property
    def removable(self) -> bool:
        return any(lk.rel == "alertPolicyMap" and lk.allows("DELETE") for lk in self.links)


@dataclass(frozen=True)
class ServerPolicies:
    server_id: str
    alert_policies: tuple[AttachedAlertPolicy, ...]
    autoscale: PolicyMapping | None
    autoscale_policy: AutoscalePolicy | None
    alerts: tuple = ()  # the server's latest alert per metric (webhooks store), newest first
    note: str = ""  # what could not be read
    hyperscale: bool = False  # only hyperscale servers join anti-affinity policies
    anti_affinity: AntiAffinityPolicy | None = None  # the one it is in


def server_autoscale(user, server_id: str, *, client=None, fresh: bool = False) -> PolicyMapping | None:
    """The server's autoscale mapping (cached; any change to that server reads it again)."""
    sid = server_id.upper()

    def patch(value, changes):
        return None if any(c.get("server") == sid or c.get("scope") != "server" for c in changes) else value

    found = PersonCache(user).get_or_fetch(
        f"autoscale:{sid}",
        lambda: clc.server_autoscale_policy(own_client(user, client), sid) or False,
        fresh=fresh,
        patch=patch,
    )
    return found or None


def server_policies(
    user, detail, *, client=None, fresh: bool = False, alerts: list | None = None
) -> ServerPolicies:
    """``detail``: the inventory's ``ServerDetail`` (its alert policies come with it). ``alerts``: the
    server's newest alerts (``apps.webhooks.alerts.server_alerts``), read unless given (the server
    page has them: ``request_server_alerts``). ``fresh``: the policies are read from the cloud, not
    the cache (the API's ``?fresh=1``)."""
    client = own_client(user, client)
    server = detail.server
    notes = []

    def read(fetch, note: str, default=None):
        """``fetch()``, or ``default`` and ``note`` said when the cloud does not answer (a 401 raises)."""
        try:
            return fetch()
        except errors.Unauthorized:
            raise
        except errors.ClcError:
            notes.append(note)
            return default

    mapping = server_autoscale(user, server.id, client=client, fresh=fresh)
    scale = None
    if mapping is not None:  # a policy no longer in the list: none shown, nothing to say
        wanted = mapping.id.lower()
        scale = read(
            lambda: next(
                (p for p in autoscale_policies(user, client=client, fresh=fresh).items if p.id == wanted),
                None,
            ),
            "The autoscale policy's settings could not be read.",
        )
    definitions = {}
    if detail.alert_policies:
        definitions = read(
            lambda: {p.id: p for p in alert_policies(user, client=client, fresh=fresh).items},
            "The alert policies' triggers could not be read.",
            {},
        )
    hyperscale = (detail.type or "").lower() == "hyperscale"
    anti = None
    if hyperscale:
        anti = read(
            lambda: anti_affinity_of(user, server.id, client=client, fresh=fresh),
            "The anti-affinity policies could not be read.",
        )
    if alerts is None:
        alerts = alert_store.server_alerts(user.account_alias or "", server.id)
    latest = alert_store.latest_per_metric(alerts)
    attached = []
    for ref in detail.alert_policies:
        policy = definitions.get(ref.id.lower())
        metrics = {t.metric for t in policy.triggers} if policy else set()
        firing = tuple(a for a in latest if a.triggered and a.metric in metrics)
        attached.append(
            AttachedAlertPolicy(
                ref.id.lower(), ref.name or (policy.name if policy else ""), policy, firing, ref.links
            )
        )
    attached.sort(key=lambda a: a.name.lower())
    return ServerPolicies(
        server.id, tuple(attached), mapping, scale, tuple(latest), " ".join(notes), hyperscale, anti
    )


def anti_affinity_of(user, server_id: str, *, client=None, fresh: bool = False) -> AntiAffinityPolicy | None:
    """The anti-affinity policy a server is in (the account's list names each policy's servers)."""
    return member_of(anti_affinity_policies(user, client=client, fresh=fresh).items, server_id)


def member_of(policies, server_id: str) -> AntiAffinityPolicy | None:
    """The one of ``policies`` (anti-affinity) that lists the server."""
    wanted = server_id.upper()
    return next((p for p in policies if any(s.id == wanted for s in p.servers)), None)
