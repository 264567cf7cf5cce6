"""Does `safetyrater start` serve the course at its start page?"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_start_lab_serves_the_start_page(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_TOKEN="test-token")
    server = subprocess.Popen(
        [sys.executable, "-m", "safetyrater", "start", "--lab", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token=test-token", timeout=2) as response:
                    assert json.load(response)["started"]
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start in 60 s"
                time.sleep(0.25)
        url = f"{base}/api/contents/course/00-start-here.ipynb?content=0&token=test-token"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.load(response)["type"] == "notebook"
        # the server's front door leads to the start page
        with urllib.request.urlopen(f"{base}/?token=test-token", timeout=10) as response:
            assert response.url.split("?")[0] == f"{base}/lab/tree/course/00-start-here.ipynb"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server.stdout.close()
