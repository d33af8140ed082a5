"""S2: one real Chromium page on the S1 dashboard.

For each update the page applies, the time from the data change on the server
to the point being in the ECharts instance (read from the instance's series
model, right after the ``setOption`` that put it there):

- our dashboard: on ``fpe:update`` (dispatched after the frame's setOption),
  the new raw data items ``[x, y, t_append]`` of each stream chart, and the
  ``T=`` subtext of each full chart;
- the classic page: on ``bench:update`` (its own code dispatches it after
  ``setOption``), the ``t`` of the point it pushed and the ``T=`` subtext.

Also long tasks (``PerformanceObserver('longtask')``: main-thread tasks over
50 ms) and dropped frames (``requestAnimationFrame`` gaps over 25 ms, counted
in 16.7 ms frames).
"""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

#: Injected before the page's scripts: records delays, long tasks and frames.
PROBE = (Path(__file__).parent / "probe.js").read_text()


def _percentiles(values: list[float]) -> dict[str, t.Any]:
    if not values:
        return {"p50": None, "p99": None, "max": None, "n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "max": ordered[-1], "n": len(ordered)}


def measure(url: str, duration: float, settle: float = 4.0) -> dict[str, t.Any]:
    """Open ``url`` in Chromium, wait ``settle`` s, then measure ``duration`` s."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1800, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.add_init_script(PROBE)
            page.goto(url, wait_until="load")
            time.sleep(settle)
            page.evaluate("() => { window.__bench.measuring = true; }")
            time.sleep(duration)
            page.evaluate("() => { window.__bench.measuring = false; }")
            data = page.evaluate("() => window.__bench")
            context.close()
        finally:
            browser.close()
    long = data["long"]
    return {
        "stream": _percentiles(data["stream"]),
        "stream_world": _percentiles(data["streamWorld"]),
        "full": _percentiles(data["full"]),
        "updates": data["updates"],
        "long_tasks": len(long),
        "long_task_ms": sum(long),
        "long_task_max_ms": max(long, default=0.0),
        "frames": data["frames"],
        "dropped_frames": data["dropped"],
        "duration": duration,
        "errors": errors[:5],
        "no_longtask": data.get("noLongTask"),
    }
