"""Who may do what (``shared/clc-api-v2/ROLES.md``), as role sets the registry's actions name.

The cloud decides (its links and 403s); these sets only say *which* role a refused person lacks.
"""

ADMIN = "AccountAdmin"
VIEWER = "AccountViewer"
BILLING = "BillingAdmin"
NETWORK = "NetworkAdmin"
SECURITY = "SecurityAdmin"
SERVER_ADMIN = "ServerAdmin"
SERVER_OPERATOR = "ServerOperator"
# DNSManager is in none of the sets below: it may take none of these actions.

# Power, maintenance, snapshots, create/delete/archive/restore, CPU/memory/disks/description/group,
# custom field values, groups and their defaults and schedules.
OPERATE = frozenset({ADMIN, SERVER_ADMIN, SERVER_OPERATOR})
# View server credentials; change a server's password.
CREDENTIALS = frozenset({ADMIN, SECURITY, SERVER_ADMIN})
# Add, update, remove a public IP; create/edit/delete alert, autoscale, anti-affinity policies.
SERVER_ADMINS = frozenset({ADMIN, SERVER_ADMIN})
# Claim, edit, release networks.
NETWORKS = frozenset({ADMIN, NETWORK})
# Firewall policies: add, change, delete.
FIREWALL = frozenset({ADMIN, NETWORK, SECURITY})
# Load balancers: create, edit, delete, pools, nodes.
BALANCERS = frozenset({ADMIN, NETWORK, SERVER_ADMIN})
# Webhooks: add, edit, delete.
WEBHOOKS = frozenset({ADMIN, SECURITY})
# View billing details and invoices.
BILLING_VIEW = frozenset({ADMIN, VIEWER, BILLING})
