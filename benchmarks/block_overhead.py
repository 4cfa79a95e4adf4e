"""The cost of running a training block by block: starting the binary and moving the state.

A run that learns inside a cpp_standalone binary executes the binary block
after block, one or several blocks per execution
(:mod:`superspike_brian.training.loop`), handing the whole state from one
execution to the next. This prints, per block, the wall time of an execution
as the trainer sees it (``run_s``) plus the checkpoint written after it
(``checkpoint_s``), the time the binary spent in its network loop (``sim_s``,
Brian2's own measure), and the rest: the overhead of working block by block,
as a fraction of the block's wall time.

Examples
--------
::

    python benchmarks/block_overhead.py --network single --blocks 20
    python benchmarks/block_overhead.py --network oxford --engine factorized --blocks 5 \\
        --block 20 --out benchmarks/results/block-overhead-oxford.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from brian2 import second

from superspike_brian import Schedule, Trainer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_times import model  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--network", choices=("single", "fig4", "oxford"), default="single")
    p.add_argument("--engine", choices=("synaptic", "factorized"), default="synaptic")
    p.add_argument("--blocks", type=int, default=20)
    p.add_argument("--block", type=float, default=10.0, help="block length (s)")
    p.add_argument("--out")
    args = p.parse_args(argv)
    net, task = model(args.network, args.engine)
    schedule = Schedule(
        burn_in=args.block * second, block=args.block * second, n_blocks=args.blocks
    )
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(
            net,
            task,
            device="cpp_standalone",
            engine=args.engine,
            schedule=schedule,
            build_dir=Path(tmp) / "build",
            progress=False,
        )
        timing = trainer.run(Path(tmp) / "run", figures=False).timing
    n = args.blocks + 1  # the burn-in and the training blocks
    per_block = (timing["run_s"] + timing["checkpoint_s"]) / n
    sim = timing["sim_s"] / n
    checkpoint = timing["checkpoint_s"] / n
    overhead = per_block - sim
    row = {
        "network": args.network,
        "engine": args.engine,
        "block_s": args.block,
        "blocks": n,
        "executions": timing.get("executions", n),
        "wall_per_block_s": per_block,
        "simulation_per_block_s": sim,
        "overhead_per_block_s": overhead,
        "checkpoint_per_block_s": checkpoint,
        "overhead_fraction": overhead / per_block,
        "compile_s": timing.get("compile_s"),
    }
    print(
        f"{args.network} ({args.engine}), {n} blocks of {args.block:g} s in"
        f" {row['executions']} executions:"
        f" {per_block:.3f} s per block, of which {sim:.3f} s simulating and"
        f" {overhead:.3f} s starting the binary, moving the state and writing the"
        f" checkpoint ({checkpoint:.3f} s) ({100 * row['overhead_fraction']:.1f} %)"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(row, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
