"""Progress of a training run: one line per block, or a live bar on a terminal.

A 1000 s training of the Oxford network takes minutes to hours; the user wants to
see that it moves, what the cost does, and when it will be done. On a terminal
(``stream.isatty()``) a tqdm bar shows blocks done, simulated time, the current
cost and rates and the time left; elsewhere (log files, CI, Dask workers) every
block is one plain line, so that logs stay readable. The lines go to this
module's logger at level INFO (:mod:`superspike_brian.logs`), and the bar is
shown only where that level is (``-q`` hides both).
"""

from __future__ import annotations

import sys
import time

from superspike_brian import logs

_log = logs.get_logger(__name__)


def _clock(seconds):
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class BlockProgress:
    """Report blocks as they finish.

    Parameters
    ----------
    n_blocks : int
        Number of training blocks (block 0, the end of the burn-in, is reported
        too).
    enabled : bool
        False silences it (default True).
    stream : file, optional
        Where to write; default: the bar on ``sys.stderr``, the lines through
        this module's logger.
    bar : bool, optional
        Force a tqdm bar (True) or plain lines (False); default: a bar on a
        terminal.
    first_block : int
        Block from which this run starts (a resumed run), for the time estimate.
    """

    def __init__(self, n_blocks, *, enabled=True, stream=None, bar=None, first_block=0):
        self.n_blocks = int(n_blocks)
        self.enabled = bool(enabled) and (stream is not None or logs.shows(_log))
        self._own_stream = stream
        self.stream = stream if stream is not None else sys.stderr
        self.first = int(first_block)
        self.t0 = time.time()
        if bar is None:
            bar = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar = None
        if self.enabled and bar:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.n_blocks + 1,
                initial=self.first,
                unit="block",
                file=self.stream,
                dynamic_ncols=True,
            )

    def eta(self, block):
        """Seconds left after ``block``, from the pace of this run so far."""
        done = block + 1 - self.first
        left = self.n_blocks - block
        if done <= 0:
            return float("nan")
        return (time.time() - self.t0) / done * left

    def update(self, block, t, cost, rates=None):
        """Report that ``block`` ended at simulated time ``t`` (s) with ``cost``.

        Parameters
        ----------
        block : int
        t : float
            Simulated time in seconds.
        cost : float
        rates : dict, optional
            Layer name -> mean rate (Hz) over the block.
        """
        if not self.enabled:
            return
        rate_text = "  ".join(f"{k} {v:.1f} Hz" for k, v in (rates or {}).items())
        if self._bar is not None:
            self._bar.set_postfix_str(f"t={t:.0f} s cost={cost:.4g} {rate_text}")
            self._bar.update(1)
            return
        eta = self.eta(block)
        line = (
            f"block {block:4d}/{self.n_blocks}  t = {t:8.1f} s  cost = {cost:.4g}"
            f"{'  ' + rate_text if rate_text else ''}"
            f"  [{_clock(time.time() - self.t0)} elapsed, {_clock(eta)} left]"
        )
        if self._own_stream is None:
            _log.info(line)
        else:
            print(line, file=self._own_stream, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


__all__ = ["BlockProgress"]
