"""What a warm kernel runs: the imports every page needs, then the page's folder and environment.

:class:`safetyrater.deploy.kernels.WarmKernelManager` runs :func:`warm_up` in
each pool kernel as soon as it starts, so the libraries a page needs are loaded
before any page asks, and :func:`adopt` when a page takes the kernel.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

#: the modules a lesson, exercise, start page or assessment imports when it shows its cards
PAGE_MODULES = (
    "ipywidgets",
    "pandas",
    "safetyrater.widgets.deck",
    "safetyrater.widgets.navigation",
    "safetyrater.widgets.progress",
    "safetyrater.grading.core",
    "safetyrater.assessment.ui",
)


def warm_up(modules: tuple[str, ...] = PAGE_MODULES) -> None:
    """Import what the pages use and read what every card reads, so a page's first card waits for neither."""
    for name in modules:
        importlib.import_module(name)
    preload()


def preload() -> None:
    """Check the case bank, compile the feedback rubric and build the Markdown renderer once, in advance.

    Each is kept until its files change, so a page that adopts this kernel reuses them. A
    problem is left for the page to report in its own words (the page loads them again)."""
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.errors import DataError
    from safetyrater.feedback.rubric import load_rubric
    from safetyrater.widgets.html import render_markdown

    render_markdown("")
    for load in (CaseBank.load, load_rubric):
        try:
            load()
        except (DataError, OSError):
            pass


def adopt(cwd: str, env: Mapping[str, str]) -> None:
    """Take on the page's folder (answer files save beside its notebook) and its environment (which page it is)."""
    os.chdir(cwd)
    os.environ.update(env)
