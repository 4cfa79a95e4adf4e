"""What the XOR controls measure: held-out accuracy with learning off and without hidden layer.

For network seeds 1-5 (the task seed equal to the network seed, as in
``tests/test_xor.py``), the held-out stream (200 trials, ``stream=1``) is scored
with the initial weights (learning off) for 100 -> 2 and 100 -> 4 -> 2 with
symmetric feedback, and after the model's 800-s training for 100 -> 2; for
100 -> 2 also the training stream (``stream=0``, 200 trials) with learning off,
to compare with the last 200 trials of training. It prints the accuracies and
writes them as JSON: the numbers any two-sided bound on the control (no hidden
layer) must be set from.

Usage::

    python benchmarks/xor_controls.py --out benchmarks/results/xor-controls.json
"""

import argparse
import json
import time

from superspike_brian.tasks.xor import DURATION, xor_task
from superspike_brian.training.xor import make_network, run_seeds


def accuracies(scored):
    return [float(sc["correct"].mean()) for _, sc in scored]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    p.add_argument("--out", default=None, help="JSON file for the accuracies")
    p.add_argument("--build-dir", default=None, help="folder for the builds (default: cache)")
    args = p.parse_args(argv)

    def build(name):
        return None if args.build_dir is None else f"{args.build_dir}/{name}"

    result = {"seeds": args.seeds}
    for hidden in (0, 4):
        t0 = time.time()
        nets = [make_network(hidden=hidden, feedback="symmetric", seed=s) for s in args.seeds]
        held = [xor_task(seed=s, stream=1) for s in args.seeds]
        initial = [n.initial_weights() for n in nets]
        off = run_seeds(nets, held, learn=False, weights=initial, build_dir=build(f"off-{hidden}"))
        result[f"hidden{hidden}_learning_off"] = accuracies(off)
        if hidden == 0:
            train_tasks = [xor_task(seed=s) for s in args.seeds]
            off_train = run_seeds(
                nets, train_tasks, learn=False, weights=initial, build_dir=build("off-train-0")
            )
            result["hidden0_learning_off_training_stream"] = accuracies(off_train)
            trained = run_seeds(nets, train_tasks, DURATION, build_dir=build("train-0"))
            weights = [h.weights for h, _ in trained]
            tested = run_seeds(nets, held, learn=False, weights=weights, build_dir=build("test-0"))
            result["hidden0_trained"] = accuracies(tested)
            result["hidden0_training_last_200_trials"] = [
                float(sc["correct"][-200:].mean()) for _, sc in trained
            ]
        print(f"hidden {hidden}: {time.time() - t0:.0f} s", flush=True)
    for key, values in result.items():
        print(key, values)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
