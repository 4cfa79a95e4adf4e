"""The experiments of the paper as sweeps, at three scales.

Each experiment (a figure of Zenke & Ganguli 2018) is one or several sweeps of
:func:`superspike_brian.sweep.run_sweep`: ``superspike train`` options shared by
its runs, a grid of options and the seeds. The figures' networks, tasks,
schedules and conditions are those of :mod:`superspike_brian.paper` (and of
:mod:`superspike_brian.training.xor` for Fig 5), written here as options; this
module adds only the scales and the sweeps' names. Scales:

``full``
    The paper's seeds (Fig 2: 21, Fig 4 and 5: 20, Figs 6-7: 5, Fig 8: 3) and
    durations (800 s for Figs 2, 4 and 5; 1000 s for the pattern task).
``quick``
    Fewer seeds and shorter pattern trainings, so that everything runs in
    about half an hour on two cores: a first look, not a measurement.
``tiny``
    Two seeds, very short trainings on the runtime device (nothing to
    compile): only to check that every section of the report is produced.

With the authors' data (``data_dir``, the folder holding SSBM's ``poisson/``
and ``oxford/``), Figs 2 and 4 also run on ``poisson/`` (sweeps ``fig2-ssbm``,
``fig4-ssbm-h4``, ``fig4-ssbm-h8``) and Figs 6-8 on the Oxford task
(``fig6-oxford``, ``fig7-oxford-*``, ``fig8-oxford``: 200 inputs, 1.89 s, 200
outputs), beside the built-in tasks, with the same seeds and schedules. Fig 7's
symmetric and no-hidden-layer conditions on Oxford are the runs of
``fig6-oxford`` at those widths (the same options), not run twice.

Examples
--------
>>> from superspike_brian.reproduce.experiments import experiments
>>> [e.key for e in experiments("quick", "runs/paper")]
['fig2', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from superspike_brian import paper
from superspike_brian.paper import train_options
from superspike_brian.tasks.xor import DURATION as XOR_DURATION
from superspike_brian.training.xor import HIDDEN as XOR_HIDDEN

__all__ = [
    "SCALES",
    "Sweep",
    "Alias",
    "Experiment",
    "experiments",
    "pattern_files",
    "pattern_period",
    "ssbm_files",
    "oxford_files",
    "FIG7_FROM_FIG6",
]

SCALES = ("tiny", "quick", "full")

#: Fig 7 conditions that are Fig 6 runs (the same options): condition -> width, None
#: standing for the scale's Fig 7 width. Oxford reads them from Fig 6 at every scale.
FIG7_FROM_FIG6 = {"symmetric": None, "none": 0}


@dataclass(frozen=True)
class Sweep:
    """One sweep of an experiment.

    Attributes
    ----------
    name : str
        Its directory under the reproduction's ``OUT`` (e.g. ``fig4-h4``).
    label : str
        What it is, for the report.
    base : tuple of str
        ``superspike train`` options of every run.
    grid : dict
        Option name -> values (:func:`superspike_brian.sweep.expand_grid`).
    seeds : tuple of int
    program : {'train', 'xor'}
        What each run executes: ``superspike train``, or the XOR run
        (:mod:`superspike_brian.reproduce.xor_run`), which takes the same options.
    """

    name: str
    label: str
    base: tuple
    grid: dict = field(default_factory=dict)
    seeds: tuple = (1,)
    program: str = "train"

    def command(self, python):
        """The program of each run before its options, or None for ``superspike train``."""
        if self.program == "xor":
            return [python, "-m", "superspike_brian.reproduce.xor_run"]
        return None


@dataclass(frozen=True)
class Alias:
    """A condition whose runs are those of another sweep with given grid values.

    Attributes
    ----------
    name : str
        The name its rows get in the results (as a sweep of its own would).
    label : str
    source : str
        The sweep that runs it.
    match : dict
        Grid values of ``source`` that make the condition (e.g. ``{"hidden": "256"}``).
    """

    name: str
    label: str
    source: str
    match: dict


@dataclass(frozen=True)
class Experiment:
    """A figure of the paper: its sweeps.

    Attributes
    ----------
    key : str
        ``fig2`` ... ``fig8``.
    title : str
    sweeps : tuple of Sweep
    aliases : tuple of Alias
        Conditions read from the runs of another sweep (Oxford's Fig 7 symmetric
        and no-hidden-layer runs are Fig 6 runs).
    """

    key: str
    title: str
    sweeps: tuple
    aliases: tuple = ()

    def sweep(self, name):
        """The sweep called ``name``."""
        for s in self.sweeps:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True)
class _Scale:
    fig2_seeds: int
    fig2_duration: float
    fig4_seeds: int
    fig4_duration: float
    xor_seeds: int
    xor_duration: float
    pattern_seeds: int
    pattern_duration: float
    fig8_seeds: int
    device: str
    block: float
    pattern_block: float
    xor_block: float = 10
    #: Length (s) of the XOR trial stream; None: the task's 200 trials.
    xor_stream: float | None = None
    fig6_hidden: tuple = paper.FIG6_HIDDEN
    fig7_hidden: int = paper.PATTERN.hidden[0]
    fig8_rho: tuple = paper.FIG8_RHO
    fig8_a: tuple = paper.FIG8_A
    pattern_period: float = paper.PATTERN.period
    fig4_hidden: tuple = paper.FIG4_HIDDEN
    feedback_modes: tuple = paper.FEEDBACK_MODES
    fig7_conditions: tuple | None = None
    #: The built-in Fig 7's symmetric and no-hidden-layer runs are Fig 6's (aliases).
    share_fig6: bool = False


_SCALES = {
    # The paper's seeds and schedules.
    "full": _Scale(
        fig2_seeds=paper.SEEDS["fig2"],
        fig2_duration=paper.FIG2.duration,
        fig4_seeds=paper.SEEDS["fig4"],
        fig4_duration=paper.FIG4.duration,
        xor_seeds=paper.SEEDS["fig5"],
        xor_duration=XOR_DURATION,
        pattern_seeds=paper.SEEDS["fig6"],
        pattern_duration=paper.PATTERN.duration,
        fig8_seeds=paper.SEEDS["fig8"],
        device="cpp_standalone",
        block=paper.FIG2.block,
        pattern_block=paper.PATTERN.block,
    ),
    "quick": _Scale(
        fig2_seeds=10,
        fig2_duration=800,
        fig4_seeds=5,
        fig4_duration=400,
        xor_seeds=3,
        xor_duration=400,
        pattern_seeds=1,
        pattern_duration=200,
        fig8_seeds=1,
        device="cpp_standalone",
        block=10,
        pattern_block=paper.PATTERN.block,
    ),
    # Runtime device: no compilation; one block of one update interval per run,
    # the smallest grids that still give every row of the report.
    "tiny": _Scale(
        fig2_seeds=1,
        fig2_duration=0.5,
        fig4_seeds=1,
        fig4_duration=0.5,
        xor_seeds=1,
        xor_duration=1.5,
        pattern_seeds=1,
        pattern_duration=0.5,
        fig8_seeds=1,
        device="runtime",
        block=0.5,
        pattern_block=0.5,
        xor_block=0.5,
        xor_stream=1.6,
        fig6_hidden=(8,),
        fig7_hidden=8,
        fig8_rho=("1e-6",),
        fig8_a=("4",),
        # One period must fit in the 1 s of a run: the picture drawn in 0.5 s.
        pattern_period=0.5,
        fig4_hidden=(4,),
        feedback_modes=("random",),
        fig7_conditions=("symmetric", "none"),
        # The fewest runs that draw every row: Fig 7's symmetric and no-hidden-layer
        # conditions are Fig 6's runs (the same options), one seed for Fig 2.
        share_fig6=True,
    ),
}


def pattern_files(out):
    """Where the pattern task's files go under ``out`` (input.ras, target.png)."""
    folder = Path(out) / "tasks" / "pattern"
    return folder / "input.ras", folder / "target.png"


