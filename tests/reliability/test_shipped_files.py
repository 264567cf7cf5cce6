"""Does anything that ships (the wheel: the package and the README as its METADATA) name a pool case?

Pool cases are the mock assessment's; an id beside a rating in a docstring or an
example tells an applicant the reference of that case.
"""

from __future__ import annotations

import json
import re

from conftest import REPO

#: the shape of a pool case's id (``pool-crm-004``); examples use ``pool-case-a``
POOL_ID = re.compile(r"\bpool-[a-z]+-\d+\b")


def _shipped_text_files():
    yield REPO / "README.md"  # hatchling puts it in the wheel's METADATA
    for path in sorted((REPO / "src" / "safetyrater").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def test_no_pool_case_id_appears_in_anything_that_ships():
    """Every real pool id, and anything shaped like one, searched for in the package and the README."""
    real_ids = set()
    for bank_file in (REPO / "datasets" / "pool").glob("*.jsonl"):
        for line in bank_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                real_ids.add(json.loads(line)["id"])
    assert len(real_ids) > 50
    found = []
    for path in _shipped_text_files():
        text = path.read_bytes().decode("utf-8", errors="replace")
        names = set(POOL_ID.findall(text)) | {case_id for case_id in real_ids if case_id in text}
        found += [f"{path.relative_to(REPO)}: {name}" for name in sorted(names)]
    assert found == []
