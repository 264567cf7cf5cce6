"""How fast does a lesson page show a usable first card in the app, and how many kernels stay alive? (A benchmark, not a test.)

Starts the app (``safetyrater start``) over a temporary copy of the course,
opens every lesson one after another in headless Chromium (as a learner clicks
"Next"), and for each page prints the seconds from the link to the first card
whose buttons answer (a rating button enabled on screen) and the kernels alive
on the server. Then the median and the kernel count after the last page.

    .venv/bin/python benchmarks/page_speed.py [--rounds 2] [--lessons 01,02,03] [--dwell 15]

``--dwell`` is the time spent on each page before the next: 0 clicks straight
through (the pool of warm kernels cannot keep up: every other page waits for a
kernel still warming); a learner reading a lesson for 15 s or more meets a warm one.

The first round may meet a cold pool (kernels still warming); later rounds show
what a learner meets after the first minute. Quote ``uptime``'s load with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.error
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.harness import CourseServer, course_copy, launch_chromium, running  # noqa: E402

#: the first case is usable when its buttons are on screen and enabled (the kernel answers them): the card's,
#: or "Show this case" in front of a case with a content warning; lesson 10 shows its Start form
USABLE = ".sr-task .jupyter-button:not([disabled]), .sr-card .jupyter-button:not([disabled]), .sr-start-form button"


def kernel_count(server: CourseServer) -> int:
    """Kernels alive on the server (the list is asked again if the server fails to answer once)."""
    for attempt in range(3):
        try:
            return len(json.loads(server.get("/api/kernels")[1]))
        except urllib.error.HTTPError:
            if attempt == 2:
                print(server.log()[-3000:], file=sys.stderr)
                raise
            time.sleep(1)
    return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lessons", default="", help="comma-separated lesson numbers (default: every lesson with a deck)")
    parser.add_argument(
        "--dwell", type=float, default=0.0,
        help="seconds spent on each page before the next, as a learner reads (default 0: click straight through, the worst case)",
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    wanted = {n.strip() for n in args.lessons.split(",") if n.strip()}
    lessons = sorted(p.name for p in (REPO / "course").glob("[0-9][0-9]-*.ipynb") if not p.name.startswith("00"))
    lessons = [name for name in lessons if not wanted or name[:2] in wanted]
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="sr-page-speed-") as tmp:
        root = course_copy(Path(tmp) / "course-root")
        with running(CourseServer(root, Path(tmp) / "server")) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url("/"))  # the start page, as a learner arrives
            page.locator(".sr-nav").first.wait_for(timeout=120_000)
            for round_number in range(1, args.rounds + 1):
                for name in lessons:
                    began = time.perf_counter()
                    page.goto(server.url(f"/voila/render/course/{name}"))
                    page.locator(USABLE).first.wait_for(state="visible", timeout=120_000)
                    seconds = time.perf_counter() - began
                    alive = kernel_count(server)
                    times.append(seconds)
                    print(f"round {round_number}  {name:<40} {seconds:5.2f} s to a usable first card  {alive} kernels alive")
                    time.sleep(args.dwell)
            page.goto("about:blank")
            time.sleep(3)  # the last page's goodbye reaches the server
            left = kernel_count(server)
            browser.close()
    print(f"dwell {args.dwell:g} s per page")
    print(f"median {statistics.median(times):.2f} s, fastest {min(times):.2f} s, slowest {max(times):.2f} s over {len(times)} page views")
    print(f"kernels alive after leaving the last page: {left} (the warm pool)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
