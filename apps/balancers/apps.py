from django.apps import AppConfig

from portal.extensions import Panel, Tab, register_panel, register_tab


class BalancersConfig(AppConfig):
    name = "apps.balancers"
    label = "balancers"
    verbose_name = "Load balancers"

    def ready(self):
        # panels reads through apps.accounts (models): importable once the app registry is ready
        from . import panels

        register_tab(
            Tab(page="datacenter", label="Load balancers", url_name="datacenter-balancers", order=30)
        )
        register_panel(
            Panel(
                page="server",
                template="balancers/_server_panel.html",
                context=panels.server_pools,
                order=30,
                title="Load balancer pools",
            )
        )
