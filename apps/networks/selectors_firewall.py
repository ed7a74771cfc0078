"""Firewall policy reads: a data center's intra and cross data center policies, with their sources
and destinations named as the account's networks where they are ours.

Upstream calls, cold: 1 intra list + 1 cross list + the data center's networks (shared with the
networks pages) + 1 network list per other data center a cross policy of ours points to.
"""

from dataclasses import dataclass

from apps.accounts.reads import own_client
from apps.clc import errors
from apps.clc import firewall as clc_firewall
from apps.clc.firewall import CrossPolicy, IntraPolicy
from apps.clc.networks import Network
from apps.inventory.cache import PersonCache, alias_of

from .selectors import (
    NotFound,
    ViewOf,
    account_networks,
    cached_many,
    checked_dc,
    checked_id,
    network_list,
)
from .validation import network_of


@dataclass(frozen=True)
class Endpoint:
    """A CIDR block of a policy, and the account's network holding it (if it is ours)."""

    cidr: str
    network: Network | None = None

    @property
    def exact(self) -> bool:
        return self.network is not None and self.network.cidr == self.cidr


def endpoints(cidrs, networks) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(c, network_of(c, networks or ())) for c in cidrs)


class PolicyView(ViewOf):
    """What a policy's view (``IntraView``, ``CrossView``) says of its ``policy`` for the person's
    ``account``: its id, data center and links, and whether it lets traffic into another account."""

    of = "policy"
    policy: IntraPolicy | CrossPolicy
    account: str  # the person's account alias

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def other_account(self) -> bool:
        return self.policy.destination_account.upper() != self.account.upper()


@dataclass(frozen=True)
class IntraView(PolicyView):
    policy: IntraPolicy
    sources: tuple[Endpoint, ...]
    destinations: tuple[Endpoint, ...]
    account: str


@dataclass(frozen=True)
class CrossView(PolicyView):
    policy: CrossPolicy
    source: Endpoint
    destination: Endpoint
    account: str


@dataclass(frozen=True)
class FirewallView:
    """A data center's firewall (what the create actions act on)."""

    dc: str
    account: str
    networks: tuple[Network, ...]
    intra: tuple[IntraView, ...] = ()
    cross: tuple[CrossView, ...] = ()
    intra_error: str = ""
    cross_error: str = ""

    def allows(self, rel, verb) -> bool:  # the lists carry no create link: roles and the cloud decide
        return True


def _error_text(exc: errors.ClcError, what: str) -> str:
    if isinstance(exc, errors.Forbidden):
        return f"{what}: your role may not list them."
    return f"{what} could not be read from the cloud right now."


def intra_view(policy: IntraPolicy, networks, account: str) -> IntraView:
    return IntraView(
        policy, endpoints(policy.source, networks), endpoints(policy.destination, networks), account
    )


def cross_view(policy: CrossPolicy, networks, remote: dict, account: str) -> CrossView:
    theirs = remote.get(policy.destination_location) if policy.destination_account == account else None
    return CrossView(
        policy,
        Endpoint(policy.source_cidr, network_of(policy.source_cidr, networks)),
        Endpoint(policy.destination_cidr, network_of(policy.destination_cidr, theirs or ())),
        account,
    )


def _list_key(kind: str, dc: str) -> str:
    """The cache key of the data center's ``kind`` (intra or cross) policy list."""
    return f"fw-{kind}:{dc}"


def firewall(user, dc: str, *, client=None, fresh: bool = False) -> FirewallView:
    """Both policy lists of the data center; a list that can't be read says so, the other shows."""
    client = own_client(user, client)
    listed = network_list(user, dc, client=client)
    dc = listed.dc
    account = alias_of(user)
    cache = PersonCache(user)
    found = cached_many(
        cache,
        [
            (_list_key("intra", dc), lambda: tuple(clc_firewall.list_intra(client, dc))),
            (_list_key("cross", dc), lambda: tuple(clc_firewall.list_cross(client, dc))),
        ],
        fresh=fresh,
    )
    intra, cross = found[_list_key("intra", dc)], found[_list_key("cross", dc)]
    intra_error = (
        _error_text(intra, "Intra data center policies") if isinstance(intra, errors.ClcError) else ""
    )
    cross_error = (
        _error_text(cross, "Cross data center policies") if isinstance(cross, errors.ClcError) else ""
    )
    intra = () if intra_error else intra
    cross = () if cross_error else cross
    locations = {p.destination_location for p in cross if p.destination_account == account}
    remote = account_networks(user, sorted(locations), client=client) if locations else {}
    return FirewallView(
        dc,
        account,
        listed.networks,
        tuple(intra_view(p, listed.networks, account) for p in intra),
        tuple(cross_view(p, listed.networks, remote, account) for p in cross),
        intra_error,
        cross_error,
    )


def _policy(user, dc: str, policy_id: str, client, fresh: bool, kind: str):
    """One policy (``kind``: intra or cross) from the cached list when it is there, else read (1
    call); and the data center's networks."""
    dc = checked_dc(dc)
    policy_id = checked_id(policy_id, "policy").lower()
    listed = network_list(user, dc, client=client)
    cached = None if fresh else PersonCache(user).peek(_list_key(kind, dc))
    policy = next((p for p in cached or () if p.id.lower() == policy_id), None)
    if policy is None:
        get, what = (
            (clc_firewall.get_intra, "firewall")
            if kind == "intra"
            else (clc_firewall.get_cross, "cross data center")
        )
        try:
            policy = get(client, dc, policy_id)
        except errors.NotFound:
            raise NotFound(f"No {what} policy {policy_id} in {dc}.") from None
    return policy, listed.networks


def intra_policy(user, dc: str, policy_id: str, *, client=None, fresh: bool = False) -> IntraView:
    policy, networks = _policy(user, dc, policy_id, own_client(user, client), fresh, "intra")
    return intra_view(policy, networks, alias_of(user))


def cross_policy(user, dc: str, policy_id: str, *, client=None, fresh: bool = False) -> CrossView:
    client = own_client(user, client)
    policy, networks = _policy(user, dc, policy_id, client, fresh, "cross")
    account = alias_of(user)
    remote = {}
    if policy.destination_account == account:
        remote = account_networks(user, [policy.destination_location], client=client)
    return cross_view(policy, networks, remote, account)
