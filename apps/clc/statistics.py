"""Monitoring statistics of a group's servers."""

from urllib.parse import quote

from .client import ClcClient
from .entities import ServerStatistics


def group_statistics(
    client: ClcClient,
    group_id: str,
    *,
    type: str = "hourly",
    start: str | None = None,
    end: str | None = None,
    sample_interval: str | None = None,
) -> list[ServerStatistics]:
    params = {"type": type}
    if start:
        params["start"] = start
    if end:
        params["end"] = end
    if sample_interval:
        params["sampleInterval"] = sample_interval
    body = client.get(f"/v2/groups/{{alias}}/{quote(group_id.lower(), safe='')}/statistics", params=params)
    return [ServerStatistics.from_api(item) for item in body or () if isinstance(item, dict)]
