from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"

    def ready(self):
        from portal.extensions import Tab, register_tab

        # The data center page's own view; other apps add theirs beside it (portal.extensions).
        register_tab(Tab(page="datacenter", label="Servers", url_name="datacenter", order=0))
