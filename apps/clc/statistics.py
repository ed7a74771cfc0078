"""Monitoring statistics of a group's servers, or of one server (``Groups/get-group-monitoring-
statistics.md``; a server's ``statistics`` link takes the same parameters and answers its entry).

    group_statistics(client, group_id, type="hourly", start=..., sample_interval="01:00:00")
    server_statistics(client, "WA1DEMOWEB01", type="realtime", start=..., sample_interval="00:05:00")
"""

from urllib.parse import quote

from .client import ClcClient
from .entities import ServerStatistics


def _params(type: str, start: str | None, end: str | None, sample_interval: str | None) -> dict:
    params = {"type": type}
    if start:
        params["start"] = start
    if end:
        params["end"] = end
    if sample_interval:
        params["sampleInterval"] = sample_interval
    return params


def group_statistics(
    client: ClcClient,
    group_id: str,
    *,
    type: str = "hourly",
    start: str | None = None,
    end: str | None = None,
    sample_interval: str | None = None,
) -> list[ServerStatistics]:
    params = _params(type, start, end, sample_interval)
    body = client.get(f"/v2/groups/{{alias}}/{quote(group_id.lower(), safe='')}/statistics", params=params)
    return [ServerStatistics.from_api(item) for item in body or () if isinstance(item, dict)]


def server_statistics(
    client: ClcClient,
    server_id: str,
    *,
    type: str = "hourly",
    start: str | None = None,
    end: str | None = None,
    sample_interval: str | None = None,
) -> ServerStatistics:
    """The server's own entry (``{name, stats}``; the server's ``statistics`` link)."""
    params = _params(type, start, end, sample_interval)
    body = client.get(f"/v2/servers/{{alias}}/{quote(server_id.lower(), safe='')}/statistics", params=params)
    return ServerStatistics.from_api(body if isinstance(body, dict) else {"name": server_id})
