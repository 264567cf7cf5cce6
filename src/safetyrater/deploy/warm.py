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
    # lesson 3 shows XSTest's classifier agreement (scikit-learn's kappa): five seconds to import, so a pool kernel does it
    "sklearn.metrics",
)


def warm_up(modules: tuple[str, ...] = PAGE_MODULES) -> None:
    """Import what the pages use, so a page's first card needs no import time."""
    for name in modules:
        importlib.import_module(name)


def adopt(cwd: str, env: Mapping[str, str]) -> None:
    """Take on the page's folder (answer files save beside its notebook) and its environment (which page it is)."""
    os.chdir(cwd)
    os.environ.update(env)
