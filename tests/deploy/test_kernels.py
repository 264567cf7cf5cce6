"""Does the app's kernel manager list its kernels even while one is still starting?"""

from __future__ import annotations

import types

from safetyrater.deploy.kernels import WarmKernelManager


def test_a_kernel_still_starting_is_left_out_of_the_list_not_an_error(tmp_path):
    """jupyter_client records a kernel before Jupyter Server gives it its activity fields: does listing survive?"""
    manager = WarmKernelManager(root_dir=str(tmp_path), pool_size=0)
    starting = types.SimpleNamespace(kernel_name="python3")  # no last_activity or execution_state yet
    manager._kernels["starting"] = starting
    # Jupyter Server's own listing raises AttributeError here (a 500 on /api/kernels)
    assert manager.list_kernels() == []
