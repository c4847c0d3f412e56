"""Frozen entry point of the bundle's executables.

Started as ``cryptobot-gui`` (the windowed Windows executable, or the Linux link of that name) it
opens the desktop app with its options; as ``cryptobot`` it is the command line.
"""

import multiprocessing
import sys
from pathlib import Path


def _run() -> int:
    if Path(sys.argv[0]).stem.lower() == "cryptobot-gui":
        from app.main import main as gui_main

        return gui_main(sys.argv[1:])
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_run())
