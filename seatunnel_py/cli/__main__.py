"""``python -m seatunnel_py.cli``: the same as the ``seatunnel-py`` command."""

from .main import main

main()
