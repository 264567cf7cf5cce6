"""The grading policy: data in ``graders/policy.toml`` that an instructor edits."""

from __future__ import annotations

from pathlib import Path

from ..io import read_toml_model
from ..paths import graders_dir
from .schema import Policy

POLICY_FILE = "policy.toml"


def policy_path(root: Path | None = None) -> Path:
    """``graders/policy.toml`` of the course at ``root`` (default: this course)."""
    return graders_dir(root) / POLICY_FILE


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate the policy; a missing section takes the default of PRODUCT.md."""
    # the policy's problems name the section and field, not a line
    return read_toml_model(Path(path) if path is not None else policy_path(), Policy, "policy file", locate=lambda text, loc: None)
