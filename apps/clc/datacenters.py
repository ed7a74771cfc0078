"""Data centers: the account's list, one data center (with its root group link), capabilities."""

from urllib.parse import quote

from .client import ClcClient
from .entities import DataCenter, DeploymentCapabilities


def _dc(dc: str) -> str:
    return quote(dc.lower(), safe="")


def list_datacenters(client: ClcClient) -> list[DataCenter]:
    return [DataCenter.from_api(item) for item in client.get("/v2/datacenters/{alias}") or ()]


def get_datacenter(client: ClcClient, dc: str, *, group_links: bool = False) -> DataCenter:
    params = {"groupLinks": "true"} if group_links else None
    return DataCenter.from_api(client.get(f"/v2/datacenters/{{alias}}/{_dc(dc)}", params=params))


def deployment_capabilities(client: ClcClient, dc: str) -> DeploymentCapabilities:
    return DeploymentCapabilities.from_api(
        client.get(f"/v2/datacenters/{{alias}}/{_dc(dc)}/deploymentCapabilities")
    )
