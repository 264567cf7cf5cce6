"""The grading policy: data in ``graders/policy.toml`` that an instructor edits."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .casebank import read_toml
from ..errors import DataError, Problem
from ..paths import graders_dir
from .schema import Policy

POLICY_FILE = "policy.toml"


def policy_path() -> Path:
    return graders_dir() / POLICY_FILE


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate the policy; a missing section takes the default of PRODUCT.md."""
    path = Path(path) if path is not None else policy_path()
    data = read_toml(path, "policy file")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise DataError(
            [Problem(path, None, ".".join(map(str, e["loc"])) or None, e["msg"]) for e in exc.errors()]
        ) from None
