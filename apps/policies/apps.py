from django.apps import AppConfig

from portal.extensions import NavLink, Panel, Tab, register_nav, register_panel, register_tab


class PoliciesConfig(AppConfig):
    name = "apps.policies"
    label = "policies"
    verbose_name = "Alert, anti-affinity and autoscale policies"

    def ready(self):
        # Here, not at the top: panels reads through selectors, which need the models loaded.
        from . import panels

        register_nav(NavLink(label="Policies", url_name="policies", order=40, visible=panels.sees_policies))
        register_tab(
            Tab(
                page="datacenter",
                label="Anti-affinity",
                url_name="datacenter-anti-affinity",
                order=40,
                visible=panels.sees_policies,
            )
        )
        register_panel(
            Panel(
                page="server",
                template="policies/_server_panel.html",
                context=panels.server_panel,
                order=20,
                title="Policies",
            )
        )
