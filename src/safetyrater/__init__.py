"""safetyrater: a Jupyter course kit that trains AI-safety evaluators.

The package is the one implementation that lesson notebooks, nbgrader tests
and the ``safetyrater`` command share. Importing it stays light: pandas,
ipywidgets and pydantic load only when a function that needs them runs.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "module_nav", "show_deck"]


def show_deck(deck_id: str, **kwargs: Any) -> Any:
    """Show the cards of a lesson or exercise deck (see :mod:`safetyrater.cards`)."""
    from .cards import show_deck as _show_deck

    return _show_deck(deck_id, **kwargs)


def module_nav(current: str | None = None, **kwargs: Any) -> Any:
    """Links to the previous and next module (see :mod:`safetyrater.navigation`)."""
    from .navigation import module_nav as _module_nav

    return _module_nav(current, **kwargs)