def pattern_period(scale):
    """Period (s) of the pattern task at ``scale``: 3.5 s but at the tiny scale."""
    return _SCALES[scale].pattern_period


def ssbm_files(data_dir):
    """The authors' single-neuron data in ``data_dir`` (input.ras, target.ras), or None.

    ``data_dir`` may be the folder holding ``poisson/`` or ``poisson/`` itself.
    """
    if data_dir is None:
        return None
    # Resolved: the sweeps record the files' paths, and the same data spelled
    # another way (../shared/ssbm, /work/shared/ssbm) must give the same sweep.
    data_dir = Path(data_dir).resolve()
    for folder in (data_dir / "poisson", data_dir):
        inp, target = folder / "input.ras", folder / "target.ras"
        # oxford/ holds files of the same names: never read as the single-neuron data.
        if inp.is_file() and target.is_file() and folder.name != "oxford":
            return inp, target
    return None


def oxford_files(data_dir):
    """The authors' Oxford data in ``data_dir`` (input.ras, target.ras), or None.

    ``data_dir`` may be the folder holding ``oxford/`` or ``oxford/`` itself.
    """
    if data_dir is None:
        return None
    data_dir = Path(data_dir).resolve()  # as in ssbm_files
    for folder in (data_dir / "oxford", data_dir):
        inp, target = folder / "input.ras", folder / "target.ras"
        # poisson/ holds files of the same names: oxford/ is told by its folder name.
        if inp.is_file() and target.is_file() and folder.name == "oxford":
            return inp, target
    return None


