"""Monitoring statistics of a group's servers, or of one server (``Groups/get-group-monitoring-
statistics.md``; a server's ``statistics`` link takes the same parameters and answers its entry).

    group_statistics(client, group_id, type="hourly", start=..., sample_interval="01:00:00")
    server_statistics(client, "WA1DEMOWEB01", type="realtime", start=..., sample_interval="00:05:00")
"""

from urllib.parse import quote

from .client import ClcClient
from .entities import ServerStatistics, each


def _read(
    client: ClcClient,
    kind: str,
    ident: str,
    *,
    type: str = "hourly",
    start: str | None = None,
    end: str | None = None,
    sample_interval: str | None = None,
):
    """``GET /v2/<kind>/{alias}/<id>/statistics``: ``type`` and the options given (an empty one is
    left out of the query)."""
    params = {"type": type} | {
        k: v for k, v in (("start", start), ("end", end), ("sampleInterval", sample_interval)) if v
    }
    return client.get(f"/v2/{kind}/{{alias}}/{quote(ident.lower(), safe='')}/statistics", params=params)


def group_statistics(client: ClcClient, group_id: str, **options) -> list[ServerStatistics]:
    """Every server's entry of the group (``options``: ``_read``'s)."""
    body = _read(client, "groups", group_id, **options)
    return list(each(ServerStatistics.from_api, body))


def server_statistics(client: ClcClient, server_id: str, **options) -> ServerStatistics:
    """The server's own entry (``{name, stats}``; the server's ``statistics`` link)."""
    body = _read(client, "servers", server_id, **options)
    return ServerStatistics.from_api(body if isinstance(body, dict) else {"name": server_id})
