"""Signals of the accounts app.

``access_ended(sender, user_id)``: a person's access just ended or shrank — one of their sessions
signed out, or their cloud token was deleted or marked invalid. Sent after the change is saved, so
a receiver that checks again sees it. ``apps.activities.stream_guard`` listens: open event streams
re-check at once instead of at their next heartbeat.
"""

from django.dispatch import Signal

access_ended = Signal()
