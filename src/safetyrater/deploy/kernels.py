"""Kernels for the course's pages: a small pool of warm kernels, and no kernel left behind.

A page of the app (and a notebook in JupyterLab) needs a Python kernel that has
imported ipywidgets, pandas and the package before its first card can show; a
cold kernel spends seconds on that. :class:`WarmKernelManager` is Jupyter
Server's own kernel manager with a pool of ``pool_size`` kernels that are
started and warmed (:func:`safetyrater.deploy.warm.warm_up`) before anyone asks.
A page takes one: the kernel moves to the page's folder and takes the page's
environment (:func:`safetyrater.deploy.warm.adopt`), and a replacement starts a
moment later. Any notebook gets a warm kernel, so the pool stays small.

Why not Voilà's own ``preheat_kernel``: it exists only in the standalone
``voila`` server (not the server extension JupyterLab uses), keeps a pool per
notebook (two dozen pages, two dozen idle kernels) and runs each page ahead of
time, so a reopened page would show the answers saved when it was prepared,
not the ones saved since.

Kernels whose page is gone are shut down by the page itself (Voilà's
``beforeunload`` request, which needs the XSRF cookie :func:`set_xsrf_cookie`
hands out) and, for a page that could not say goodbye (a crash, a killed
browser), by Jupyter's culler (``MappingKernelManager.cull_idle_timeout``,
``cull_connected = false``: only kernels no page is connected to). Pool
kernels are never culled.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from tornado import web
from tornado.ioloop import IOLoop
from traitlets import Float, Integer

#: what a pool kernel runs once started, and what a page's kernel runs when taken
WARM_UP_CODE = "from safetyrater.deploy.warm import warm_up as _sr_warm_up\n_sr_warm_up()\ndel _sr_warm_up"
ADOPT_CODE = "from safetyrater.deploy.warm import adopt as _sr_adopt\n_sr_adopt({cwd!r}, {env!r})\ndel _sr_adopt"
EXECUTE_TIMEOUT = 120.0


class WarmKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager with a pool of warm Python kernels that any page may take."""

    pool_size = Integer(2, config=True, help="Warm kernels kept ready for the next page (0: none).")
    fill_delay = Float(
        2.0, config=True, help="Seconds to wait after a page takes a kernel before starting its replacement (the page renders first)."
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._pool: list[asyncio.Task[str | None]] = []
        self._pool_ids: set[str] = set()
        self._fill_handle: asyncio.TimerHandle | None = None
        # the pool fills once the server's event loop runs
        IOLoop.current().add_callback(self.fill_pool)

    # -- the pool ---------------------------------------------------------------------
    def fill_pool(self) -> None:
        """Start warm kernels until the pool holds ``pool_size`` (started or starting)."""
        self._fill_handle = None
        self._pool = [task for task in self._pool if not task.done() or self._usable(task)]
        for _ in range(max(self.pool_size - len(self._pool), 0)):
            self._pool.append(asyncio.ensure_future(self._start_warm()))

    def _schedule_fill(self) -> None:
        if self._fill_handle is None:
            self._fill_handle = asyncio.get_event_loop().call_later(self.fill_delay, self.fill_pool)

    def _usable(self, task: asyncio.Task[str | None]) -> bool:
        if task.cancelled() or task.exception() is not None:
            return False
        kernel_id = task.result()
        return kernel_id is not None and kernel_id in self

    async def _start_warm(self) -> str | None:
        kernel_id: str = await super().start_kernel(kernel_name=self.default_kernel_name, path=ApiPath(""))
        self._pool_ids.add(kernel_id)
        if not await self._execute(kernel_id, WARM_UP_CODE):
            self.log.warning("Warm kernel %s could not warm up; it is shut down", kernel_id)
            self._pool_ids.discard(kernel_id)
            await super().shutdown_kernel(kernel_id)  # type: ignore[no-untyped-call]
            return None
        self.log.info("Warm kernel %s is ready for the next page", kernel_id)
        return kernel_id

    async def _take(self) -> str | None:
        """A warm kernel from the pool (a ready one first, else waiting for one that is starting), or None."""
        while self._pool:
            ready = [task for task in self._pool if task.done()]
            task = ready[0] if ready else self._pool[0]
            self._pool.remove(task)
            try:
                kernel_id = await task
            except Exception:  # a kernel that failed to start: try the next one
                continue
            if kernel_id is not None and kernel_id in self:
                self._pool_ids.discard(kernel_id)
                return kernel_id
        return None

    async def _execute(self, kernel_id: str, code: str) -> bool:
        """Run ``code`` in a kernel and wait for its reply; False when it failed."""
        client = self.get_kernel(kernel_id).client()
        client.start_channels()
        try:
            await ensure_async(client.wait_for_ready(timeout=EXECUTE_TIMEOUT))
            msg_id = client.execute(code, silent=True, store_history=False)
            while True:
                reply = await ensure_async(client.get_shell_msg(timeout=EXECUTE_TIMEOUT))
                if reply["parent_header"].get("msg_id") == msg_id:
                    content = reply["content"]
                    if content.get("status") != "ok":
                        self.log.warning("Kernel %s: set-up code failed: %s: %s", kernel_id, content.get("ename"), content.get("evalue"))
                    return bool(content.get("status") == "ok")
        except Exception as exc:  # a dead or stuck kernel
            self.log.warning("Kernel %s did not run its set-up code: %s", kernel_id, exc)
            return False
        finally:
            client.stop_channels()

    # -- what Jupyter Server and Voilà call ---------------------------------------------------
    async def start_kernel(  # type: ignore[override]  # Jupyter Server's own start_kernel is async too
        self, *, kernel_id: str | None = None, path: ApiPath | None = None, **kwargs: Any
    ) -> str:
        """A warm kernel moved to the page's folder and environment when one is ready, else a new one."""
        wanted = kwargs.get("kernel_name") or self.default_kernel_name
        if kernel_id is None and self.pool_size > 0 and wanted == self.default_kernel_name:
            taken = await self._take()
            self._schedule_fill()
            if taken is not None:
                cwd = self.cwd_for_path(path) if path is not None else self.root_dir  # type: ignore[no-untyped-call]
                # Voilà's keys are StrEnum members: plain strings travel as Python literals
                env = {str(k): str(v) for k, v in (kwargs.get("env") or {}).items() if os.environ.get(k) != v}
                kernel = self.get_kernel(taken)
                # a restart (JupyterLab's "Restart Kernel") starts again from these, in the page's folder
                launch_args = getattr(kernel, "_launch_args", None)
                if isinstance(launch_args, dict):
                    launch_args["cwd"] = cwd
                    launch_args["env"] = {**launch_args.get("env", os.environ), **env}
                if await self._execute(taken, ADOPT_CODE.format(cwd=cwd, env=env)):
                    self.log.info("Page %s took warm kernel %s", path, taken)
                    return taken
                await self.shutdown_kernel(taken)
        started: str = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        return started

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Cull as Jupyter does, except the pool's kernels, which wait for a page on purpose."""
        if kernel_id in self._pool_ids:
            return
        await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        self._pool_ids.discard(kernel_id)
        await super().shutdown_kernel(kernel_id, now=now, restart=restart)  # type: ignore[no-untyped-call]

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        if self._fill_handle is not None:
            self._fill_handle.cancel()
        for task in self._pool:
            task.cancel()
        self._pool = []
        await super().shutdown_all(now=now)

    def list_kernels(self) -> list[dict[str, Any]]:
        """Jupyter Server's list, leaving out a kernel that is still starting.

        jupyter_client records a new kernel a moment before Jupyter Server gives it
        its activity fields; a listing in between failed with AttributeError (500 on
        ``/api/kernels``). The pool starts kernels in the background, so that moment
        comes often here.
        """
        models = []
        for kernel_id in self.list_kernel_ids():
            try:
                models.append(self.kernel_model(kernel_id))  # type: ignore[no-untyped-call]
            except (KeyError, AttributeError, web.HTTPError):
                continue  # gone, or not yet fully started
        return models

    def pool_kernels(self) -> list[str]:
        """The ids of the warm kernels waiting for a page."""
        return sorted(self._pool_ids)


def set_xsrf_cookie(handler: Any, notebook: Any = None, cwd: Any = None) -> None:
    """Voilà's ``prelaunch_hook``: give the page Jupyter's ``_xsrf`` cookie.

    When a learner leaves a page, Voilà's page asks the server to shut its kernel
    down (``POST /voila/api/shutdown/<kernel>``) and sends the ``_xsrf`` cookie's
    value as proof that the request comes from the page itself. Voilà's page
    handler never sets that cookie, so the server refused the request (403, voila
    issue #1458) and every page view left a kernel running. Reading tornado's
    ``xsrf_token`` sets the cookie on this response, before any of the page is sent.
    """
    handler.xsrf_token  # noqa: B018  (reading it sets the cookie)
