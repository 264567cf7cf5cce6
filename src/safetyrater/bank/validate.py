"""``safetyrater validate`` for the files beyond the case bank: dimensions and probes.

Recognised by name: ``dimensions.toml`` (checked with the policy's
per-dimension overrides), ``probe_rubric.toml``, and a probes folder's
``topics.toml`` and ``gallery.jsonl``. A datasets folder also has its
``probes/`` checked; with no paths at all, the course's own files are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import Problem

DIMENSIONS_FILE = "dimensions.toml"


def _is_probe_file(path: Path) -> bool:
    from ..probes.data import GALLERY_FILE, PROBES_DIR, RUBRIC_FILE, TOPICS_FILE

    return path.name == RUBRIC_FILE or (path.parent.name == PROBES_DIR and path.name in {TOPICS_FILE, GALLERY_FILE})


def split_extra_files(paths: Sequence[Path], default: bool = False) -> tuple[list[Problem], list[Path]]:
    """Problems of the dimension and probe files among ``paths``, and the paths left for the case-bank check."""
    from .dimensions import dimensions_path, validate_dimension_files
    from ..paths import datasets_dir
    from ..probes.data import GALLERY_FILE, probes_dir, rubric_path, TOPICS_FILE, validate_probe_files

    dimension_files = [p for p in paths if p.name == DIMENSIONS_FILE]
    probe_files = [p for p in paths if _is_probe_file(p)]
    left = [p for p in paths if p not in dimension_files and p not in probe_files]
    for folder in (p for p in left if p.is_dir()):
        probes = probes_dir(folder)
        probe_files += [f for f in (probes / TOPICS_FILE, probes / GALLERY_FILE) if f.exists()]
    if default:
        dimension_files.append(dimensions_path())
        probes = probes_dir(datasets_dir())
        probe_files += [probes / TOPICS_FILE, probes / GALLERY_FILE, rubric_path()]
    problems = validate_dimension_files(dimension_files) + validate_probe_files(list(dict.fromkeys(probe_files)))
    return problems, left
