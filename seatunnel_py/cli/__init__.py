"""The ``seatunnel-py`` command line: a thin shell over :mod:`seatunnel_py.jobs`."""
