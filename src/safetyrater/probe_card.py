"""The import path of the probe designer in released probe exercises (``ex12-designing-probes``).

Their designer cell reads ``from safetyrater.probe_card import show_probe_designer``;
the designer lives in :mod:`safetyrater.probes.designer`.
"""

from __future__ import annotations

from .probes.designer import show_probe_designer

__all__ = ["show_probe_designer"]