def _seeds(n):
    return tuple(range(1, n + 1))


def _run_options(s):
    run = ("--device", s.device, *train_options({"block": s.block, "burn_in": s.block}))
    return run + (("--learn", "controller") if s.device == "runtime" else ())


def _ssbm_options(ssbm):
    """The authors' single-neuron files as the task of Figs 2 and 4."""
    return ("--input", str(ssbm[0]), "--target", str(ssbm[1]), *_period(paper.FIG2))


def _period(setup, period=None):
    return train_options({"period": setup.period if period is None else period})


def _fig2(s, data_dir):
    run = _run_options(s)
    fig2 = [
        Sweep(
            "fig2-builtin",
            "built-in task (task seed 1), network seeds",
            (*train_options({"duration": s.fig2_duration}), *run),
            seeds=_seeds(s.fig2_seeds),
        )
    ]
    ssbm = ssbm_files(data_dir)
    if ssbm is not None:
        files = _ssbm_options(ssbm)
        fig2.append(
            Sweep(
                "fig2-ssbm",
                f"authors' data ({ssbm[0].parent.name}/), network seeds",
                (
                    *files,
                    "--reference",
                    "single_neuron",
                    *train_options({"duration": s.fig2_duration}),
                    *run,
                ),
                seeds=_seeds(s.fig2_seeds),
            )
        )
    return fig2


def _fig4(s, data_dir):
    def net(h):
        return (*train_options({"hidden": (h,), "duration": s.fig4_duration}), *_run_options(s))

    sweeps = [
        Sweep(
            f"fig4-h{h}",
            f"100 -> {h} -> 1",
            net(h),
            grid={"feedback": list(s.feedback_modes)},
            seeds=_seeds(s.fig4_seeds),
        )
        for h in s.fig4_hidden
    ]
    ssbm = ssbm_files(data_dir)
    if ssbm is None:
        return sweeps
    return sweeps + [
        Sweep(
            f"fig4-ssbm-h{h}",
            f"100 -> {h} -> 1, authors' data",
            (*_ssbm_options(ssbm), *net(h)),
            grid={"feedback": list(s.feedback_modes)},
            seeds=_seeds(s.fig4_seeds),
        )
        for h in s.fig4_hidden
    ]


