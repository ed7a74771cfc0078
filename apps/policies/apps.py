from django.apps import AppConfig

from portal.extensions import NavLink, datacenter_tab, register_nav, server_panel


class PoliciesConfig(AppConfig):
    name = "apps.policies"
    label = "policies"
    verbose_name = "Alert, anti-affinity and autoscale policies"

    def ready(self):
        # Here, not at the top: panels reads through selectors, which need the models loaded.
        from . import panels

        register_nav(NavLink(label="Policies", url_name="policies", order=40, visible=panels.sees_policies))
        datacenter_tab("Anti-affinity", "datacenter-anti-affinity", 40, visible=panels.sees_policies)
        server_panel("policies", panels.server_panel, 20, "Policies")
