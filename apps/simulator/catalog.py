"""What each data center offers besides templates: VM import (OS types, the account's uploaded
OVFs) and bare metal (configurations and operating systems).

Sources: ``Data Centers/get-data-center-deployment-capabilities.md`` (``importableOSTypes``),
``get-data-center-bare-metal-capabilities.md`` (its example, VA1), ``Servers/import-server.md`` and
``get-available-server-imports.md`` (their examples); the entity shape of an importable OS type
(``id, description, labProductCode, premiumProductCode, type``) and the undocumented
``dataCenterEnabled``/``importVMEnabled`` flags come from published clients (clc-go-cli's
``ImportableOSType``, clc-java-sdk's ``GetDeploymentCapabilitiesResponse``).
"""

# Data centers where VM import works (deploymentCapabilities.importVMEnabled); CA3 offers no more
# than its templates (it has no shared load balancers either).
NO_VM_IMPORT = {"CA3"}
# Data centers with bare metal servers (the capabilities page's example asks VA1).
BARE_METAL = {"VA1"}

IMPORTABLE_OS_TYPES = [
    {
        "id": 41,
        "description": "RedHat Enterprise Linux 6 64-bit",
        "labProductCode": "RHEL6-64-LAB",
        "premiumProductCode": "RHEL6-64",
        "type": "redHat6_64Bit",
    },
    {
        "id": 42,
        "description": "Windows 2008 R2 DataCenter Edition 64-bit",
        "labProductCode": "WIN2008R2DTC-64-LAB",
        "premiumProductCode": "WIN2008R2DTC-64",
        "type": "windows2008R2DataCenter_64bit",
    },
    {
        "id": 43,
        "description": "Windows 2012 R2 DataCenter Edition 64-bit",
        "labProductCode": "WIN2012R2DTC-64-LAB",
        "premiumProductCode": "WIN2012R2DTC-64",
        "type": "windows2012R2DataCenter_64Bit",
    },
]

# The OVFs every account has uploaded (the page's example, with the account's alias). ``osType`` and
# ``password`` are the simulator's own: an import must name the OVF's OS type and its password
# ("This password must match the one set on the server being imported or the import will fail").
OVFS = [
    {
        "suffix": "CUSTOM-OVF-IMPORT",
        "name": "CUSTOM-OVF-IMPORT-RHEL-6-64",
        "storageSizeGB": 16,
        "cpuCount": 1,
        "memorySizeMB": 1024,
        "osType": "redHat6_64Bit",
        "osDescription": "RedHat Enterprise Linux 6 64-bit",
        "password": "P@ssw0rd1",
    },
    {
        "suffix": "CUSTOM-OVF-IMPORT-2",
        "name": "CUSTOM-OVF-IMPORT-2",
        "storageSizeGB": 60,
        "cpuCount": 2,
        "memorySizeMB": 4096,
        "osType": "windows2012R2DataCenter_64Bit",
        "osDescription": "Windows 2012 R2 Datacenter 64-bit",
        "password": "P@ssw0rd1",
    },
]

BARE_METAL_SKUS = [
    {
        "id": "529e2592a3e640a7c2617b5e8bc8feaed95eab22",
        "hourlyRate": 0.56,
        "availability": "high",
        "memory": [{"capacityGB": 16}],
        "processor": {
            "coresPerSocket": 4,
            "description": "Intel(R) Xeon(R) CPU E3-1271 v3 @ 3.60GHz",
            "sockets": 1,
        },
        "storage": [
            {"capacityGB": 1000, "speedRpm": 7200, "type": "Hdd"},
            {"capacityGB": 1000, "speedRpm": 7200, "type": "Hdd"},
        ],
    },
    {
        "id": "f24b18ba2ce23657657444601649c7b8b7f9b60c",
        "hourlyRate": 1.65,
        "availability": "none",
        "memory": [{"capacityGB": 64}],
        "processor": {
            "coresPerSocket": 6,
            "description": "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz",
            "sockets": 2,
        },
        "storage": [{"capacityGB": 2000, "speedRpm": 7200, "type": "Hdd"}] * 4,
    },
]

BARE_METAL_OS = [
    {"type": "centOS6_64Bit", "description": "CentOS 6 64-bit", "hourlyRatePerSocket": 0},
    {
        "type": "redHat6_64Bit",
        "description": "RedHat Enterprise Linux 6 64-bit",
        "hourlyRatePerSocket": 0.075,
    },
    {"type": "ubuntu14_64Bit", "description": "Ubuntu 14 64-bit", "hourlyRatePerSocket": 0},
    {
        "type": "windows2012R2Standard_64bit",
        "description": "Windows 2012 R2 Standard 64-bit",
        "hourlyRatePerSocket": 0.04,
    },
    {
        "type": "windows2012R2Datacenter_64bit",
        "description": "Windows 2012 R2 Datacenter 64-bit",
        "hourlyRatePerSocket": 0.279,
    },
]


def vm_import_enabled(dc_id: str) -> bool:
    return dc_id.upper() not in NO_VM_IMPORT


def bare_metal_supported(dc_id: str) -> bool:
    return dc_id.upper() in BARE_METAL


def importable_os_types(dc_id: str) -> list[dict]:
    return [dict(t) for t in IMPORTABLE_OS_TYPES] if vm_import_enabled(dc_id) else []


def ovfs_of(alias: str, dc_id: str) -> list[dict]:
    """The account's OVFs a data center can import (none where import is off)."""
    if not vm_import_enabled(dc_id):
        return []
    return [dict(o, id=f"{alias.upper()}/{o['suffix']}") for o in OVFS]


def importable_os_type(dc_id: str, os_type) -> dict | None:
    """The data center's importable OS type named ``os_type`` (any case), or None."""
    if not isinstance(os_type, str):
        return None
    wanted = os_type.strip().lower()
    return next((t for t in importable_os_types(dc_id) if t["type"].lower() == wanted), None)


def ovf_of(alias: str, dc_id: str, ovf_id) -> dict | None:
    """The account's OVF ``ovf_id`` (any case) the data center can import, or None."""
    if not isinstance(ovf_id, str):
        return None
    wanted = ovf_id.strip().lower()
    return next((o for o in ovfs_of(alias, dc_id) if o["id"].lower() == wanted), None)


def public_ovf(ovf: dict) -> dict:
    return {k: ovf[k] for k in ("id", "name", "storageSizeGB", "cpuCount", "memorySizeMB")}


def bare_metal_sku(dc_id: str, sku_id) -> dict | None:
    if not bare_metal_supported(dc_id) or not isinstance(sku_id, str):
        return None
    return next((s for s in BARE_METAL_SKUS if s["id"] == sku_id.strip().lower()), None)


def bare_metal_os(dc_id: str, os_type) -> dict | None:
    if not bare_metal_supported(dc_id) or not isinstance(os_type, str):
        return None
    return next((o for o in BARE_METAL_OS if o["type"].lower() == os_type.strip().lower()), None)
