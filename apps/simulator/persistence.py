"""Optionally keep the simulator's world in a file across restarts (``--state-file``)."""

import os
import pickle
import tempfile
import threading
from pathlib import Path

from .state import World


def load(path: str | Path) -> World | None:
    path = Path(path)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        world = pickle.load(handle)
    if not isinstance(world, World):
        raise ValueError(f"{path} does not hold a simulator state")
    world.lock = threading.RLock()
    return world


def save(world: World, path: str | Path) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a state file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with world.lock:
        lock, world.lock = world.lock, None
        try:
            data = pickle.dumps(world)
        finally:
            world.lock = lock
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sim-state-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
