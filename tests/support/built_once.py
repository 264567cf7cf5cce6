"""A slow fixture built once per test run and shared by pytest-xdist's workers.

The pattern pytest-xdist documents: the first worker to ask builds the tree in a
folder the workers share (the parent of each worker's base temp folder, unique to
the run) under a file lock; every worker then works on its own copy, so a test
that writes into the tree touches no other worker's. A build that failed part-way
is started again by the next worker that asks.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def built_once(
    tmp_path_factory: Any, name: str, build: Callable[[Path], dict[str, Any]], rewrite: Iterable[str] = ()
) -> tuple[Path, dict[str, Any]]:
    """This worker's copy of the tree ``build`` makes, and the record (JSON) it returned.

    ``build(folder)`` fills ``folder`` and returns what the tests need to know
    of it. In the copy and in the record, the build's folder is replaced by the
    copy's: in every string of the record and in the files ``rewrite`` names
    (relative paths of text files that hold the build's absolute path).
    """
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"built-once-{name}"
    record_file = shared / "record.json"
    with FileLock(f"{shared}.lock"):
        if not record_file.is_file():
            shutil.rmtree(shared, ignore_errors=True)  # what a failed build left
            (shared / "tree").mkdir(parents=True)
            record = build(shared / "tree")
            record_file.write_text(json.dumps({"built_in": str(shared / "tree"), "record": record}))
    saved = json.loads(record_file.read_text())
    own = tmp_path_factory.mktemp(name)
    shutil.copytree(shared / "tree", own, symlinks=True, dirs_exist_ok=True)
    built_in = saved["built_in"]
    for relative in rewrite:
        path = own / relative
        path.write_text(path.read_text().replace(built_in, str(own)))
    return own, _replaced(saved["record"], built_in, str(own))


def _replaced(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replaced(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, old, new) for key, item in value.items()}
    return value
