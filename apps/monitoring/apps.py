from django.apps import AppConfig

from portal.extensions import Panel, register_panel


class MonitoringConfig(AppConfig):
    name = "apps.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self):
        # panels reads through apps.accounts (models): importable once the app registry is ready
        from . import panels

        for page, template, context, order, title in (
            ("server", "monitoring/_charts.html", panels.server_charts, 5, "Monitoring"),
            ("server", "monitoring/_external.html", panels.server_external, 60, "Done by the cloud"),
            ("group", "monitoring/_charts.html", panels.group_charts, 5, "Monitoring"),
            ("group", "monitoring/_automation.html", panels.group_automation, 10, "Schedules and autoscale"),
            ("group", "monitoring/_external.html", panels.group_external, 60, "Done by the cloud"),
        ):
            register_panel(Panel(page=page, template=template, context=context, order=order, title=title))
