"""How much memory a run will take, estimated from its sizes before anything is allocated.

A network too large for the machine should be refused at once with the
estimate, not fail with a numpy or compiler error after minutes. The estimate
counts, per synapse, its indices and every per-synapse variable Brian2 and the
engines keep, plus the temporary arrays of building the connections (about 150
bytes in all; measured peaks lie below it), and the spike tables.
"""

from __future__ import annotations

import os

__all__ = ["estimate", "available", "check"]

#: Bytes per synapse at the peak of building and running a model (conservative).
BYTES_PER_SYNAPSE = 150

#: Bytes per table entry (Brian2 keeps spike tables as double precision values).
BYTES_PER_TABLE_ENTRY = 8


def estimate(net, n_period_steps):
    """Bytes a run of ``net`` with tables of ``n_period_steps`` steps needs at its peak."""
    tables = n_period_steps * (net.n_in + 2 * net.n_out) * BYTES_PER_TABLE_ENTRY
    return net.n_synapses * BYTES_PER_SYNAPSE + tables


def available():
    """Bytes of memory available now (MemAvailable), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


def check(net, n_period_steps):
    """Refuse a run that will not fit in memory, with the estimate.

    Raises
    ------
    MemoryError
        The estimate exceeds the memory available; the message gives both and
        the sizes that make the difference.
    """
    need, have = estimate(net, n_period_steps), available()
    if have is not None and need > have:
        sizes = " -> ".join(str(n) for n in net.layer_sizes)
        raise MemoryError(
            f"a {sizes} network ({net.n_synapses:,} synapses) needs about {need / 1e9:.1f} GB"
            f" of memory, and {have / 1e9:.1f} GB are available: give fewer units"
            " (--hidden, --n-in, --n-out)"
        )
