"""Cluster nodes: the cores a job was given, a binary per compiler and CPU, locks on
shared file systems."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from superspike_brian import cores, devices
from superspike_brian.devices import codegen, compiler, toolchain
from superspike_brian.training import batch

# --------------------------------------------------------------------------- cores


def test_cores_come_from_the_affinity_mask(tmp_path):
    """A process bound to one core (taskset, a SLURM task) compiles with one job."""
    code = textwrap.dedent(
        """
        import os
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        from superspike_brian.cores import available_cores
        from superspike_brian.devices.compiler import make_arguments
        print(available_cores(), make_arguments()[0], os.cpu_count())
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "SLURM_CPUS_PER_TASK"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    n, jobs, machine = out.stdout.split()
    assert (n, jobs) == ("1", "-j1")
    assert int(machine) == os.cpu_count()  # what was used before: the whole machine


@pytest.mark.parametrize(
    "slurm, expected",
    [("1", 1), ("100000", None), ("zero", None), ("0", None), (None, None)],
)
def test_slurm_cpus_per_task_bounds_the_count(monkeypatch, slurm, expected):
    mask = len(os.sched_getaffinity(0))
    if slurm is None:
        monkeypatch.delenv("SLURM_CPUS_PER_TASK", raising=False)
    else:
        monkeypatch.setenv("SLURM_CPUS_PER_TASK", slurm)
    assert cores.available_cores() == (expected or mask)


def test_every_core_count_is_the_jobs(monkeypatch):
    """make -j, codegen's compile and the sweep's local cluster follow SLURM_CPUS_PER_TASK."""
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
    assert compiler.make_arguments()[0] == "-j1"
    ran = []

    def start(directory, extra=()):
        ran.append(compiler.make_arguments())
        raise RuntimeError("stop before make")

    # codegen's compile goes through compiler.compile_project, which starts make once.
    monkeypatch.setattr(compiler, "_start_make", start)
    monkeypatch.setattr(compiler, "planned_objects", lambda directory: (["a.o"], True))
    with pytest.raises(RuntimeError, match="stop before make"):
        codegen.compile_project("somewhere")
    assert ran and ran[0][0] == "-j1"

    from superspike_brian.sweep import runner

    sized = {}

    class Cluster:
        def __init__(self, n_workers, **kw):
            sized["n_workers"] = n_workers

    monkeypatch.setattr("distributed.LocalCluster", Cluster)
    monkeypatch.setattr("distributed.Client", lambda cluster: "client")
    assert runner._start_client(None, None, n_runs=8)[0] == "client"
    assert sized == {"n_workers": 1}


# --------------------------------------------------------------------------- toolchain

# A stand-in for g++ {version}: what it makes of -march (native: the CPU of the node
# it runs on, FAKE_CPU here), printed on the cc1plus line of -### as gcc does.
FAKE_CXX = """#!/bin/sh
for a in "$@"; do [ "$a" = --version ] && echo "g++ (Fake) {version}" && exit 0; done
march=native
for a in "$@"; do case "$a" in -march=*) march="${{a#-march=}}";; esac; done
[ "$march" = native ] && march=$FAKE_CPU
echo ' /usr/lib/gcc/x86_64-linux-gnu/12/cc1plus -E -quiet /dev/null "-march='$march'" -mavx' >&2
"""


@pytest.fixture
def node(tmp_path, monkeypatch):
    """node(version, cpu): this process as if on a node with that compiler and CPU."""
    scripts = {}
    for version in ("12.2.0", "13.1.0"):
        scripts[version] = tmp_path / f"gxx-{version}"
        scripts[version].write_text(FAKE_CXX.format(version=version))
        scripts[version].chmod(0o755)

    def on(version, cpu):
        monkeypatch.setenv("CXX", str(scripts[version]))
        monkeypatch.setenv("FAKE_CPU", cpu)
        # The key is asked once per process: a new node is a new process.
        toolchain.resolved_target.cache_clear()
        toolchain._describe.cache_clear()
        return toolchain.toolchain_key()

    yield on
    toolchain.resolved_target.cache_clear()
    toolchain._describe.cache_clear()


def test_the_key_differs_with_the_cpu_native_means_and_the_compiler(node):
    from brian2 import prefs

    assert "-march=native" in prefs["codegen.cpp.extra_compile_args_gcc"]  # Brian2's default
    skylake = node("12.2.0", "skylake")
    assert node("12.2.0", "haswell") != skylake  # another CPU
    assert toolchain.toolchain_description()["target"] == ["-march=haswell", "-mavx"]
    assert node("13.1.0", "skylake") != skylake  # another compiler version
    assert node("12.2.0", "skylake") == skylake  # the same node again


def test_the_key_follows_the_flags_and_an_explicit_march_is_shared(monkeypatch, node):
    from brian2 import prefs

    default = list(prefs["codegen.cpp.extra_compile_args_gcc"])
    native = node("12.2.0", "skylake")
    # A flag that changes the binary changes the key.
    monkeypatch.setitem(prefs, "codegen.cpp.extra_compile_args_gcc", [*default, "-O2"])
    assert node("12.2.0", "skylake") != native
    # A portable target: nodes of both CPUs build the same binary, so they share it.
    portable = [f if f != "-march=native" else "-march=x86-64-v2" for f in default]
    monkeypatch.setitem(prefs, "codegen.cpp.extra_compile_args_gcc", portable)
    assert node("12.2.0", "skylake") == node("12.2.0", "haswell") != native


