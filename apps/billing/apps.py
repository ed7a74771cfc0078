from django.apps import AppConfig

from portal.extensions import NavLink, register_nav


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        # selectors reads through apps.accounts (models): importable once the app registry is ready
        from .selectors import may_see_billing

        register_nav(NavLink(label="Billing", url_name="billing", visible=may_see_billing, order=50))
