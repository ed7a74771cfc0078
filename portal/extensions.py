"""Where an app adds to pages it does not own, without editing them (learned from NetBox's plugin
template extensions): a panel on the server, group, data center or dashboard page, a tab on the
data center page, a link in the top bar. Each app registers its own in ``AppConfig.ready()``:

    from portal.extensions import Panel, Tab, NavLink, register_panel, register_tab, register_nav

    register_panel(Panel(page="server", template="networks/_server_panel.html",
                         context=lambda request, detail: {"networks": selectors.of_server(...)},
                         order=30))
    register_tab(Tab(page="datacenter", label="Networks", url_name="datacenter-networks", order=20))
    register_nav(NavLink(label="Billing", url_name="billing", visible=can_see_billing, order=50))

The shorthands ``server_panel("networks", context, 30, "Networks")`` (template
``networks/_server_panel.html``) and ``datacenter_tab("Networks", "datacenter-networks", 20)`` say
the same.

Pages render them with ``{% load extensions %}{% page_panels "server" detail %}``,
``{% page_tabs "datacenter" dc_id %}`` and ``{% nav_links %}``. A panel whose ``context`` returns
``None`` is not shown; one whose reads fail upstream shows an honest error in its place and the rest
of the page renders.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Panel:
    page: str  # "server" | "group" | "datacenter" | "dashboard"
    template: str
    context: Callable[[Any, Any], dict | None]  # (request, the page's object) -> context, or None
    order: int = 100
    title: str = ""  # named in the error shown when its reads fail


@dataclass(frozen=True)
class Tab:
    page: str  # "datacenter"
    label: str
    url_name: str  # reversed with the page's id (e.g. the data center id)
    order: int = 100
    visible: Callable[[Any], bool] = lambda user: True


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] = lambda user: True


_PANELS: list[Panel] = []
_TABS: list[Tab] = []
_NAV: list[NavLink] = []


def register_panel(panel: Panel) -> Panel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def register_tab(tab: Tab) -> Tab:
    if tab not in _TABS:
        _TABS.append(tab)
    return tab


def register_nav(link: NavLink) -> NavLink:
    if link not in _NAV:
        _NAV.append(link)
    return link


def server_panel(app: str, context: Callable[[Any, Any], dict | None], order: int, title: str) -> Panel:
    """An app's panel on the server page: its template ``<app>/_server_panel.html``."""
    return register_panel(Panel("server", f"{app}/_server_panel.html", context, order, title))


def datacenter_tab(
    label: str, url_name: str, order: int, visible: Callable[[Any], bool] | None = None
) -> Tab:
    """An app's tab on the data center page (``url_name`` reversed with the data center's id)."""
    tab = Tab("datacenter", label, url_name, order)
    return register_tab(replace(tab, visible=visible) if visible else tab)


def panels(page: str) -> list[Panel]:
    return sorted((p for p in _PANELS if p.page == page), key=lambda p: p.order)


def tabs(page: str) -> list[Tab]:
    return sorted((t for t in _TABS if t.page == page), key=lambda t: t.order)


def nav_links() -> list[NavLink]:
    return sorted(_NAV, key=lambda n: n.order)