def test_build_directories_differ_between_nodes(monkeypatch, node):
    """Trainer.build_directory and run_batch's cache carry the toolchain key."""
    from superspike_brian import Trainer

    from .helpers import small_network, small_task

    task = small_task()
    net = small_network(task)
    trainer = Trainer(net, task, device="cpp_standalone")

    class Built(Exception):
        pass

    def session(device, directory, **kw):
        raise Built(directory)

    monkeypatch.setattr(batch, "Session", session)
    dirs = {}
    for cpu in ("skylake", "haswell"):
        key = node("12.2.0", cpu)
        with pytest.raises(Built) as built:
            batch.run_batch([net], [task], [], 1.0, key="xor-train-x")
        dirs[cpu] = (trainer.build_directory(), built.value.args[0])
        assert dirs[cpu][0].name.endswith(f"-{key}")
        assert dirs[cpu][1].name == f"xor-train-x-{key}"
    for k in range(2):
        assert dirs["skylake"][k] != dirs["haswell"][k]
        assert dirs["skylake"][k].parent == devices.default_build_root()


def test_an_unknown_compiler_falls_back_to_the_cpu_it_runs_on(monkeypatch, tmp_path):
    silent = tmp_path / "cxx-silent"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    monkeypatch.setenv("CXX", str(silent))
    target = toolchain.toolchain_description()["target"]
    assert target[0] == os.uname().machine and len(target) > 1  # model name, flags


# --------------------------------------------------------------------------- locks

HOLDER = """
import sys, time
from superspike_brian import devices

with devices.build_lock(sys.argv[1], lease_s=float(sys.argv[2])):
    print("held", flush=True)
    if sys.argv[3] == "sleep":
        time.sleep(600)
    sys.stdin.readline()  # until the test says so
print("released", flush=True)
"""


def _second_mount(tmp_path):
    """A folder on another file system than tmp_path (tmpfs /dev/shm), if there is one."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system (/dev/shm) on this machine")
    return Path(
        subprocess.run(["mktemp", "-d", "-p", str(shm)], capture_output=True, text=True).stdout
    ).resolve()


def _holder(build, lease_s=120.0, until="stdin"):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(build), str(lease_s), until],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def _waiter(build, said, acquired, lease_s=None):
    def wait():
        with devices.build_lock(build, say=said.append, poll=0.05, lease_s=lease_s):
            acquired.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("where", ["temp dir", "second mount"])
def test_a_lock_held_by_another_process_waits_for_it_and_names_it(tmp_path, where):
    folder = tmp_path if where == "temp dir" else _second_mount(tmp_path)
    build = folder / "build"
    holder = _holder(build)
    try:
        said, acquired = [], threading.Event()
        waiter = _waiter(build, said, acquired)
        while not said:
            time.sleep(0.01)
        assert said == [f"waiting for {build}, in use by process {holder.pid} ..."]
        time.sleep(0.5)  # ten polls: the live holder keeps it
        assert not acquired.is_set()
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        waiter.join(timeout=60)
        assert acquired.is_set()
        assert not (build / ".lock").exists()  # released: the marker is gone
    finally:
        holder.kill()
        holder.wait()
        if where != "temp dir":
            subprocess.run(["rm", "-rf", str(folder)])


def test_a_lock_whose_holder_died_is_taken_over(tmp_path):
    build = tmp_path / "build"
    holder = _holder(build)
    said, acquired = [], threading.Event()
    waiter = _waiter(build, said, acquired)
    while not said:
        time.sleep(0.01)
    assert not acquired.is_set()
    holder.kill()  # SIGKILL: no release, the marker stays
    holder.wait()
    assert (build / ".lock").exists()
    waiter.join(timeout=60)
    assert acquired.is_set()


def test_a_frozen_holder_loses_its_lease_and_stops_when_it_wakes(tmp_path):
    """A holder that stops refreshing (node lost, job suspended) is taken over after
    the lease; should it wake, it stops instead of building in the same directory."""
    build, lease_s = tmp_path / "build", 1.5
    holder = _holder(build, lease_s, until="sleep")
    try:
        os.kill(holder.pid, signal.SIGSTOP)
        said, acquired = [], threading.Event()
        waiter = _waiter(build, said, acquired, lease_s=lease_s)
        waiter.join(timeout=60)
        assert acquired.is_set() and said  # it waited, then took the lock over
        os.kill(holder.pid, signal.SIGCONT)
        _, err = holder.communicate(timeout=60)
        assert holder.returncode != 0
        assert f"lost the lock of {build}" in err, err
        assert holder.returncode == -signal.SIGINT, err  # stopped as by Ctrl-C
    finally:
        holder.kill()
        holder.wait()


def test_cuda_without_brian2cuda_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2cuda", None)  # import fails as if absent
    with pytest.raises(ImportError, match=r"pip install 'superspike-brian\[cuda\]'"):
        devices.require_brian2cuda()
