"""The documentation site builds with warnings as errors; version, licence and citation
files agree with the package."""

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import superspike_brian

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

pytest.importorskip("sphinx", reason="Sphinx is absent: pip install -e '.[docs]'")
pytest.importorskip("myst_nb", reason="myst-nb is absent: pip install -e '.[docs]'")
pytest.importorskip("numpydoc", reason="numpydoc is absent: pip install -e '.[docs]'")


def _sphinx(source, out, tmp_path):
    """sphinx-build -W --keep-going -b html SOURCE OUT (as ``make docs``)."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q"]
        + ["-d", str(tmp_path / "doctrees"), str(source), str(out)],
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    out = tmp / "html"
    built = _sphinx(DOCS, out, tmp)
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stderr == "", built.stderr  # not one warning
    return out


def test_the_site_builds_with_its_key_pages(site):
    pages = {
        "index.html": "superspike-brian",
        "guide.html": "One compiled binary per model structure",  # the README, included
        "model.html": "Reported cost",
        "discrete_time.html": "",
        "run_directories.html": "metrics.csv",
        "cluster.html": "SLURMCluster",
        "examples.html": "Single neuron learns a precisely timed spike train",
        "reproduction/full/report.html": "SuperSpike reproduced",
        "reproduction/quick/report.html": "SuperSpike reproduced",
        "api.html": "SuperSpikeNetwork",
        "api/generated/superspike_brian.training.trainer.html": "build_directory",
        "tutorials/index.html": "Tutorials",
        "tutorials/superspike_in_brian2.html": "SuperSpike",
        "api/generated/superspike_brian.rule.component.html": "run_args",
        "licence.html": "MIT License",
        "changelog.html": superspike_brian.__version__,
    }
    for page, text in pages.items():
        html = (site / page).read_text()
        assert text in html, page
    # The README's links to other pages lead to this site's pages.
    guide = (site / "guide.html").read_text()
    for target in ("model.html", "discrete_time.html", "run_directories.html", "cluster.html"):
        assert f'href="{target}' in guide, target


def test_every_public_name_is_documented_where_it_is_defined(site):
    generated = "".join(p.read_text() for p in (site / "api/generated").glob("*.html"))
    for name, module in superspike_brian._EXPORTS.items():
        assert f'id="{module}.{name}"' in generated, name
        assert f"{module}.html#{module}.{name}" in (site / "api.html").read_text(), name


def test_a_broken_link_or_python_block_fails_the_build(tmp_path):
    """The build's checks on a page of its own: a link to a missing page, and a
    python code block that does not parse (as a recipe for SLURM could)."""
    source = tmp_path / "docs"
    source.mkdir()
    shutil.copy(DOCS / "conf.py", source)
    shutil.copytree(DOCS / "_templates", source / "_templates")
    (source / "index.md").write_text("# Broken\n\n```{toctree}\npage\n```\n")
    (source / "page.md").write_text(
        "# Page\n\nSee [the model](no_such_page.md).\n\n"
        "```python\ncluster = SLURMCluster(cores=1\nprint(cluster)\n```\n"
    )
    built = _sphinx(source, tmp_path / "html", tmp_path)
    assert built.returncode != 0
    assert "no_such_page" in built.stderr
    assert re.search(r"page.md:\d+: WARNING: python code block does not parse", built.stderr)


# ------------------------------------------------------------------ version, licence


def test_the_version_has_one_source():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["version"] == "attr: superspike_brian.__version__"
    version = superspike_brian.__version__
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf"^version: {re.escape(version)}$", citation, re.M)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(version)} - \d{{4}}-\d\d-\d\d$", changelog, re.M)
    # Reading the version imports neither Brian2 nor anything else heavy.
    code = "import sys, superspike_brian as s; print(s.__version__, 'brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [version, "False"]


def test_licence_citation_and_conda_environment():
    yaml = pytest.importorskip("yaml", reason="PyYAML is absent")
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "superspike-brian developers" in (ROOT / "LICENSE").read_text()
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0" and citation["license"] == "MIT"
    (paper,) = citation["references"]
    assert paper["doi"] == "10.1162/neco_a_01086"
    assert (paper["journal"], paper["volume"], paper["start"], paper["end"]) == (
        "Neural Computation",
        30,
        1514,
        1541,
    )
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.12" in env["dependencies"]
    (pip,) = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip == ["-e .[test]"]
    readme = (ROOT / "README.md").read_text()
    assert readme.splitlines()[3:5] == [
        "make run     # set up Python 3.12 + Brian2 in .venv (once), train the single neuron"
        " of Fig 2 over 5 seeds",
        "make test    # set up the same environment (once) and run the test suite",
    ]
    assert "## Licence" in readme and "GPLv3" in readme
