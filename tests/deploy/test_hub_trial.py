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
    (trial.folder / hub.TRIAL_MARKER).write_text("")
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


def test_hub_remove_refuses_a_folder_it_did_not_make(tmp_path):
    """`hub remove --trial-dir` on an ordinary folder (no trial marker), or a link to a trial: one line, nothing deleted?"""
    from safetyrater.cli import main
    from safetyrater.deploy import hub

    ordinary = tmp_path / "thesis"
    (ordinary / "hub").mkdir(parents=True)
    (ordinary / "chapter1.md").write_text("years of work")
    trial = tmp_path / "trial"
    trial.mkdir()
    (trial / hub.TRIAL_MARKER).write_text("")
    (tmp_path / "link").symlink_to(trial)
    for folder in (ordinary, tmp_path / "link", tmp_path / "missing"):
        assert main(["hub", "remove", "--trial-dir", str(folder)]) == 1
    assert (ordinary / "chapter1.md").read_text() == "years of work" and (trial / hub.TRIAL_MARKER).exists()


def test_a_trial_folder_must_be_outside_the_checkout_and_new_or_a_trials(tmp_path, monkeypatch):
    """`hub up --trial-dir` inside the checkout (learners would need it reachable) or over a folder of files: refused?"""
    from safetyrater.deploy import hub
    from safetyrater.paths import project_root

    monkeypatch.setattr(hub, "require_root", lambda: None)
    monkeypatch.setattr(hub, "ensure_proxy", lambda: pytest.fail("got past the checks"))
    with pytest.raises(hub.HubError, match="inside the checkout"):
        hub.prepare(hub.Trial(project_root() / "deploy" / "hub" / "trial"))
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(hub.HubError, match="already holds files and was not made by"):
        hub.prepare(hub.Trial(tmp_path))
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / hub.TRIAL_MARKER).exists()


def test_the_hubs_environment_and_default_trial_live_outside_the_checkout():
    from safetyrater.deploy import hub
    from safetyrater.paths import project_root

    for folder in (hub.env_dir(), hub.default_trial_dir()):
        assert not hub.inside(folder, project_root()), folder
