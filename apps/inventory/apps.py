from django.apps import AppConfig

from portal.extensions import Tab, register_tab


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"

    def ready(self):
        # The data center page's own view; other apps add theirs beside it (portal.extensions).
        register_tab(Tab(page="datacenter", label="Servers", url_name="datacenter", order=0))
        # The dashboard is read ahead at sign-in (a ready()-time import: warmup imports the
        # selectors, which import the accounts' models).
        from . import warmup

        warmup.connect()
