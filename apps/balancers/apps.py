from django.apps import AppConfig

from portal.extensions import datacenter_tab, server_panel


class BalancersConfig(AppConfig):
    name = "apps.balancers"
    label = "balancers"
    verbose_name = "Load balancers"

    def ready(self):
        # panels reads through apps.accounts (models): importable once the app registry is ready
        from . import panels

        datacenter_tab("Load balancers", "datacenter-balancers", 30)
        server_panel("balancers", panels.server_pools, 30, "Load balancer pools")
