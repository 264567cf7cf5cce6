"""Does `safetyrater start` set up JupyterLab for learners and instructors, and
the Voilà app, the way the README promises? (Without starting a server.)"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from safetyrater.cli import build_parser
from safetyrater.deploy.launch import CONFIG_ROOT, NO_EXCHANGE, build_launch, config_dir, disabled_plugins

INSTRUCTOR_PANELS = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"}
NEWS = "@jupyterlab/apputils-extension:announcements"
SHARE = Path(sys.prefix) / "share" / "jupyter"


def test_learners_get_no_instructor_panels_and_no_news():
    disabled = set(disabled_plugins("learner"))
    assert INSTRUCTOR_PANELS | {NEWS} <= disabled
    # the learner's own assignment list stays (hidden only when there is no exchange); Validate, which
    # checks code cells the exercises do not have, goes
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert "@jupyter/nbgrader:validate-assignment" in disabled


def test_instructors_keep_every_nbgrader_panel():
    disabled = set(disabled_plugins("instructor"))
    assert NEWS in disabled
    assert not INSTRUCTOR_PANELS & disabled


def test_the_disabled_plugins_exist_in_the_installed_jupyterlab_and_nbgrader():
    """A plugin renamed upstream would silently come back; its id must still be shipped."""
    shipped = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for folder in (SHARE / "labextensions" / "@jupyter" / "nbgrader" / "static", SHARE / "lab" / "static")
        for path in folder.glob("*.js")
    )
    for plugin in disabled_plugins("learner"):
        assert f'"{plugin}"' in shipped, plugin


def test_learner_lab_reads_its_config_first_and_keeps_the_users(tmp_path):
    launch = build_launch("learner", tmp_path, port=9999, open_browser=False, environ={"JUPYTER_CONFIG_PATH": "/etc/mine"})
    # no nbgrader exchange here: the Assignment List is hidden too
    assert launch.env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(config_dir("learner")), str(CONFIG_ROOT / NO_EXCHANGE), "/etc/mine"]
    assert launch.env["SAFETYRATER_ROOT"] == str(tmp_path)
    assert launch.command[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in launch.command
    assert "--LabApp.default_url=/lab/tree/course/00-start-here.ipynb" in launch.command
    assert {"--ServerApp.port=9999", "--ServerApp.ip=127.0.0.1", "--no-browser"} <= set(launch.command)


def test_learners_see_the_assignment_list_only_when_an_exchange_is_configured(tmp_path):
    """A course whose nbgrader_config.py names an existing exchange keeps the list; a missing one hides it (no three errors)."""
    exchange = tmp_path / "exchange"
    (tmp_path / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(exchange)!r}\n")
    hidden = build_launch("learner", tmp_path, environ={})
    assert str(CONFIG_ROOT / NO_EXCHANGE) in hidden.env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    exchange.mkdir()
    shown = build_launch("learner", tmp_path, environ={})
    assert str(CONFIG_ROOT / NO_EXCHANGE) not in shown.env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert "@jupyter/nbgrader:assignment-list" in (CONFIG_ROOT / NO_EXCHANGE / "labconfig" / "page_config.json").read_text()
    assert "@jupyter/nbgrader:validate-assignment" in disabled_plugins("learner")


def test_the_app_serves_the_course_through_voila_from_the_start_page(tmp_path):
    launch = build_launch("app", tmp_path, environ={})
    assert launch.command[1:3] == ["-m", "jupyter_server"]
    assert f"--ServerApp.root_dir={tmp_path}" in launch.command
    assert "--ServerApp.default_url=/voila/render/course/00-start-here.ipynb" in launch.command
    assert launch.cwd == tmp_path
    assert launch.env["JUPYTER_CONFIG_PATH"] == str(config_dir("app"))


def test_the_app_hides_code_and_tracebacks():
    voila = json.loads((config_dir("app") / "voila.json").read_text(encoding="utf-8"))["VoilaConfiguration"]
    assert voila["strip_sources"] is True
    assert voila["show_tracebacks"] is False
    assert "@jupyter/nbgrader" in voila["extension_denylist"]


@pytest.mark.parametrize("argv, mode", [([], "app"), (["--app"], "app"), (["--lab"], "learner"), (["--instructor"], "instructor")])
def test_start_flags_choose_the_mode(argv, mode, monkeypatch):
    chosen = {}

    def fake_build(mode_name, root, **kwargs):
        chosen["mode"] = mode_name
        raise SystemExit(0)

    monkeypatch.setattr("safetyrater.deploy.launch.build_launch", fake_build)
    args = build_parser().parse_args(["start", *argv])
    with pytest.raises(SystemExit):
        args.func(args)
    assert chosen["mode"] == mode


@pytest.mark.parametrize("flags", [["--app", "--instructor"], ["--app", "--lab"], ["--lab", "--instructor"]])
def test_two_modes_cannot_be_combined(flags, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["start", *flags])
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_app_keeps_a_small_pool_of_warm_kernels_and_culls_kernels_no_page_uses():
    """Is the app's kernel manager the warm pool, and does Jupyter's culler spare connected pages?"""
    server = json.loads((config_dir("app") / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert server["ServerApp"]["kernel_manager_class"] == "safetyrater.deploy.kernels.WarmKernelManager"
    assert 1 <= server["WarmKernelManager"]["pool_size"] <= 2
    culling = server["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0 and culling["cull_connected"] is False


def test_an_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown mode 'teacher'"):
        build_launch("teacher", tmp_path)


def test_the_app_renders_with_the_courses_own_voila_template_that_loads_no_cdn(tmp_path):
    """The template ``safetyrater`` is on the app's JUPYTER_PATH, selected by voila.json, and names no CDN."""
    from safetyrater.deploy.launch import DATA_ROOT

    launch = build_launch("app", tmp_path, environ={"JUPYTER_PATH": "/opt/mine"})
    assert launch.env["JUPYTER_PATH"].split(os.pathsep) == [str(DATA_ROOT), "/opt/mine"]
    voila = json.loads((config_dir("app") / "voila.json").read_text())
    assert voila["VoilaConfiguration"]["template"] == "safetyrater"
    template = (DATA_ROOT / "voila" / "templates" / "safetyrater" / "index.html.j2").read_text()
    assert "cdn" not in template.lower().replace("from a cdn", "")


def test_instructor_lab_runs_where_the_course_nbgrader_config_is_with_the_course_exchange(tmp_path):
    """nbgrader reads nbgrader_config.py from the working folder: is it graders/, and is the exchange the course's own?"""
    (tmp_path / "graders").mkdir()
    (tmp_path / "graders" / "nbgrader_config.py").write_text("c = get_config()\n")
    launch = build_launch("instructor", tmp_path, environ={})
    assert launch.cwd == tmp_path / "graders"
    assert f"--ServerApp.root_dir={tmp_path}" in launch.command  # the whole course stays browsable
    assert launch.env["SAFETYRATER_EXCHANGE"] == str(tmp_path / "graders" / "cohort" / "exchange")
    # an exchange the instructor named stays theirs
    assert build_launch("instructor", tmp_path, environ={"SAFETYRATER_EXCHANGE": "/srv/x"}).env["SAFETYRATER_EXCHANGE"] == "/srv/x"
    # learners' servers neither move nor get an exchange
    learner = build_launch("learner", tmp_path, environ={})
    assert learner.cwd == tmp_path and "SAFETYRATER_EXCHANGE" not in learner.env
