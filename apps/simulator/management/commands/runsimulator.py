"""``python manage.py runsimulator``: the CLC API v2 simulator alone, in its own process."""

from django.core.management.base import BaseCommand, CommandError

from apps.simulator.server import build, serve


class Command(BaseCommand):
    help = "Run the CenturyLink Cloud API v2 simulator."
    # The simulator meets the portal only over HTTP: it must start whatever state the portal's
    # URLs, models or settings checks are in.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--seed", default="demo", help="demo or scale:N")
        parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every /v2 call")
        parser.add_argument("--speed", type=float, default=1.0, help="10 = operations finish 10x faster")
        parser.add_argument("--error-rate", type=float, default=0.0, help="share of /v2 calls answered 500")
        parser.add_argument("--failure-rate", type=float, default=0.0, help="share of operations that fail")
        parser.add_argument(
            "--state-file", help="load the world from this file if it exists; save it on exit"
        )
        parser.add_argument("--verbose", action="store_true", help="log every request")

    def handle(self, *args, **opts):
        if opts["speed"] <= 0:
            raise CommandError("--speed must be positive")
        if not 0 <= opts["error_rate"] <= 1 or not 0 <= opts["failure_rate"] <= 1:
            raise CommandError("--error-rate and --failure-rate are shares between 0 and 1")
        world = None
        if opts["state_file"]:
            from apps.simulator.persistence import load

            try:
                world = load(opts["state_file"])
            except Exception as exc:
                raise CommandError(f"cannot load {opts['state_file']}: {exc}") from exc
        try:
            world = world or build(
                opts["seed"],
                speed=opts["speed"],
                latency_ms=opts["latency_ms"],
                error_rate=opts["error_rate"],
                failure_rate=opts["failure_rate"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        serve(world, opts["addr"], opts["port"], quiet=not opts["verbose"], state_file=opts["state_file"])
