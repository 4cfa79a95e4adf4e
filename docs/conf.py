"""Sphinx configuration of the superspike-brian documentation site.

Build (warnings are errors, so that a broken link or reference fails)::

    make docs        # sphinx-build -W --keep-going -b html docs docs/_build/html

The pages are the markdown files of ``docs/`` (MyST), the README as the user guide
(included, not copied), the model scripts' docstrings as examples and an API
reference generated from the numpydoc docstrings. Notebooks under
``docs/tutorials/`` become pages too (myst-nb, never executed by the build).
"""

import ast
import re
import sys
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util import logging

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))  # the model scripts, documented as examples

import superspike_brian  # noqa: E402

project = "superspike-brian"
author = "superspike-brian developers"
copyright = "2026, superspike-brian developers"
release = version = superspike_brian.__version__

extensions = [
    "myst_nb",  # markdown pages (MyST) and notebooks
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "api/generated/*.md", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# MyST: $...$ and $$...$$ math, "#" anchors up to level 3 (links such as
# model.md#scaling-and-the-reference-implementation).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Tutorials are notebooks stored with their outputs; building the docs never
# runs a simulation.
nb_execution_mode = "off"

autosummary_generate = True
templates_path = ["_templates"]
# A package's page shows its docstring and its modules; each object is documented
# in the module that defines it (a package re-exporting a function named like one
# of its modules, as superspike_brian.reproduce does, would be documented twice).
# Left out: superspike_brian.engines.base, whose docstring holds a table with a
# column too narrow for its text (a docutils error); put it back once that is fixed.
autosummary_context = {"skip": ["superspike_brian.engines.base"]}
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# numpydoc renames the citations of a References section; docstrings that cite
# them as plain text ("[P]") leave them unreferenced, which is no broken link.
suppress_warnings = ["ref.citation"]

html_theme = "alabaster"
html_title = f"superspike-brian {release}"
html_static_path = []

# ------------------------------------------------------------------ the README as a page

#: Repository files outside docs/ that README.md and runs/README.md link to, and the
#: page of this site that shows them.
PAGES = {
    "runs/README.md": "run_directories.md",
    "CHANGELOG.md": "changelog.md",
    "LICENSE": "licence.md",
    "CITATION.cff": "licence.md",
}
_LINK = re.compile(r"\[([^\]]*)\]\((?!https?:|#)([^)#\s]+)(#[^)\s]*)?\)")


def _relink(text, source):
    """Links of a file included from outside docs/, made to work from docs/.

    ``docs/X`` becomes ``X``; a file that has a page here links to that page; any
    other existing repository file (a benchmark result, say) is named as code,
    since the site does not serve it. A link to a missing file is left as it is,
    so that the build reports it.
    """
    base = source.parent

    def fix(match):
        text, target, anchor = match.group(1), match.group(2), match.group(3) or ""
        path = (base / target).resolve()
        try:
            rel = path.relative_to(ROOT).as_posix()
        except ValueError:
            return match.group(0)
        if rel.startswith("docs/"):
            return f"[{text}]({Path(rel).relative_to('docs').as_posix()}{anchor})"
        if rel in PAGES:
            return f"[{text}]({PAGES[rel]}{anchor})"
        if path.exists():
            return f"`{rel}`" if text.strip("`") == rel else f"{text} (`{rel}`)"
        return match.group(0)

    return _LINK.sub(fix, text)


def _include_read(app, relative_path, parent_docname, content):
    path = (ROOT / "docs" / relative_path).resolve()
    if path.suffix == ".md" and ROOT / "docs" not in path.parents:
        content[0] = _relink(content[0], path)


# ------------------------------------------------------------------ public names


class PublicNames(Directive):
    """A table of the names ``superspike_brian`` exports (``_EXPORTS``), linked to
    their documentation in the module that defines each."""

    def run(self):
        lines = [".. autosummary::", ""]
        for name, module in superspike_brian._EXPORTS.items():
            lines.append(f"   ~{module}.{name}")
        self.state_machine.insert_input(StringList(lines, "superspike_brian._EXPORTS"), "")
        return []


# ------------------------------------------------------------------ code checked


def _check_python_blocks(app, doctree):
    """Every ``python`` code block of a page must be valid Python (a warning, so an
    error with -W): recipes that cannot run here (dask-jobqueue on SLURM) are
    checked for syntax at least."""
    logger = logging.getLogger(__name__)
    for block in doctree.findall(nodes.literal_block):
        if block.get("language") not in ("python", "python3", "py"):
            continue
        try:
            ast.parse(block.astext())
        except SyntaxError as exc:
            logger.warning(
                f"python code block does not parse: {exc.msg} (line {exc.lineno})",
                location=block,
            )


def setup(app):
    app.connect("include-read", _include_read)
    app.connect("doctree-read", _check_python_blocks)
    app.add_directive("superspike-public-names", PublicNames)
    return {"parallel_read_safe": True}
