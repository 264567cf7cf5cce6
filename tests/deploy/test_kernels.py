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


def test_a_page_takes_a_ready_warm_kernel_before_one_still_starting(tmp_path):
    """Two pool kernels, the older still warming: does the page get the ready one at once instead of waiting?"""
    import asyncio

    async def scenario() -> tuple[str | None, bool]:
        manager = WarmKernelManager(root_dir=str(tmp_path), pool_size=0)
        manager._kernels["ready-kernel"] = types.SimpleNamespace(kernel_name="python3")
        loop = asyncio.get_running_loop()
        warming: asyncio.Future[str | None] = loop.create_future()
        ready: asyncio.Future[str | None] = loop.create_future()
        ready.set_result("ready-kernel")
        manager._pool = [warming, ready]
        taken = await asyncio.wait_for(manager._take(), timeout=5)
        return taken, manager._pool == [warming]

    assert asyncio.run(scenario()) == ("ready-kernel", True)
