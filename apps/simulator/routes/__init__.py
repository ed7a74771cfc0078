"""Importing this package registers every route module with ``router``.

A route is written from the shared pieces, so the same check answers the same way everywhere:
``roles.require`` (403), ``errors.found`` (404 for a missing thing), ``fields`` (booleans, texts,
ids, whole numbers: 400 ``The request is invalid: ...``), ``servers.server_for`` /
``servers.sub_resource`` / ``servers.queued`` (a server and its snapshots, public IPs),
``groups.group_for``, ``policy_common`` (policies by path or by a body's id, a server's mapping),
``state.provisioning`` (pending -> done or failed when a queued operation ends) and, for the two
firewall policy families, ``firewall_rules.Family``.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
