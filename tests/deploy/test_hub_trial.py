"""Does the trial hub leave alone what it did not make?"""

from __future__ import annotations

import json

import pytest


def test_a_trial_refuses_to_take_over_an_existing_account(tmp_path):
    """An account the trial did not create keeps its password: no chpasswd, a clear error instead."""
    from safetyrater.deploy.hub import HubError, Trial, _create_accounts

    trial = Trial(tmp_path, instructor="root", learners=())
    trial.state_dir.mkdir()
    with pytest.raises(HubError, match="'root' already exists and was not made by this trial"):
        _create_accounts(trial)
    assert not trial.passwords_path.exists()


def test_removing_a_trial_deletes_only_the_accounts_it_recorded(tmp_path, monkeypatch):
    from safetyrater.deploy import hub

    trial = hub.Trial(tmp_path / "trial")
    trial.state_dir.mkdir(parents=True)
    trial.accounts_path.write_text(json.dumps(["srt-gone-already"]))
    deleted = []
    monkeypatch.setattr(hub, "require_root", lambda: None)
    monkeypatch.setattr(hub.subprocess, "run", lambda command, **kwargs: deleted.append(command))
    assert hub.remove(trial.folder) == []  # the recorded account no longer exists: nothing to delete
    assert deleted == [] and not trial.folder.exists()


def test_a_folder_under_a_private_one_is_out_of_reach():
    """pytest's own temporary folders are private, so this one is made in the system's."""
    import shutil
    import tempfile
    from pathlib import Path

    from safetyrater.deploy.hub import runnable_by_everyone

    top = Path(tempfile.mkdtemp(prefix="safetyrater-reach-"))
    try:
        top.chmod(0o755)
        inside = top / "private" / "inside"
        inside.mkdir(parents=True)
        assert runnable_by_everyone(inside)
        (top / "private").chmod(0o700)
        assert not runnable_by_everyone(inside)
    finally:
        shutil.rmtree(top)
