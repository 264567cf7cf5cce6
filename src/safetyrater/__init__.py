"""safetyrater: a Jupyter course kit that trains AI-safety evaluators.

This module is the notebook API: the one-line calls lesson notebooks make
(``from safetyrater import show_deck``). The package below it is the one
implementation that lesson notebooks, nbgrader's grade cells and the
``safetyrater`` command share; ``docs/architecture.md`` says where each part lives.

Importing it stays light: each call imports what it needs (pandas, ipywidgets
and pydantic load only then), so a lesson's first cell answers at once.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "classifier_agreement",
    "module_nav",
    "refusal_rates_table",
    "show_deck",
    "show_dimensions",
    "show_labelling_deck",
    "show_probe_designer",
    "show_probe_gallery",
    "show_progress",
    "show_questions",
    "show_taxonomy",
    "show_weak_spots",
    "start_assessment",
]

# Each function imports its module when called (start-up speed: see the module docstring).


def show_deck(deck_id: str, **kwargs: Any) -> Any:
    """Show the cards of a lesson or exercise deck (see :mod:`safetyrater.widgets.deck`)."""
    from .widgets.deck import show_deck as show

    return show(deck_id, **kwargs)


def module_nav(current: str | None = None, **kwargs: Any) -> Any:
    """Links to the previous and next module (see :mod:`safetyrater.widgets.navigation`)."""
    from .widgets.navigation import module_nav as nav

    return nav(current, **kwargs)


def show_progress(root: Any = None) -> Any:
    """The start page's progress table (see :mod:`safetyrater.widgets.progress`)."""
    from .widgets.progress import show_progress as show

    return show(root)


def show_questions(set_name: str, **kwargs: Any) -> Any:
    """A lesson's check questions, with instant answers (see :mod:`safetyrater.widgets.questions`)."""
    from .widgets.questions import show_questions as show

    return show(set_name, **kwargs)
def show_weak_spots(folder: Any = None) -> Any:
    """Practice on your weak spots: a deck chosen from your own mistakes (see :mod:`safetyrater.practice.ui`)."""
    from .practice.ui import show_weak_spots as show

    return show(folder)


def show_taxonomy(ids: list[str] | None = None) -> Any:
    """The risk areas as a table (see :mod:`safetyrater.widgets.taxonomy`)."""
    from .widgets.taxonomy import show_taxonomy as show

    return show(ids)


def show_dimensions(path: Any = None) -> Any:
    """The dimensions of a multi-dimension rating and their levels (see :mod:`safetyrater.widgets.dimensions`)."""
    from .widgets.dimensions import show_dimensions as show

    return show(path)


def show_labelling_deck(n: int = 12, seed: int = 0, folder: Any = None) -> Any:
    """Cards to label real XSTest responses, then compare (see :mod:`safetyrater.xstest.cards`)."""
    from .xstest.cards import show_labelling_deck as show

    return show(n, seed, folder)


def classifier_agreement(frame: Any = None) -> Any:
    """XSTest's classifiers against the human final label, as the lesson's table (see :mod:`safetyrater.xstest.agreement`)."""
    from .xstest.agreement import agreement_table

    return agreement_table(frame)


def refusal_rates_table(by: str = "model") -> Any:
    """XSTest's refusal rates as a lesson table (see :mod:`safetyrater.xstest.rates`)."""
    from .xstest.rates import refusal_rates_table as table

    return table(by)


def show_probe_designer(exercise_id: str, folder: Any = None) -> Any:
    """The pair cards of a probe exercise (see :mod:`safetyrater.probes.designer`)."""
    from .probes.designer import show_probe_designer as show

    return show(exercise_id, folder)


def show_probe_gallery() -> Any:
    """The lesson's gallery of contrast pairs (see :mod:`safetyrater.probes.designer`)."""
    from .probes.designer import show_probe_gallery as show

    return show()


def start_assessment(cases: int | None = None, minutes: float | None = None, seed: int | None = None, **options: Any) -> Any:
    """A mock assessment: resume the open attempt or draw a new form (see :mod:`safetyrater.assessment.ui`)."""
    from .assessment.ui import start_assessment as start

    return start(cases, minutes, seed, **options)
