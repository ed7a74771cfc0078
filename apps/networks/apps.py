from django.apps import AppConfig

from portal.extensions import NavLink, datacenter_tab, register_nav, server_panel


class NetworksConfig(AppConfig):
    name = "apps.networks"
    label = "networks"
    verbose_name = "Networks and firewall"

    def ready(self):
        # Here, not at the top: panels reads through selectors, which need the models loaded.
        from . import panels

        server_panel("networks", panels.server_panel, 30, "Networks")
        datacenter_tab("Networks", "datacenter-networks", 20)
        datacenter_tab("Firewall", "datacenter-firewall", 30)
        register_nav(NavLink(label="Networks", url_name="networks", order=30, visible=panels.sees_networks))
