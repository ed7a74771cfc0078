"""The monitoring tick: alert policies fire and vertical autoscale acts, on the simulator clock.

A timer (``monitoring.tick``) runs at every 5-minute boundary while some server is watched (has
an alert policy or a vertical autoscale policy); ``ensure_tick`` arms it whenever something
starts to be watched or a load is set. At each boundary it reads the bucket that just ended
(``series``), so fast-forwarding the clock replays every boundary in between.

Alerts: a trigger is *over* while its metric is >= its threshold. When a run of over buckets
reaches the trigger's duration the alert fires (state ``triggered``); when the metric drops below
the threshold again it clears (``notTriggered``). Each is kept for ``GET /control/alerts`` and
announced as ``Alert.Notification`` with the payload of ``Webhooks/webhooks-faq.md``.

Vertical autoscale (``Autoscale Policies/``, Autoscale FAQ): CPU >= ``scaleUpThreshold`` for the
threshold period adds ``scaleUpIncrement`` CPUs (up to ``range.max``, never above it; a server
already above the max is left alone); CPU <= ``scaleDownThreshold`` for the period *inside the
UTC scale-down window* sets the CPUs to ``range.min`` (a reboot, in the real cloud). Each change
is a queued operation of kind ``autoscaleCpu``; after one, the policy waits its cool-down.
"""

from .. import state, webhook_events
from ..state import effect, iso, timer
from .model import ALERTS_KEPT
from .series import BUCKET, Profile

TICK = "monitoring.tick"
AUTOSCALE_KIND = "autoscaleCpu"
state.BASE_DURATIONS.setdefault(AUTOSCALE_KIND, 20)


