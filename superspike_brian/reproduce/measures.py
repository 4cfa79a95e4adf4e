"""What the report and the claims need from each run of a sweep, read from the disk.

:func:`collect` turns a reproduction folder into *results*: sweep name -> list
of rows, one per finished run, each with the columns of the sweep's
``summary.csv`` (condition, grid values, seed, final_cost) and ``final_mean``
(:func:`final_mean`)
plus the measures of this module. The claims
(:mod:`superspike_brian.reproduce.claims`) are functions of
these rows only, so they can be tested on synthetic rows.

Row fields added here
---------------------
``time_s``, ``cost``, ``cost_ref``, ``hidden_rate_hz``
    Lists, one entry per block (block 0: the end of the burn-in); ``cost_ref``
    is the cost on the reference implementation's scale (4 x ``cost`` for 200
    outputs).
``late_median``
    Median cost of the second half of the blocks (blocks 40-79 of 80: the number
    the reference's spread over seeds is given in).
``final5``
    Mean cost of the last 5 blocks: the reference's "final cost" of Fig 4, and
    what ``learned`` (below :data:`LEARNED_BELOW`) is judged on.
``burn_in_s``
    End of the burn-in, s of simulated time.
``first_hidden_spike_s``
    Time of the first spike of the first hidden layer, s of simulated time,
    exact to the time step (from ``spikes.npz``; None: it never fired, or no
    hidden layer); read for the Fig 4 runs.
``hidden_onset_s``
    ``first_hidden_spike_s`` where it was read, else the end of the first
    training block in which the first hidden layer spiked (block resolution).
``onset_resolution``
    ``"spike"`` (exact) or ``"block"``: what ``hidden_onset_s`` was read from.
``final_hidden_rate_hz``
    Mean rate of the first hidden layer in the last block.
``all_within_1ms``
    Single output unit tasks: the last period hits every target spike within
    1 ms with no extra spike.
``n_hidden``
    Units of the first hidden layer (0: none).
``fb_negative``
    Random feedback: hidden units whose feedback weights are all negative.
``feedback_signs``
    Random feedback: the signs of the first hidden layer's feedback weights,
    ``+`` or ``-`` per weight, output by output (one output: one per hidden unit).
``xor``
    The XOR runs: the contents of ``xor.json``.
``made_by``
    ``commit`` (the package's git commit, 10 digits), ``brian2`` (its version) and
    ``error_delay``, from the run's config.json.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from superspike_brian import paper, rundir

__all__ = [
    "collect",
    "final_mean",
    "late_median",
    "match_last_period",
    "LEARNED_BELOW",
    "EXACT_BELOW",
]

#: When a run has learned the single-neuron task (:data:`superspike_brian.paper.LEARNED_BELOW`).
LEARNED_BELOW = paper.LEARNED_BELOW
LEARNED_BLOCKS = paper.LEARNED_BLOCKS
#: A run converges exactly when its late median cost is below this (the cost of
#: a perfect match decays like the running average itself, to any small value).
EXACT_BELOW = 1e-10
#: Blocks averaged for the final cost (as the sweep's summary.csv does), at most.
LAST_BLOCKS = 10
#: A target spike is hit by an output spike at most this far away, s.
HIT_WINDOW_S = 1e-3


def late_median(cost):
    """Median cost of the second half of the training blocks (blocks 40-79 of 80)."""
    cost = np.asarray(cost, dtype=float)
    n = len(cost) - 1  # row 0 is the end of the burn-in
    if n < 1:
        return math.nan
    return float(np.median(cost[int(math.ceil(n / 2)) : n] if n > 1 else cost[1:]))


def match_last_period(out_t, out_i, target_t, target_i, period, end, window=HIT_WINDOW_S):
    """Whether the last period before ``end`` hits every target spike, nothing extra.

    Each output spike matches at most one target spike of its unit within
    ``window`` s (the rule of :meth:`superspike_brian.tasks.task.Task.match`).

    Returns
    -------
    bool
    """
    start = math.floor(end / period + 1e-9) * period - period
    out_t, out_i = np.asarray(out_t, float), np.asarray(out_i)
    inside = (out_t >= start - 1e-12) & (out_t < start + period - 1e-12)
    phase, units = out_t[inside] - start, out_i[inside]
    target_t, target_i = np.asarray(target_t, float), np.asarray(target_i)
    for unit in np.union1d(np.unique(units), np.unique(target_i)):
        spikes = np.sort(phase[units == unit])
        used = np.zeros(spikes.size, dtype=bool)
        for t in np.sort(target_t[target_i == unit]):
            free = np.flatnonzero(~used & (np.abs(spikes - t) <= window + 1e-12))
            if free.size == 0:
                return False
            used[free[np.argmin(np.abs(spikes[free] - t))]] = True
        if not used.all():
            return False
    return True


def final_mean(cost):
    """Mean cost of the last 10 blocks, or of the last quarter when that is fewer.

    Short trainings (10 blocks at the quick scale) would otherwise average
    their whole learning curve.
    """
    n = len(cost) - 1  # row 0 is the end of the burn-in
    if n < 1:
        return math.nan
    k = min(LAST_BLOCKS, max(1, n // 4))
    return float(np.mean(cost[-k:]))


def _feedback(config):
    """(hidden units whose feedback weights are all negative, their signs) of a run.

    The matrices come from the network seed (SuperSpikeNetwork.feedback_matrices),
    so they are drawn again here rather than stored by the run. (0, None) unless
    the run has random feedback and a hidden layer.
    """
    net = config.get("network", {})
    if net.get("feedback") != "random" or not net.get("hidden"):
        return 0, None
    from superspike_brian.feedforward.network import SuperSpikeNetwork

    rebuilt = SuperSpikeNetwork(
        n_in=net["n_in"],
        hidden=tuple(net["hidden"]),
        n_out=net["n_out"],
        feedback="random",
        seed=net["seed"],
    )
    fb = np.asarray(rebuilt.feedback_matrices()[0])  # (n_out, n_hidden)
    signs = "".join("+" if b > 0 else "-" for b in fb.ravel())
    return int(np.sum(np.all(fb < 0, axis=0))), signs


def run_measures(run_dir, *, spikes=True, feedback=True):
    """The measures of one finished run directory (see the module's fields)."""
    run_dir = Path(run_dir)
    metrics = rundir.metric_rows(run_dir)
    cost = [r.get("cost", math.nan) for r in metrics]
    row = {
        "time_s": [r.get("time_s", math.nan) for r in metrics],
        "cost": cost,
        "cost_ref": [r.get("cost_ref", math.nan) for r in metrics],
        "hidden_rate_hz": [r.get("hidden_1_rate_hz", math.nan) for r in metrics],
        "late_median": late_median(cost),
    }
    tail = cost[-LEARNED_BLOCKS:]
    row["final5"] = float(np.mean(tail)) if tail else math.nan
    row["learned"] = bool(tail) and row["final5"] < LEARNED_BELOW
    rates = row["hidden_rate_hz"]
    onset = [t for t, r in zip(row["time_s"][1:], rates[1:], strict=True) if r > 0]
    row["hidden_onset_s"] = onset[0] if onset else None
    row["onset_resolution"] = "block"
    row["final_hidden_rate_hz"] = rates[-1] if rates and not math.isnan(rates[-1]) else None
    config = rundir.read_config(run_dir)
    row["burn_in_s"] = float(config.get("schedule", {}).get("burn_in_s", math.nan))
    row["n_hidden"] = (config.get("network", {}).get("hidden") or [0])[0]
    learning = config.get("network", {}).get("params", {}).get("learning", {})
    row["made_by"] = {
        "commit": str(config.get("package", {}).get("git") or "unknown")[:10],
        "brian2": str(config.get("versions", {}).get("brian2", "?")),
        "error_delay": str(learning.get("error_delay", "0 ms (written before the parameter)")),
    }
    if feedback:
        row["fb_negative"], row["feedback_signs"] = _feedback(config)
    single = spikes and config["task"]["n_out"] == 1
    onset = feedback and row["n_hidden"]
    if (single or onset) and rundir.has_arrays(run_dir, "spikes"):
        s = rundir.read_arrays(run_dir, "spikes")
        if single:
            sched = config["schedule"]
            end = sched["burn_in_s"] + sched["n_blocks"] * sched["block_s"]
            row["all_within_1ms"] = match_last_period(
                s["output_t"],
                s["output_i"],
                s["target_t"],
                s["target_i"],
                float(s["period"]),
                end,
            )
        if onset and "hidden_1_t" in s:
            # The spike itself, not the end of its 10-s block: "after about 40 s"
            # needs a resolution well below 40 s.
            t = s["hidden_1_t"]
            first = float(t.min()) if t.size else None
            row["first_hidden_spike_s"] = first
            row["hidden_onset_s"] = first
            row["onset_resolution"] = "spike"
    xor = rundir.read_record(run_dir, rundir.XOR_FILE)
    if xor is not None:
        row["xor"] = xor
    return row


def collect(out, experiments, archived=None):
    """Results of a reproduction folder: sweep name -> rows of its finished runs.

    Read from the run directories (not summary.csv), so that a reproduction
    still running or interrupted reports what it has.

    Parameters
    ----------
    out : path
    experiments : list of Experiment
    archived : dict, optional
        Rows measured earlier (:func:`superspike_brian.reproduce.archive.read`):
        they stand in for the runs that are not on disk.

    Returns
    -------
    dict
        Sweep name -> list of dict: condition, its grid values, seed,
        final_cost, final_mean (:func:`final_mean`), run_dir, seconds (of
        the run's last call) and the measures of :func:`run_measures`; runs
        that are not finished are left out, a sweep not started gives [].
        Each alias of an experiment (:class:`~superspike_brian.reproduce.experiments.Alias`)
        gets the rows of its source sweep that match its grid values.
    """
    from superspike_brian.files import read_json_object
    from superspike_brian.sweep.grid import condition_name, grid_points
    from superspike_brian.sweep.records import run_status

    out = Path(out)
    results = {}
    for exp in experiments:
        for sweep in exp.sweeps:
            record = read_json_object(out / sweep.name / "sweep.json")
            rows = []
            grid = dict(record["grid"]) if record else {}
            for values in grid_points(grid) if record else ():
                condition = condition_name(values)
                for seed in record["seeds"]:
                    run_dir = out / sweep.name / condition / f"seed-{seed}"
                    state, status = run_status(run_dir)
                    if state != "ok":
                        continue
                    row = {"condition": condition, **values, "seed": int(seed)}
                    row.update(run_measures(run_dir, feedback=exp.key == "fig4"))
                    cost = row["cost"]
                    row["final_cost"] = cost[-1] if cost else math.nan
                    row["final_mean"] = final_mean(cost)
                    row["run_dir"] = str(run_dir)
                    row["seconds"] = status.get("seconds")
                    rows.append(row)
            results[sweep.name] = rows
    if archived:
        from superspike_brian.reproduce import archive

        names = {s.name for exp in experiments for s in exp.sweeps}
        merged = archive.merge(out, results, archived)
        results = {name: rows for name, rows in merged.items() if name in names}
    for exp in experiments:
        for alias in exp.aliases:
            results[alias.name] = [
                r
                for r in results.get(alias.source, [])
                if all(str(r.get(k)) == str(v) for k, v in alias.match.items())
            ]
    return results
