"""Run a command that dies with its parent: ``python -m portal.lifeline <parent pid> <SIGNAL> <command...>``.

The quick start starts every service through this: it asks Linux to send ``SIGNAL`` to the process
when the process that started it dies (``prctl(PR_SET_PDEATHSIG)``), then becomes the command
(``execvp``: same process id, nothing left in between). So when the quick start is killed without
running its shutdown (``kill -9``, a crash, a closed terminal), its children go too instead of
holding the ports and taking tasks from a shared Redis for a database another run now uses.

If the parent is already gone by the time the signal is armed, the command is not started. On
systems without ``prctl`` (not Linux) the command simply runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def arm(sig: int) -> bool:
    """Ask the kernel for ``sig`` when our parent dies; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    return True


def command(parent: int, sig: str, args: list[str]) -> list[str]:
    """The argument list that runs ``args`` through the lifeline (for ``subprocess.Popen``)."""
    return [sys.executable, "-m", "portal.lifeline", str(parent), sig, *args]


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: python -m portal.lifeline <parent pid> <SIGNAL> <command...>", file=sys.stderr)
        return 2
    parent, name, args = int(argv[0]), argv[1].upper(), argv[2:]
    arm(getattr(signal, name if name.startswith("SIG") else f"SIG{name}"))
    if os.getppid() != parent:  # the parent died before the signal was armed: don't start orphaned
        return 1
    os.execvp(args[0], args)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
