"""Runs the simulator on a threaded HTTP/1.1 server (Werkzeug), so the portal can fan out."""

import logging
import signal
import sys
import threading
import time

from werkzeug.serving import make_server

from . import webhook_delivery
from .app import SimulatorApp
from .seed import build_world
from .state import World


def build(
    seed: str,
    *,
    speed: float = 1.0,
    latency_ms: float = 0.0,
    error_rate: float = 0.0,
    failure_rate: float = 0.0,
) -> World:
    world = build_world(seed, speed=speed)
    world.faults.latency_ms = latency_ms
    world.faults.error_rate = error_rate
    world.faults.failure_rate = failure_rate
    return world


TICK_SECONDS = 0.5


def start_ticker(world: World, interval: float = TICK_SECONDS) -> threading.Thread:
    """Settle the world every ``interval`` seconds, so operations complete, timers run and events are
    emitted on time even when no request comes in (webhooks are sent when things happen)."""

    def tick():
        while True:
            time.sleep(interval)
            try:
                with world.lock:
                    world.settle()
            except Exception:  # never let the ticker die
                logging.getLogger("simulator").exception("simulator tick failed")

    thread = threading.Thread(target=tick, name="simulator-ticker", daemon=True)
    thread.start()
    return thread


def serve(
    world: World, addr: str = "127.0.0.1", port: int = 8100, quiet: bool = True, state_file: str | None = None
) -> None:
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpd = make_server(addr, port, SimulatorApp(world), threaded=True)
    httpd.daemon_threads = True
    start_ticker(world)
    webhook_delivery.start(world)  # the webhook sender threads (never under the world lock)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        f"CLC API v2 simulator on http://{addr}:{port}/v2/ seed={world.seed_name} "
        f"servers={len(world.servers)} speed={world.speed}",
        flush=True,
    )
    try:
        httpd.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        httpd.server_close()
        if state_file:
            from .persistence import save

            save(world, state_file)
