import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
django_application = get_asgi_application()

# The cloud's webhook deliveries are answered before Django's middleware (apps/webhooks/receiver.py).
from apps.webhooks.receiver import asgi_app  # noqa: E402  (after Django is set up)

application = asgi_app(django_application)