def _fig5(s):
    run = (*train_options({"duration": s.xor_duration}), "--device", s.device)
    run += train_options({"block": s.xor_block})
    if s.xor_stream is not None:
        run += train_options({"period": s.xor_stream})
    return [
        Sweep(
            "fig5-hidden",
            f"100 -> {XOR_HIDDEN} -> 2",
            (*train_options({"hidden": (XOR_HIDDEN,)}), *run),
            grid={"feedback": list(s.feedback_modes)},
            seeds=_seeds(s.xor_seeds),
            program="xor",
        ),
        Sweep(
            "fig5-none",
            "100 -> 2 (no hidden layer)",
            (*train_options({"hidden": ()}), *run),
            seeds=_seeds(s.xor_seeds),
            program="xor",
        ),
    ]


def _pattern_schedule(s, setup):
    """Sizes, schedule and engine of every run on a pattern task (the scale's duration)."""
    sizes = train_options({"n_in": setup.n_in, "n_out": setup.n_out})
    schedule = (*train_options({"duration": s.pattern_duration}), "--device", s.device)
    schedule += train_options({"block": s.pattern_block, "burn_in": s.pattern_block})
    return (*sizes, *schedule, *train_options({"engine": setup.engine}))


def _pattern_options(s, out):
    inp, target = pattern_files(out)
    files = (
        "--input",
        str(inp),
        "--target",
        str(target),
        *_period(paper.PATTERN, s.pattern_period),
    )
    return (*files, *_pattern_schedule(s, paper.PATTERN))


def _oxford_options(s, files):
    """Options of every Oxford run: the authors' files, sizes, schedule, factorized engine."""
    task = ("--input", str(files[0]), "--target", str(files[1]), *_period(paper.OXFORD))
    task += ("--target-id-offset", str(paper.OXFORD_TARGET_ID_OFFSET))
    # The weight update inside the binary on cpp_standalone (about 40 times the
    # reference's speed); the numpy controller on runtime (tiny scale, no compiler).
    learn = ("--learn", "inside") if s.device != "runtime" else ()
    return (*task, *_pattern_schedule(s, paper.OXFORD), *learn)


def _pattern(s, run, infix, task, sizes, share):
    """Figs 6, 7 and 8 on one pattern task: (Fig 6 sweep, Fig 7 sweeps, Fig 8 sweep, aliases).

    Parameters
    ----------
    s : _Scale
    run : tuple of str
        The options of every run on this task.
    infix : str
        In the sweep names: "" (the built-in picture: ``fig6``, ``fig7-none`` ...)
        or ``-oxford`` (``fig6-oxford``, ``fig7-oxford-none`` ...).
    task : str
        The task in the labels.
    sizes : (int, int)
        Inputs and outputs, for the Fig 8 label.
    share : bool
        Fig 7's symmetric and no-hidden-layer conditions are Fig 6's runs at those
        widths (aliases), not sweeps of their own.
    """
    shared = _from_fig6(s) if share else {}
    fig6_name = f"fig6{infix}"
    fig6 = Sweep(
        fig6_name,
        f"{task}, symmetric feedback",
        run,
        grid={"hidden": [str(h) for h in sorted(set(s.fig6_hidden) | set(shared.values()))]},
        seeds=_seeds(s.pattern_seeds),
    )
    prefix = f"{task.split()[0]}, " if infix else ""
    fig7 = [
        Sweep(f"fig7{infix}-{name}", prefix + sw.label, sw.base, sw.grid, sw.seeds)
        for sw in _fig7(s, run)
        if (name := sw.name.removeprefix("fig7-")) not in shared
    ]
    fig8 = Sweep(
        f"fig8{infix}",
        f"{task}, {sizes[0]} -> {s.fig7_hidden} -> {sizes[1]}, random feedback, regularizer rho, a",
        (*run, *train_options({"hidden": (s.fig7_hidden,), "feedback": "random"})),
        grid={"regularizer": [f"{r},{a}" for r in s.fig8_rho for a in s.fig8_a]},
        seeds=_seeds(s.fig8_seeds),
    )
    labels = {sw.name.removeprefix("fig7-"): sw.label for sw in _fig7(_full_fig7(s), run)}
    aliases = [
        Alias(
            f"fig7{infix}-{name}",
            f"{prefix}{labels[name]} (the runs of {fig6_name}, hidden {width})",
            fig6_name,
            {"hidden": str(width)},
        )
        for name, width in shared.items()
    ]
    return fig6, fig7, fig8, aliases


