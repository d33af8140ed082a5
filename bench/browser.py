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
50 ms), dropped frames (``requestAnimationFrame`` gaps over 25 ms, counted in
16.7 ms frames) and the page's cost: measured apart by :func:`page_cost`, without the
probe (whose frame counter makes the page draw every frame): the CPU time of
the page's main thread per minute (Chrome's ``Performance.getMetrics``
TaskDuration, in thread ticks).
"""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

from bench.cdp import ARGS, CHROMIUM, Chromium

#: Injected before the page's scripts: records delays, long tasks and frames.
PROBE = (Path(__file__).parent / "probe.js").read_text()


def _percentiles(values: list[float]) -> dict[str, t.Any]:
    if not values:
        return {"p50": None, "p99": None, "max": None, "n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "max": ordered[-1], "n": len(ordered)}


#: Counts the updates a page applies, without adding any work of its own (the
#: probe's frame counter would make the page draw every frame).
COUNTER = """window.__updates = 0;
for (const type of ["fpe:update", "bench:update"])
  document.addEventListener(type, () => { window.__updates += 1; }, true);"""

#: Sets body attributes before the client starts (see :func:`page_cost`).
BODY_ATTRIBUTES = """document.addEventListener("DOMContentLoaded", () => {
  const attributes = %s;
  for (const name in attributes) document.body.setAttribute(name, attributes[name]);
}, {once: true});"""


def _metrics(cdp: t.Any) -> dict[str, float]:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return {metric["name"]: metric["value"] for metric in metrics}


def _cost(before: dict[str, float], after: dict[str, float], seconds: float):
    return {
        "main_thread_ms_per_min": (after["TaskDuration"] - before["TaskDuration"])
        * 1000
        * 60
        / seconds,
        "script_ms_per_min": (after["ScriptDuration"] - before["ScriptDuration"])
        * 1000
        * 60
        / seconds,
    }


def page_cost(
    url: str,
    duration: float,
    pages: dict[str, dict[str, str]],
    settle: float = 5.0,
    screenshots: Path | None = None,
    viewport: dict[str, int] | None = None,
) -> dict[str, dict[str, t.Any]]:
    """The main-thread CPU per minute of ``url`` opened as each of ``pages``
    at once (each in its own renderer process), so that they all draw the
    same updates, over ``duration`` s. Chromium is driven over its DevTools
    pipe (bench/cdp.py), with nothing recording the pages' network.

    :param pages: name -> attributes set on the page's body before the client
        starts (e.g. ``data-animation-share`` and ``data-renderer``).
    :param screenshots: a folder for a screenshot of each page at the end.
    :param viewport: the window's size (default 1800x1000).
    """
    import json

    size = viewport or {"width": 1800, "height": 1000}
    browser = Chromium()
    try:
        opened = {}
        for name, attributes in pages.items():
            scripts = [BODY_ATTRIBUTES % json.dumps(attributes)] if attributes else []
            page = browser.new_page(size["width"], size["height"], [*scripts, COUNTER])
            page.send("Performance.enable", {"timeDomain": "threadTicks"})
            page.goto(url)
            opened[name] = page
        time.sleep(settle)
        start = time.monotonic()
        before = {
            name: (_metrics(page), page.evaluate("() => window.__updates"))
            for name, page in opened.items()
        }
        time.sleep(duration)
        seconds = time.monotonic() - start
        results = {}
        for name, page in opened.items():
            metrics, updates = before[name]
            results[name] = {
                **_cost(metrics, _metrics(page), seconds),
                "updates_per_min": (page.evaluate("() => window.__updates") - updates)
                * 60
                / seconds,
                "duration": duration,
            }
            if screenshots is not None:
                slug = "-".join(name.replace(",", " ").split())
                page.screenshot(screenshots / f"s6-{slug}.png")
    finally:
        browser.close()
    return results


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
