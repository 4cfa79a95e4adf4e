"""What makes a compiled standalone binary fit a machine: compiler, version, flags, CPU.

Standalone builds are cached by model structure (:mod:`superspike_brian.devices`),
often in a home directory shared by the nodes of a cluster. Brian2 compiles
with ``-march=native``: a binary built on a newer node uses instructions an
older one lacks and dies there with an illegal instruction. The build
directory's name therefore also carries :func:`toolchain_key`, a hash of the
compiler command, its version, the flags that change the binary and the
target CPU that ``-march=native`` stands for on this machine, so that nodes
of different CPUs or compilers never share a binary.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import shlex
import shutil
import subprocess

from superspike_brian.devices import compiler

__all__ = ["toolchain_key", "toolchain_description", "resolved_target", "require_brian2cuda"]

#: Seconds a compiler may take to print its version or its target options.
_ASK_TIMEOUT_S = 30

#: Options of the compiler proper (cc1plus, clang -cc1) whose value is the target:
#: the CPU and its features (clang), tuning parameters such as cache sizes (gcc).
_VALUED = ("--param", "-target-cpu", "-tune-cpu", "-target-feature")


def _ask(command):
    """stdout and stderr of ``command`` ('' if it cannot run)."""
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=_ASK_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout + out.stderr


@functools.cache
def _ask_once(command):
    """:func:`_ask`, once per process for each command (a tuple)."""
    return _ask(list(command))


def _target_words(text):
    """The target options in a compiler driver's ``-###`` output.

    gcc expands ``-march=native`` on the cc1plus line into ``-march=CPU`` and
    one ``-m...`` option per instruction-set feature; clang writes
    ``-target-cpu CPU`` and ``-target-feature +FEATURE`` on its ``-cc1`` line.
    """
    words = []
    for line in text.splitlines():
        if "cc1" not in line:
            continue
        try:
            tokens = shlex.split(line)
        except ValueError:
            tokens = line.split()
        for k, token in enumerate(tokens):
            if token in _VALUED and k + 1 < len(tokens):
                words.append(f"{token}={tokens[k + 1]}")
            elif token.startswith("-m"):
                words.append(token)
    return words


def _cpu_fallback():
    """This machine's CPU, read from the system, for compilers that do not say
    what ``-march=native`` means."""
    words = [platform.machine()]
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith(("model name", "flags", "Features", "CPU part")):
                    words.append(" ".join(line.split()))
                if len(words) > 3:
                    break
    except OSError:
        pass
    return words


@functools.cache
def resolved_target(cxx, flags):
    """The target a compile with ``flags`` produces code for, as a tuple of words.

    Parameters
    ----------
    cxx : tuple of str
        Compiler command (``("g++",)``).
    flags : tuple of str
        Compile flags; ``-march=native`` and ``-mtune=native`` among them are
        resolved by the compiler itself (``-###``: the options it would pass on).

    Returns
    -------
    tuple of str
        The target options the compiler reports; where it reports none
        (an unknown compiler), this machine's CPU model and feature flags
        when ``native`` is asked for.
    """
    target = [f for f in flags if f.startswith(("-march=", "-mtune=", "-mcpu="))]
    text = _ask([*cxx, *target, "-###", "-E", "-x", "c++", "/dev/null", "-o", "/dev/null"])
    words = _target_words(text)
    if not words and any(f.endswith("=native") for f in target):
        words = _cpu_fallback()
    return tuple(words)


def _cpp_flags():
    """Brian2's compile and link flags for C++ standalone projects (its preferences)."""
    from brian2 import prefs

    compile_args = prefs["codegen.cpp.extra_compile_args"]
    if compile_args is None:
        compile_args = prefs["codegen.cpp.extra_compile_args_gcc"]
    return (
        tuple(str(a) for a in compile_args),
        tuple(str(a) for a in prefs["codegen.cpp.extra_link_args"]),
        tuple(f"{k}={v}" for k, v in prefs["codegen.cpp.define_macros"]),
    )


def require_brian2cuda():
    """Import brian2cuda (it registers ``cuda_standalone``), or say how to install it.

    brian2cuda is an optional dependency (the ``cuda`` extra): it is GPLv3,
    and only the GPU path needs it.
    """
    try:
        import brian2cuda  # noqa: F401 - registers the device and its preferences
    except ImportError as exc:
        raise ImportError(
            "device 'cuda_standalone' needs brian2cuda, an optional dependency (GPLv3):"
            " pip install 'superspike-brian[cuda]'"
        ) from exc


def _cuda_words():
    """nvcc's version, brian2cuda's nvcc flags and the GPU architecture it targets."""
    from brian2 import prefs

    require_brian2cuda()  # its preferences exist once it is imported
    backend = prefs.devices.cuda_standalone.cuda_backend
    words = [_ask_once((shutil.which("nvcc") or "nvcc", "--version"))]
    words += [str(a) for a in backend.extra_compile_args_nvcc]
    if backend.detect_gpus:  # brian2cuda compiles for the GPU it finds
        words.append(_ask_once(("nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv")))
    else:
        words.append(f"compute_capability={backend.compute_capability}")
    return words


@functools.cache
def _describe(cxx, flags, link, macros, cuda):
    version = _ask([*cxx, "--version"]).strip()
    return {
        "compiler": shlex.join(cxx),
        "version": version,
        "flags": list(flags),
        "link": list(link),
        "macros": list(macros),
        "target": list(resolved_target(cxx, flags)),
        "cuda": list(cuda),
    }


def toolchain_description(device="cpp_standalone"):
    """What :func:`toolchain_key` hashes, as a dict (compiler, version, flags, target).

    Parameters
    ----------
    device : {'cpp_standalone', 'cuda_standalone'}
    """
    flags, link, macros = _cpp_flags()
    cuda = tuple(_cuda_words()) if device == "cuda_standalone" else ()
    return _describe(tuple(compiler.compiler_command()), flags, link, macros, cuda)


def toolchain_key(device="cpp_standalone"):
    """A short hash of the compiler, its version, the binary-changing flags and the
    target CPU they mean here.

    Part of every cached build directory's name
    (:meth:`~superspike_brian.training.trainer.Trainer.build_directory`), so that a
    binary is reused only by machines that would have built the same one. The
    compiler is asked once per process for each compiler and set of flags.

    Parameters
    ----------
    device : {'cpp_standalone', 'cuda_standalone'}
        For CUDA the nvcc version, its flags and the GPU architecture count too.

    Returns
    -------
    str
        12 hexadecimal digits.
    """
    description = toolchain_description(device)
    text = repr(sorted(description.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