def _full_fig7(s):
    """``s`` with every Fig 7 condition (for their labels)."""
    from dataclasses import replace

    return replace(s, fig7_conditions=None)


def _from_fig6(s):
    """Fig 7 condition -> the Fig 6 width whose runs it is, at scale ``s``."""
    return {
        name: s.fig7_hidden if width is None else width
        for name, width in FIG7_FROM_FIG6.items()
        if s.fig7_conditions is None or name in s.fig7_conditions
    }


def _fig7(s, prun):
    """Fig 7's conditions (:data:`superspike_brian.paper.FIG7_CONDITIONS`) at the scale's width."""
    return [
        Sweep(
            f"fig7-{name}",
            c.label,
            (*prun, *train_options({"hidden": (s.fig7_hidden,), **c.changes})),
            seeds=_seeds(s.pattern_seeds),
        )
        for name, c in paper.FIG7_CONDITIONS.items()
        if s.fig7_conditions is None or name in s.fig7_conditions
    ]


def experiments(scale, out, data_dir=None):
    """The experiments at ``scale``, their sweeps writing under ``out``.

    Parameters
    ----------
    scale : {'tiny', 'quick', 'full'}
    out : path
        The reproduction's folder (the pattern task's files lie in ``out/tasks``).
    data_dir : path, optional
        A folder with the authors' data: ``poisson/input.ras`` and ``target.ras``
        (Figs 2 and 4 then also run on them), ``oxford/input.ras`` and
        ``target.ras`` (Figs 6-8 then also run on the Oxford task).

    Returns
    -------
    list of Experiment
    """
    if scale not in _SCALES:
        raise ValueError(f"--scale must be one of {', '.join(SCALES)}; got {scale!r}")
    s = _SCALES[scale]
    # The built-in picture keeps Fig 7's own sweeps at the scales whose reports exist
    # (their runs stay usable); Oxford, new, runs each condition once.
    fig6, fig7, fig8, aliases = _pattern(
        s,
        _pattern_options(s, out),
        "",
        "pattern task",
        (paper.PATTERN.n_in, paper.PATTERN.n_out),
        s.share_fig6,
    )
    fig6, fig8 = [fig6], [fig8]
    files = oxford_files(data_dir)
    if files is not None:
        ox6, ox7, ox8, ox_aliases = _pattern(
            s,
            _oxford_options(s, files),
            "-oxford",
            "Oxford task",
            (paper.OXFORD.n_in, paper.OXFORD.n_out),
            True,
        )
        fig6, fig7, fig8 = fig6 + [ox6], fig7 + ox7, fig8 + [ox8]
        aliases = aliases + ox_aliases
    return [
        Experiment("fig2", "Fig 2: a single neuron learns five spikes", tuple(_fig2(s, data_dir))),
        Experiment("fig4", "Fig 4: a hidden layer from a silent start", tuple(_fig4(s, data_dir))),
        Experiment("fig5", "Fig 5: spiking XOR", tuple(_fig5(s))),
        Experiment("fig6", "Fig 6: pattern task, final cost against hidden width", tuple(fig6)),
        Experiment(
            "fig7",
            "Fig 7: pattern task, feedback modes and ablations",
            tuple(fig7),
            tuple(aliases),
        ),
        Experiment("fig8", "Fig 8: random feedback, regularizer grid", tuple(fig8)),
    ]
