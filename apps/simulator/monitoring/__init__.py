"""Monitoring and policies: what the simulated cloud measures and does by itself.

- ``model``: the plain dataclasses kept in ``world.monitoring`` (pickled with the world).
- ``series``: the deterministic monitoring series (statistics, alert and autoscale input).
- ``watch``: the 5-minute monitoring tick that fires alert policies and vertical autoscale.
- ``schedules``: group scheduled activities (recurrence and the timer that runs them).
- ``seed``: the policies an account starts with.

The HTTP side lives in ``routes/statistics.py``, ``alert_policies.py``, ``anti_affinity.py``,
``autoscale.py``, ``horizontal_autoscale.py``, ``schedules.py`` and ``control_monitoring.py``.
"""
