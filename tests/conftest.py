import pytest

from tests.support.audit_coverage import audit_coverage  # noqa: F401  (autouse: every action audited)
from tests.support.simulator import SimulatorProcess

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.webhook_fixtures",
]  # own_cache_namespace, demo, hook_key, ...


@pytest.fixture(scope="session")
def simulator_process():
    """One simulator process per test worker (demo seed, operations 50x faster)."""
    sim = SimulatorProcess(seed="demo", speed=50.0)
    yield sim
    sim.stop()


@pytest.fixture
def simulator(simulator_process):
    """The simulator, reset to the demo seed and default faults before the test."""
    simulator_process.reset()
    return simulator_process


@pytest.fixture
def clc_settings(settings, simulator):
    """Point the portal's client at the test simulator."""
    settings.CLC_API_URL = simulator.url
    return settings
