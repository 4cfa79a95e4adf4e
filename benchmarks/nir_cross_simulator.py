"""How far another simulator's spikes lie from ours when it runs our NIR export.

Not part of the test suite: the second step may use Norse (PyTorch), which is a
large install. Two steps, because Brian2 2.10.1 needs Python 3.12 while a small
CPU PyTorch is at hand for Python 3.11:

1. ``prepare`` (this package's environment): export the final weights of a run
   to ``DIR/net.nir`` and evaluate the trained network with Brian2 on the run's
   training input (learning off), writing our spikes and the input to
   ``DIR/brian2.npz``::

       .venv/bin/python benchmarks/nir_cross_simulator.py prepare runs/nir-single \\
           --periods 2 --out runs/nir-cross-single

2. ``compare`` (any Python with ``nir`` and numpy; Norse and torch when they
   import): read ``DIR/net.nir`` with ``nir.read`` only (this package is not
   imported) and simulate it

   * with a small numpy integrator of NIR's CubaLIF/Linear equations written
     for this script (Dirac input spikes, each step solved exactly over dt), in
     three readings: NIR alone (what a reader that ignores the metadata gets),
     NIR plus the axonal delay from the metadata, and NIR plus delay and
     refractory clamp (the whole model: this one should give our spikes);
   * with Norse's ``from_nir`` (forward Euler, float32, no delay, no refractory
     period) when Norse imports. Norse's importer feeds a spike as 1 during one
     step and leaks the synaptic current towards v_leak, so the graph handed to
     it is shifted to v_leak = v_reset = 0 (threshold v_threshold - v_leak) and
     its Linear weights are divided by dt: the same equations in Norse's reading;

   then match every simulator's spikes to ours, unit by unit, within 1 ms::

       /work/venv-nir311/bin/python benchmarks/nir_cross_simulator.py compare \\
           runs/nir-cross-single

   It prints a table and writes ``DIR/comparison.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

MATCH_WINDOW = 1e-3  # s: spikes closer than this count as the same spike


# ------------------------------------------------------------------ prepare
def prepare(run_dir, out, periods, device):
    """Export the run and record Brian2's spikes on its training input."""
    from superspike_brian.interop import nir as nir_io
    from superspike_brian.training.evaluate import evaluate, trained_network
    from superspike_brian.training.load import load_run

    run = load_run(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    net = trained_network(run)
    nir_io.write(out / "net.nir", nir_io.to_nir(run.network, run.history.weights))
    options = {k: run.options[k] for k in ("device", "engine", "learn") if k in run.options}
    if device:
        options.update(device=device)
        options.pop("learn", None)  # that device's default
    duration = periods * run.task.period
    result = evaluate(net, run.task, duration, **options)
    arrays = {
        "input_t": run.task.input.times,
        "input_i": run.task.input.ids,
        "n_in": run.network.n_in,
        "period": run.task.period,
        "duration": duration,
    }
    for l in range(1, net.n_connections + 1):
        t, i = result.spikes[net.layer_name(l)]
        arrays[f"layer_{l}_t"], arrays[f"layer_{l}_i"] = t, i
    np.savez(out / "brian2.npz", **arrays)
    print(f"{out / 'net.nir'} and {out / 'brian2.npz'}: {duration:g} s, rates {result.rates}")


# ------------------------------------------------------------------ compare
def _chain(graph):
    """[(Linear weight, CubaLIF node, delay s, tau_ref s)] from input to output."""
    succ = {a: b for a, b in graph.edges}
    name = next(k for k, n in graph.nodes.items() if type(n).__name__ == "Input")
    layers = []
    while type(graph.nodes[succ[name]]).__name__ != "Output":
        lin = succ[name]
        lif = succ[lin]
        linear, cuba = graph.nodes[lin], graph.nodes[lif]
        delay = float(linear.metadata.get("delay_s", 0.0))
        tau_ref = float(cuba.metadata.get("tau_ref_s", 0.0))
        layers.append((np.asarray(linear.weight, float), cuba, delay, tau_ref))
        name = lif
    return layers


def input_steps(data, dt, n_steps, shift_steps):
    """Input arrivals (steps, ids) over the whole duration, the raster repeated.

    As in the Brian2 model, the input table is cyclic: the spikes at the end of
    a period that a delay pushes past it arrive at the start of the first
    period too.

    Returns
    -------
    steps, ids : ndarray of int
        Sorted by step.
    """
    period = float(data["period"])
    n_periods = int(np.ceil(float(data["duration"]) / period - 1e-9))
    n_period = int(round(period / dt))
    k = np.arange(-1, n_periods)
    # On the step grid first, then repeated: the Brian2 model's cyclic table.
    grid = np.floor(data["input_t"] / dt + 0.5 + 1e-9).astype(np.int64) + shift_steps
    steps = (grid[None, :] + n_period * k[:, None]).ravel()
    i = np.tile(data["input_i"], k.size)
    keep = (steps >= 0) & (steps < n_steps)
    # Two spikes of one unit in one step arrive once in the Brian2 model (its
    # input table is boolean per step and unit): so here too.
    pairs = np.unique(np.column_stack([steps[keep], i[keep]]), axis=0)
    return pairs[:, 0], pairs[:, 1]


def simulate_reference(graph, data, dt, *, delay, refractory):
    """NIR's CubaLIF/Linear equations, each step solved exactly, Dirac spikes.

    Per step: the current decays and the membrane follows it exactly over dt
    (held at v_reset while refractory), a unit spikes when v > v_threshold,
    then spikes arrive: each adds w_in * r * W / tau_syn to I (a Dirac of unit
    area through tau_syn dI/dt = -I + w_in W S, times r where I enters v),
    and spiking units reset.
    """
    layers = _chain(graph)
    n_steps = int(round(float(data["duration"]) / dt))
    d_steps = [int(round(d / dt)) if delay else 0 for _, _, d, _ in layers]
    in_steps, in_ids = input_steps(data, dt, n_steps, d_steps[0])
    arrivals_in = [[] for _ in range(n_steps)]
    for s, i in zip(in_steps, in_ids, strict=True):
        arrivals_in[s].append(i)
    state = []
    for w, c, _, tau_ref in layers:
        n = w.shape[0]
        jump = (
            (np.asarray(c.w_in, float) * np.asarray(c.r, float))[:, None] * w / c.tau_syn[:, None]
        )
        state.append(
            {
                "v": np.array(c.v_leak, float),
                "I": np.zeros(n),
                "last": np.full(n, -(10**9)),
                "n_ref": int(round(tau_ref / dt)) if refractory else 0,
                "jump": jump,
                "a_syn": np.exp(-dt / c.tau_syn),
                "a_mem": np.exp(-dt / c.tau_mem),
                "node": c,
                "spikes": [],
            }
        )
    for n in range(n_steps):
        fired = []
        for st in state:
            c = st["node"]
            a, b = st["a_syn"], st["a_mem"]
            ts, tm = c.tau_syn, c.tau_mem
            # Exact solution over dt of tau_mem dv/dt = v_leak - v + r I, dI/dt = -I/tau_syn.
            coupling = np.asarray(c.r, float) * ts / (ts - tm) * (a - b)
            v_new = c.v_leak + (st["v"] - c.v_leak) * b + coupling * st["I"]
            free = (n - st["last"]) >= st["n_ref"]
            st["v"] = np.where(free, v_new, st["v"])
            st["I"] = st["I"] * a
            spk = free & (st["v"] > c.v_threshold)
            fired.append(np.flatnonzero(spk))
        for l, st in enumerate(state):
            if l == 0:
                pre = arrivals_in[n]
            else:
                src = n - d_steps[l]
                # Without a delay, this step's spikes arrive in this step.
                pre = (
                    fired[l - 1] if src == n else (state[l - 1]["spikes"][src] if src >= 0 else [])
                )
            if len(pre):
                st["I"] += st["jump"][:, pre].sum(axis=1)
        for st, spk in zip(state, fired, strict=True):
            st["v"][spk] = st["node"].v_reset[spk]
            st["last"][spk] = n
            st["spikes"].append(spk)
    return {f"layer_{l}": _as_times(st["spikes"], dt) for l, st in enumerate(state, start=1)}


def _as_times(per_step, dt):
    t = np.concatenate([np.full(len(s), n * dt) for n, s in enumerate(per_step)] or [[]])
    i = np.concatenate([np.asarray(s, dtype=np.int64) for s in per_step] or [[]])
    return t, i.astype(np.int64)


def simulate_norse(graph, data, dt):
    """Norse's reading of the graph (see the module docstring)."""
    import nir
    import norse.torch as norse
    import torch

    nodes = {}
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind == "Linear":
            nodes[name] = nir.Linear(weight=np.asarray(node.weight) / dt)
        elif kind == "CubaLIF":
            zero = np.zeros_like(node.v_leak)
            nodes[name] = nir.CubaLIF(
                tau_syn=node.tau_syn,
                tau_mem=node.tau_mem,
                r=node.r,
                v_leak=zero,
                v_threshold=node.v_threshold - node.v_leak,
                v_reset=zero,
                w_in=node.w_in,
            )
        else:
            nodes[name] = node
    model = norse.from_nir(nir.NIRGraph(nodes=nodes, edges=list(graph.edges)), dt=dt)
    n_steps = int(round(float(data["duration"]) / dt))
    steps, ids = input_steps(data, dt, n_steps, 0)
    x = torch.zeros(n_steps, 1, int(data["n_in"]))
    x[steps, 0, ids] = 1.0
    lif_names = [k for k, n in graph.nodes.items() if type(n).__name__ == "CubaLIF"]
    spikes = {k: [] for k in lif_names}
    state = None
    with torch.no_grad():
        for n in range(n_steps):
            _, state = model(x[n], state)
            for k in lif_names:
                spikes[k].append(np.flatnonzero(state.cache[k][0].numpy() > 0))
    return {k: _as_times(v, dt) for k, v in spikes.items()}


def shifted(graph, spikes):
    """Spikes of layer l moved later by the delays of the l connections before it."""
    succ = {a: b for a, b in graph.edges}
    name = next(k for k, n in graph.nodes.items() if type(n).__name__ == "Input")
    total, out = 0.0, {}
    while name in succ:  # walk the chain in order (the file keeps nodes by name)
        name = succ[name]
        node = graph.nodes[name]
        if type(node).__name__ == "Linear":
            total += float(node.metadata.get("delay_s", 0.0))
        elif name in spikes:
            out[name] = (spikes[name][0] + total, spikes[name][1])
    return out


def match(ours, theirs, n_units, window=MATCH_WINDOW):
    """One-to-one matches within ``window``, unit by unit, nearest first."""
    matched, offsets = 0, []
    for unit in range(n_units):
        a = np.sort(ours[0][ours[1] == unit])
        b = np.sort(theirs[0][theirs[1] == unit])
        used = np.zeros(b.size, dtype=bool)
        for t in a:
            free = np.flatnonzero(~used & (np.abs(b - t) <= window + 1e-12))
            if free.size:
                k = free[np.argmin(np.abs(b[free] - t))]
                used[k] = True
                matched += 1
                offsets.append(b[k] - t)
    offsets = np.asarray(offsets)
    return {
        "ours": int(ours[0].size),
        "theirs": int(theirs[0].size),
        "matched_1ms": matched,
        "missing": int(ours[0].size) - matched,
        "extra": int(theirs[0].size) - matched,
        "exact_step": int(np.sum(np.abs(offsets) < 1e-9)),
        "mean_abs_offset_ms": float(np.mean(np.abs(offsets)) * 1e3) if offsets.size else None,
        "median_offset_ms": float(np.median(offsets) * 1e3) if offsets.size else None,
    }


def compare(directory):
    """Simulate ``directory/net.nir`` in every available reading and match spikes."""
    import nir

    graph = nir.read(str(directory / "net.nir"))
    data = dict(np.load(directory / "brian2.npz"))
    dt = float(graph.metadata.get("dt_s", 1e-4))
    layers = [k for k in graph.nodes if type(graph.nodes[k]).__name__ == "CubaLIF"]
    ours = {k: (data[f"{k}_t"], data[f"{k}_i"]) for k in layers}
    sizes = {k: np.asarray(graph.nodes[k].tau_syn).size for k in layers}
    runs = {
        "reference, NIR only": lambda: simulate_reference(
            graph, data, dt, delay=False, refractory=False
        ),
        "reference, NIR + delay": lambda: simulate_reference(
            graph, data, dt, delay=True, refractory=False
        ),
        "reference, NIR + delay + refractory": lambda: simulate_reference(
            graph, data, dt, delay=True, refractory=True
        ),
    }
    try:
        import norse  # noqa: F401

        norse_run = {}

        def norse_once():
            if not norse_run:
                norse_run.update(simulate_norse(graph, data, dt))
            return norse_run

        runs["norse (Euler, float32, NIR only)"] = norse_once
        # In a chain, delaying every connection by d delays layer l by l*d.
        runs["norse, + delay (layer l shifted by l*d)"] = lambda: shifted(graph, norse_once())
    except ImportError:
        print("norse does not import here: the numpy reference only", file=sys.stderr)
    report = {"duration_s": float(data["duration"]), "dt_s": dt, "simulators": {}}
    print(
        f"{'simulator':42s} {'layer':8s} {'ours':>6s} {'theirs':>6s} {'<=1ms':>6s}"
        f" {'same step':>9s} {'mean|dt| ms':>11s} {'median dt ms':>12s}"
    )
    for label, simulate in runs.items():
        theirs = simulate()
        report["simulators"][label] = {}
        for k in layers:
            m = match(ours[k], theirs[k], sizes[k])
            report["simulators"][label][k] = m
            mean = "-" if m["mean_abs_offset_ms"] is None else f"{m['mean_abs_offset_ms']:.3f}"
            med = "-" if m["median_offset_ms"] is None else f"{m['median_offset_ms']:+.3f}"
            print(
                f"{label:42s} {k:8s} {m['ours']:6d} {m['theirs']:6d} {m['matched_1ms']:6d}"
                f" {m['exact_step']:9d} {mean:>11s} {med:>12s}"
            )
    (directory / "comparison.json").write_text(json.dumps(report, indent=2))
    print(f"written: {directory / 'comparison.json'}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="step", required=True)
    pr = sub.add_parser("prepare", help="export a run and record Brian2's spikes")
    pr.add_argument("run", help="run directory")
    pr.add_argument("--out", required=True, type=Path, help="directory for net.nir, brian2.npz")
    pr.add_argument("--periods", type=int, default=2, help="periods of the training input")
    pr.add_argument("--device", help="Brian2 device (default: the run's)")
    co = sub.add_parser("compare", help="simulate net.nir elsewhere and match the spikes")
    co.add_argument("directory", type=Path, help="the directory written by prepare")
    args = p.parse_args(argv)
    if args.step == "prepare":
        prepare(args.run, args.out, args.periods, args.device)
    else:
        compare(args.directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
