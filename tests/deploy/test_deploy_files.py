"""Do the deployment files hold together: the Helm values, the image and the hub's role settings?

Kubernetes and docker do not run where these tests run: this checks the files
as data (YAML, Python that compiles, paths that exist), not a cluster.
"""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from conftest import REPO

DEPLOY = REPO / "deploy"


def values() -> dict:
    return yaml.safe_load((DEPLOY / "k8s" / "values.yaml").read_text())


def test_helm_values_mount_one_shared_exchange_volume_where_nbgrader_looks():
    single = values()["singleuser"]
    claim = yaml.safe_load((DEPLOY / "k8s" / "exchange-pvc.yaml").read_text())
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    volume = next(v for v in single["storage"]["extraVolumes"] if v["name"] == "nbgrader-exchange")
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    mount = next(m for m in single["storage"]["extraVolumeMounts"] if m["name"] == "nbgrader-exchange")
    assert single["extraEnv"]["SAFETYRATER_EXCHANGE"] == mount["mountPath"]
    init = next(c for c in single["initContainers"] if c["name"] == "exchange-permissions")
    assert f"chmod 1777 {mount['mountPath']}" in " ".join(init["command"])


def test_helm_values_give_every_person_their_own_uid_and_the_instructor_the_course():
    config = values()["hub"]["extraConfig"]["safetyrater"]
    compile(config, "hub.extraConfig.safetyrater", "exec")
    assert "spawner.uid = uid" in config and "spawner.gid = uid" in config
    for role in re.findall(r"/opt/safetyrater/jupyter/(\w+)", config):
        assert (DEPLOY / "hub" / "jupyter" / role / "nbgrader_config.py").exists(), role


def test_helm_values_set_resources_for_each_learner():
    single = values()["singleuser"]
    assert single["memory"]["guarantee"] and single["memory"]["limit"]
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]


def test_image_is_built_from_the_project_without_the_course_itself():
    dockerfile = (DEPLOY / "k8s" / "Dockerfile").read_text()
    assert "safetyrater hub kit /opt/safetyrater/kit" in dockerfile
    assert "rm -rf /tmp/safetyrater" in dockerfile
    assert "JUPYTER_CONFIG_PATH=/opt/safetyrater/jupyter/learner" in dockerfile
    exchange = values()["singleuser"]["extraEnv"]["SAFETYRATER_EXCHANGE"]
    assert f"SAFETYRATER_EXCHANGE={exchange}" in dockerfile
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".venv", "graders/cohort", "deploy/hub/env"} <= set(ignored)
    subprocess.run(["sh", "-n", str(DEPLOY / "k8s" / "entrypoint.sh")], check=True)


def test_learners_role_turns_off_nbgrader_instructor_tools():
    learner = DEPLOY / "hub" / "jupyter" / "learner"
    server = json.loads((learner / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert server == {"nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False}
    lab = json.loads((learner / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"} <= set(lab)
    assert "PrivateExchangeSubmit" in (learner / "nbgrader_config.py").read_text()


def test_proxy_version_is_locked():
    package = json.loads((DEPLOY / "hub" / "node" / "package.json").read_text())
    lock = json.loads((DEPLOY / "hub" / "node" / "package-lock.json").read_text())
    assert package["dependencies"]["configurable-http-proxy"].startswith("^5.")
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"].startswith("5.")
