"""Is the slow shared nbgrader course built once per run however many xdist workers ask, each getting a copy of its own?"""

from __future__ import annotations

import json

from support.built_once import built_once


class WorkerTemp:
    """What pytest's tmp_path_factory gives one xdist worker: a base folder inside the run's folder."""

    def __init__(self, run, worker):
        self.base = run / worker
        self.base.mkdir(parents=True)
        self.made = 0

    def getbasetemp(self):
        return self.base

    def mktemp(self, name):
        self.made += 1
        folder = self.base / f"{name}{self.made}"
        folder.mkdir()
        return folder


def test_two_workers_share_one_build_and_write_only_into_their_own_copy(tmp_path):
    builds = []

    def build(folder):
        builds.append(folder)
        (folder / "course").mkdir()
        (folder / "course" / "nbgrader_config.py").write_text(f"c.CourseDirectory.root = {str(folder / 'course')!r}\n")
        return {"course": str(folder / "course"), "homes": {"alice": [str(folder / "home" / "alice"), ["--course=x"]]}}

    first, first_record = built_once(WorkerTemp(tmp_path, "gw0"), "course", build, rewrite=["course/nbgrader_config.py"])
    second, second_record = built_once(WorkerTemp(tmp_path, "gw1"), "course", build, rewrite=["course/nbgrader_config.py"])
    assert len(builds) == 1
    assert first != second
    for own, record in ((first, first_record), (second, second_record)):
        assert record["course"] == str(own / "course")
        assert record["homes"]["alice"] == [str(own / "home" / "alice"), ["--course=x"]]
        assert (own / "course" / "nbgrader_config.py").read_text() == f"c.CourseDirectory.root = {str(own / 'course')!r}\n"
    (first / "course" / "written.txt").write_text("only here")
    assert not (second / "course" / "written.txt").exists()


def test_a_build_that_failed_is_started_again_by_the_next_worker(tmp_path):
    def broken(folder):
        (folder / "half-built").write_text("")
        raise RuntimeError("nbgrader failed")

    try:
        built_once(WorkerTemp(tmp_path, "gw0"), "course", broken)
    except RuntimeError:
        pass
    own, record = built_once(WorkerTemp(tmp_path, "gw1"), "course", lambda folder: {"built": json.dumps(True)})
    assert record == {"built": "true"}
    assert not (own / "half-built").exists()
