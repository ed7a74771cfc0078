from django import forms

from . import webhook_targets
from .models import Preference

MAX_THRESHOLD = 7 * 24 * 3600


class PreferenceForm(forms.ModelForm):
    long_threshold_seconds = forms.IntegerField(
        min_value=0,
        max_value=MAX_THRESHOLD,
        label="“Long” means at least (seconds)",
        help_text="A succeeded activity that ran at least this long is notified; failures always are.",
    )

    webhook_url = forms.URLField(label="Webhook URL", max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Preference
        fields = [
            "email_enabled",
            "email_address",
            "webhook_enabled",
            "webhook_url",
            "long_threshold_seconds",
            "alerts_enabled",
        ]
        labels = {
            "email_enabled": "Send me an e-mail",
            "email_address": "E-mail address",
            "webhook_enabled": "POST to my webhook",
            "webhook_url": "Webhook URL",
            "alerts_enabled": "Also notify me of alerts on my account's servers",
        }
        help_texts = {
            "alerts_enabled": "An alert policy's threshold exceeded (and back below it), as the cloud "
            "reports it when its webhooks are connected to this portal.",
        }

    def clean_webhook_url(self):
        url = (self.cleaned_data.get("webhook_url") or "").strip()
        if url:
            try:
                webhook_targets.check(url)  # again when sending: DNS answers change
            except webhook_targets.Refused as exc:
                raise forms.ValidationError(exc.message)
        return url

    def clean(self):
        data = super().clean()
        if data.get("email_enabled") and not data.get("email_address"):
            self.add_error("email_address", "Give the address to send to.")
        if data.get("webhook_enabled") and not data.get("webhook_url"):
            self.add_error("webhook_url", "Give the URL to POST to.")
        return data
