"""Published cost curves of the authors' reference implementation.

Block values of the cost of REFERENCE.md §4 (block k = end of burn-in plus k
training blocks), for comparing a run with the reference in figures and notes.
"""

CURVES = {
    # 100 -> 1 on ssbm/poisson, r0 = 1 mV, 10 s burn-in, 80 blocks of 10 s.
    "single_neuron": {
        0: 10.08,
        1: 8.14,
        3: 5.15,
        5: 1.39,
        7: 0.47,
        10: 0.45,
        20: 0.63,
        25: 0.043,
        30: 0.015,
    },
    # 100 -> 4 -> 1, symmetric feedback, same schedule.
    "fig4_symmetric": {0: 10.1, 2: 4.8, 4: 1.95, 10: 0.91, 19: 0.051, 22: 2e-3},
    # 100 -> 4 -> 1, random feedback with regularizer (one draw).
    "fig4_random": {0: 10.1, 4: 4.1, 10: 2.15, 20: 1.16},
    # Oxford 200 -> 256 -> 200, symmetric, 20 s burn-in, 50 blocks of 20 s.
    "oxford_symmetric": {
        0: 214,
        1: 106,
        2: 57,
        3: 46,
        4: 40,
        5: 38,
        10: 29,
        15: 26,
        19: 25,
        20: 23.6,
        21: 18.4,
        22: 16.4,
    },
    # Oxford without hidden layer (200 -> 200).
    "oxford_no_hidden": {
        0: 214,
        1: 93,
        2: 52,
        3: 39,
        4: 34,
        5: 31,
        10: 24,
        19: 19.7,
        20: 19.1,
        21: 16.5,
    },
    # Oxford, random feedback with regularizer, the run of REFERENCE.md with seed 121.
    "oxford_random": {
        0: 214,
        1: 150,
        2: 103,
        3: 96,
        4: 90,
        5: 87,
        6: 85,
        7: 83,
        8: 77,
        9: 82,
        19: 71,
        20: 72,
        21: 58,
    },
}

#: Summary statistics quoted in REFERENCE.md beyond single blocks.
SUMMARIES = {
    "single_neuron": "blocks 40-79 between 0.006 and 0.21, median about 0.03",
    "oxford_symmetric": "16.3 to 17.5 from block 23 to 49, mean of blocks 40-49: 16.9",
    "oxford_random": "48.7 to 49.6 for blocks 22-28 (seed 121); published run ends at 25.9",
}


def curve(name):
    """Reference curve ``name`` as a {block: cost} dict."""
    if name not in CURVES:
        raise ValueError(f"unknown reference curve {name!r}; known: {', '.join(CURVES)}")
    return dict(CURVES[name])
