from django.apps import AppConfig

from portal.extensions import NavLink, Panel, Tab, register_nav, register_panel, register_tab


class NetworksConfig(AppConfig):
    name = "apps.networks"
    label = "networks"
    verbose_name = "Networks and firewall"

    def ready(self):
        # Here, not at the top: panels reads through selectors, which need the models loaded.
        from . import panels

        register_panel(
            Panel(
                page="server",
                template="networks/_server_panel.html",
                context=panels.server_panel,
                order=30,
                title="Networks",
            )
        )
        register_tab(Tab(page="datacenter", label="Networks", url_name="datacenter-networks", order=20))
        register_tab(Tab(page="datacenter", label="Firewall", url_name="datacenter-firewall", order=30))
        register_nav(NavLink(label="Networks", url_name="networks", order=30, visible=panels.sees_networks))