def ensure_tick(world) -> None:
    """Arm the tick at the next 5-minute boundary, unless it is armed already."""
    if not world.timers(TICK):
        now = world.now()
        world.schedule((now // BUCKET + 1) * BUCKET, TICK)


def duration_seconds(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


# server key -> (signature, Profile): the static part of a watched server's series, rebuilt when
# anything it depends on changes (not kept in the world: it is derived data).
_PROFILES: dict[str, tuple[tuple, Profile]] = {}


def _profile(world, server) -> Profile:
    signature = (
        server.id,
        server.status,
        server.power_state,
        server.cpu,
        server.memory_mb,
        server.os,
        tuple((d.id, d.size_gb, tuple(d.partition_paths)) for d in server.disks),
    )
    cached = _PROFILES.get(server.key)
    if cached is None or cached[0] != signature:
        cached = (signature, Profile(server))
        _PROFILES[server.key] = cached
    prof = cached[1]
    prof.overrides = world.monitoring.overrides.get(server.key, [])
    return prof


@timer(TICK)
def _tick(world) -> None:
    now = world.now()
    sample_at = now - BUCKET  # the bucket that just ended
    mon = world.monitoring
    watched = False
    for key in sorted(mon.alert_servers):
        server = world.servers.get(key)
        if server is None or not server.alert_policies:
            mon.alert_servers.discard(key)
            continue
        watched = True
        _check_alerts(world, server, sample_at, now)
    for key, policy_id in sorted(mon.server_autoscale.items()):
        server = world.servers.get(key)
        policy = mon.autoscale_policies.get(policy_id)
        if server is None or policy is None:
            mon.server_autoscale.pop(key, None)
            mon.autoscale_runs.pop(key, None)
            continue
        watched = True
        _check_autoscale(world, server, policy, sample_at, now)
    if watched:
        world.schedule(now + BUCKET, TICK)


# --- alerts -----------------------------------------------------------------------------------
def _check_alerts(world, server, sample_at: float, now: float) -> None:
    mon = world.monitoring
    prof = _profile(world, server)
    quiet = prof.override_at(sample_at) is None
    values = None
    for ref in server.alert_policies:
        policy = mon.alert_policies.get(ref["id"])
        if policy is None:
            continue
        for index, trigger in enumerate(policy.triggers):
            key = f"{server.key}|{policy.id}|{index}"
            run = mon.alert_runs.get(key)
            idle = run is None or (run["overSince"] is None and not run["firing"])
            if idle and quiet and trigger["threshold"] > prof.ceiling[trigger["metric"]]:
                continue  # the quiet series cannot reach this threshold
            if run is None:
                run = mon.alert_runs[key] = {"overSince": None, "firing": False}
            if values is None:
                values = prof.metrics(sample_at)
            value = values[trigger["metric"]]
            if value >= trigger["threshold"]:
                if run["overSince"] is None:
                    run["overSince"] = sample_at
                reached = now - run["overSince"] >= duration_seconds(trigger["duration"])
                if reached and not run["firing"]:
                    run["firing"] = True
                    _notify(world, server, policy, trigger, "triggered", run["overSince"], now, value)
            else:
                run["overSince"] = None
                if run["firing"]:
                    run["firing"] = False
                    _notify(world, server, policy, trigger, "notTriggered", sample_at, now, value)


def _alert_data(server, metric: str, value: float) -> dict:
    if metric == "cpu":
        return {"cpu": server.cpu, "cpuPercent": value}
    if metric == "memory":
        return {"memoryMB": server.memory_mb, "memoryPercent": value}
    return {"diskUsageTotalCapacityMB": sum(d.size_gb for d in server.disks) * 1024, "diskPercent": value}


def _notify(world, server, policy, trigger, status: str, start: float, end: float, value: float) -> None:
    mon = world.monitoring
    payload = {
        "accountAlias": server.alias.upper(),
        "serverName": server.id,
        "triggers": [
            {
                "data": _alert_data(server, trigger["metric"], value),
                "duration": trigger["duration"],
                "metric": trigger["metric"],
                "stateEndTime": iso(end),
                "stateStartTime": iso(start),
                "state": status,
            }
        ],
    }
    mon.alert_seq += 1
    recipients = [r for action in policy.actions for r in action.get("settings", {}).get("recipients", [])]
    mon.alerts.append(
        {
            "seq": mon.alert_seq,
            "at": iso(end),
            "accountAlias": server.alias.upper(),
            "serverId": server.id,
            "policyId": policy.id,
            "policyName": policy.name,
            "metric": trigger["metric"],
            "threshold": trigger["threshold"],
            "duration": trigger["duration"],
            "state": status,
            "value": value,
            "recipients": recipients,
            "payload": payload,
        }
    )
    del mon.alerts[:-ALERTS_KEPT]
    world.emit("Alert.Notification", server.alias, payload)


def forget_alert_runs(world, policy_id: str | None = None, server_key: str | None = None) -> None:
    """Drop the alert runs of a changed/removed policy or mapping (they start over)."""
    runs = world.monitoring.alert_runs
    for key in list(runs):
        server, policy, _index = key.split("|")
        if (policy_id is None or policy == policy_id) and (server_key is None or server == server_key):
            del runs[key]


# --- vertical autoscale -----------------------------------------------------------------------
def in_window(moment: float, start: str, end: str) -> bool:
    """Is the UTC time of day of ``moment`` within [start, end) ("HH:MM"; may wrap midnight)?"""
    minute = int(moment // 60) % 1440
    low = int(start[:2]) * 60 + int(start[3:5])
    high = int(end[:2]) * 60 + int(end[3:5])
    if low <= high:
        return low <= minute < high
    return minute >= low or minute < high


def _check_autoscale(world, server, policy, sample_at: float, now: float) -> None:
    mon = world.monitoring
    run = mon.autoscale_runs.setdefault(
        server.key, {"overSince": None, "underSince": None, "lastScaled": None}
    )
    if server.status != "active" or server.power_state != "started":
        run["overSince"] = run["underSince"] = None
        return
    prof = _profile(world, server)
    idle = run["overSince"] is None and run["underSince"] is None
    if idle and prof.override_at(sample_at) is None:
        if policy.scale_up_threshold > prof.ceiling["cpu"] and policy.scale_down_threshold < prof.cpu_floor:
            return  # the quiet series can neither scale it up nor down
    cpu = prof.metrics(sample_at)["cpu"]
    if cpu >= policy.scale_up_threshold:
        run["overSince"] = run["overSince"] if run["overSince"] is not None else sample_at
        run["underSince"] = None
    elif cpu <= policy.scale_down_threshold:
        run["underSince"] = run["underSince"] if run["underSince"] is not None else sample_at
        run["overSince"] = None
    else:
        run["overSince"] = run["underSince"] = None
    if world.pending_kinds_for(server.id):
        return
    if run["lastScaled"] is not None and now - run["lastScaled"] < policy.cool_down_minutes * 60:
        return
    period = policy.threshold_period_minutes * 60
    target = None
    if run["overSince"] is not None and now - run["overSince"] >= period and server.cpu < policy.max_cpu:
        target, direction = min(server.cpu + policy.scale_up_increment, policy.max_cpu), "up"
    elif (
        run["underSince"] is not None
        and now - run["underSince"] >= period
        and server.cpu > policy.min_cpu
        and in_window(now, policy.window_start, policy.window_end)
    ):
        target, direction = policy.min_cpu, "down"
    if target is None:
        return
    world.queue(
        server.alias,
        server.location,
        AUTOSCALE_KIND,
        [server.id],
        {
            "cpu": target,
            "fromCpu": server.cpu,
            "direction": direction,
            "policyId": policy.id,
            "cpuPercent": cpu,
            "thresholdPeriodMinutes": policy.threshold_period_minutes,
        },
    )
    run["lastScaled"] = now
    run["overSince"] = run["underSince"] = None


@effect(AUTOSCALE_KIND)
def _autoscaled(world, op) -> None:
    server = world.op_server(op)
    if server is None or server.status != "active":
        return
    server.cpu = int(op.params["cpu"])
    server.change.modified_by = "autoscale"
    server.change.modified_date = op.ends_at
    webhook_events.server_updated(world, server)
