"""What the activities announce to the apps above them (``django.dispatch`` signals).

``activity_finished(sender=Activity, activity=<Activity>)``: an activity reached a terminal state
(sent after the commit, once per change). Receivers (``apps.notifications``) connect in their
``AppConfig.ready()``; a receiver that raises never breaks tracking (``send_robust``).
"""

from django.dispatch import Signal

activity_finished = Signal()
