"""Live tables in Chromium, network blocked: appended rows exactly once, a
scrolling table on the page's clock, markup as text, a ranking board, sorting
and CSV on a dashboard."""

from __future__ import annotations

import csv
import io
import threading
import time
import typing as t

from flask import Flask

from flask_pyecharts import Charts
from flask_pyecharts.export import export_dashboard
from flask_pyecharts.export.images import write_image

from ..conftest import Clock
from .conftest import ARTIFACTS, CHROMIUM, WAIT_MS, BrowserServer, WatchedPage, chart
from .pages import separated_html
from .test_export_images import in_thread

WINDOW = 8
XSS = "<img src=x onerror=window.__xss=1>"

#: The texts of a table's body, row by row (cells joined by "|").
ROWS = """(sel) => [...document.querySelectorAll(sel + " tbody tr")].map(
    (tr) => [...tr.cells].map((td) => td.textContent).join("|"))"""


def make_app(
    clock: t.Callable[[], float] = time.monotonic, **config: t.Any
) -> tuple[Flask, Charts, dict[str, t.Any]]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app, clock=clock)
    state: dict[str, t.Any] = {
        "sales": [
            ("广东", '=HYPERLINK("http://x")', 3120.5),
            ("浙江", XSS, 2480),
            ("江苏", "苏州", 12000),
            ("北京", "-1", None),
        ]
    }

    @charts.table("orders", columns=["编号", "省份", "金额"], window=WINDOW)
    def orders() -> list[tuple[t.Any, ...]]:
        return []

    @charts.table("carousel", columns=["编号", "城市"], scroll=True, label="轮播")
    def carousel() -> list[tuple[t.Any, ...]]:
        return [(f"r{i:02d}", f"城市{i}") for i in range(20)]

    @charts.table("sales", columns=["省份", "备注", "金额"], refresh=60, label="销售")
    def sales() -> list[tuple[t.Any, ...]]:
        return state["sales"]

    @charts.table("top", columns=["省份", "销售额"], rank=True, label="排行")
    def top() -> list[tuple[t.Any, ...]]:
        return [("浙江", 50), ("广东", 200), ("江苏", 100), ("上海", 100), ("西藏", 10)]

    charts.dashboard("/", ["sales", "top", "orders", "carousel"], title="实时表格")

    @app.route("/separated")
    def separated() -> str:
        return separated_html(["orders"])

    @app.route("/small")
    def small() -> str:  # the carousel in a 200 px panel: 20 rows overflow
        return separated_html(["carousel"]).replace(
            'data-height="320px"', 'style="height:200px"'
        )

    @app.route("/sales")
    def sales_page() -> str:
        return separated_html(["sales"])

    @charts.table("latest", columns=["时间", "省份", "商品", "金额"], refresh=60)
    def latest() -> list[tuple[t.Any, ...]]:
        name = "轻薄羽绒服 男女同款 可收纳 防风保暖 冬季外套 加厚款"
        return [(f"19:05:{i:02d}", "内蒙古", name, 1528.3) for i in range(5)]

    @app.route("/narrow")
    def narrow() -> str:  # four columns, one of long names, in 340 px
        return separated_html(["latest"], body='style="width:340px"')

    @app.route("/screen")
    def screen() -> str:  # as on a screen (charts.screen): no controls
        return separated_html(["sales"], body="data-fpe-screen")

    return app, charts, state


def block_network(watched: WatchedPage, origin: str) -> list[str]:
    """Abort every request outside ``origin``; return those."""
    blocked: list[str] = []

    def route(request_route: t.Any) -> None:
        if request_route.request.url.startswith(origin + "/"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    watched.page.route("**/*", route)
    return blocked


def rows(watched: WatchedPage, name: str) -> list[str]:
    return watched.page.evaluate(ROWS, chart(name))


def wait_rows(watched: WatchedPage, name: str, expected: list[str]) -> None:
    watched.page.wait_for_function(
        f"([sel, e]) => JSON.stringify(({ROWS})(sel)) === JSON.stringify(e)",
        arg=[chart(name), expected],
        timeout=WAIT_MS,
    )


def test_a_table_takes_appended_rows_exactly_once(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Rows appended while the page is open, across reconnects: the server
    ends each event stream after 0.5 s and the page resumes from its cursor."""
    app, charts, _ = make_app(PYECHARTS_STREAM_TIMEOUT=0.5)
    server = serve(app)
    blocked = block_network(watched, server.url)
    watched.page.goto(f"{server.url}/separated")
    watched.page.wait_for_selector(chart("orders") + " table")
    # Every state of the rows the page ever shows, recorded on each change.
    watched.page.evaluate(
        """(sel) => {
            window.__states = [];
            const body = document.querySelector(sel + " tbody");
            const record = () => window.__states.push(
                [...body.rows].map((tr) => tr.cells[0].textContent));
            new MutationObserver(record).observe(
                body, {childList: true, subtree: true, characterData: true});
        }""",
        chart("orders"),
    )
    total = 40

    def produce() -> None:  # one row, then batches of three, while the page is open
        number = 0
        while number < total:
            batch = [
                (f"n{i:03d}", f"省{i}", i * 1.5)
                for i in range(number, min(total, number + (1 if number % 2 else 3)))
            ]
            charts.append("orders", batch)
            number += len(batch)
            time.sleep(0.1)

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join()
    expected = [f"n{i:03d}" for i in range(total - WINDOW, total)]
    watched.page.wait_for_function(
        """([sel, e]) => JSON.stringify([...document.querySelectorAll(
            sel + " tbody tr")].map((tr) => tr.cells[0].textContent)) ===
            JSON.stringify(e)""",
        arg=[chart("orders"), expected],
        timeout=WAIT_MS,
    )
    shown = rows(watched, "orders")
    assert [row.split("|")[0] for row in shown] == expected
    assert shown[-1].split("|")[2] == "58.5"  # formatted, right-aligned number
    states = watched.page.evaluate("window.__states")
    assert len(states) >= 2, "the rows did not change in place"
    for state in states:  # each state: rows in order, each once, within the window
        numbers = [int(text[1:]) for text in state]
        assert 0 < len(numbers) <= WINDOW
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    firsts = [int(state[0][1:]) for state in states]
    assert firsts == sorted(firsts)  # the window only moves forward
    streams = [url for url in watched.requests if "/api/events" in url]
    # It reconnected while rows came, from the cursor it had reached.
    assert len(streams) >= 2 and len(set(streams)) == len(streams)
    align = watched.page.evaluate(
        """(sel) => getComputedStyle(document.querySelector(
            sel + " tbody tr td:nth-child(3)")).textAlign""",
        chart("orders"),
    )
    assert align == "right"
    watched.screenshot("live-table-appended")
    assert blocked == []
    watched.assert_clean(server.url)


def test_a_scroll_table_moves_one_row_per_period_and_pauses_on_hover(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, _, _ = make_app()
    server = serve(app)
    block_network(watched, server.url)
    page = watched.page
    page.clock.install()
    page.goto(f"{server.url}/small")
    page.wait_for_selector(chart("carousel") + " tbody tr")
    page.clock.pause_at(page.evaluate("Date.now()") + 10)  # timers fire when told

    def first() -> int:
        """The number of the first row shown."""
        return int(rows(watched, "carousel")[0].split("|")[0][1:])

    def transform() -> str:
        return page.evaluate(
            "(sel) => document.querySelector(sel + ' tbody').style.transform",
            chart("carousel"),
        )

    def past(period: int) -> int:
        """Milliseconds since the last whole ``period`` of the page's clock."""
        return int(page.evaluate("(period) => Date.now() % period", period))

    waited = 0
    while transform() != "":  # a step under way ends on the next second
        assert waited < 2000, "the table did not stop moving"
        page.clock.run_for(10)
        waited += 10
    start = first()
    waited = 0
    while transform() == "":  # the next step starts within one period
        assert waited < 2000, "the table did not start moving"
        page.clock.run_for(10)
        waited += 10
    # Steps fall on whole periods of the wall clock (with a screen's clock tick).
    assert past(2000) < 10
    assert transform().startswith("translateY(-")  # one row up, smoothly
    assert first() == start
    page.clock.run_for(1000 - past(1000) - 1)  # moved for 600 ms, then still
    assert first() == start and transform().startswith("translateY(-")
    page.clock.run_for(1)  # on the next second, the first row went last
    assert first() == start + 1 and transform() == ""
    assert rows(watched, "carousel")[-1].startswith(f"r{start:02d}|")
    page.clock.run_for(2000 - past(2000) - 1)
    assert transform() == ""
    page.clock.run_for(1)  # a steady pace: the next step one period after
    assert transform().startswith("translateY(-")
    page.clock.run_for(1000)
    assert first() == start + 2
    header = page.evaluate(
        "(sel) => document.querySelector(sel + ' thead th').textContent",
        chart("carousel"),
    )
    assert header == "编号"
    watched.screenshot("live-table-scroll")
    # A pointer over the table pauses it; leaving it goes on.
    page.hover(chart("carousel") + " tbody")
    page.clock.run_for(6000)
    assert first() == start + 2 and transform() == ""
    page.mouse.move(0, 0)
    page.clock.run_for(2000 - past(2000) + 1000)  # the next beat's step, and its end
    assert first() == start + 3
    # With reduced motion, rows step without moving.
    page.emulate_media(reduced_motion="reduce")
    page.clock.run_for(2000)
    assert first() == start + 4 and transform() == ""
    watched.assert_clean(server.url)


def test_markup_in_cells_shows_as_text_and_the_ranking_board_ranks(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, _, _ = make_app()
    server = serve(app)
    block_network(watched, server.url)
    page = watched.page
    page.goto(f"{server.url}/")
    page.wait_for_selector(chart("sales") + " tbody tr")
    page.wait_for_selector(chart("top") + " tbody tr")
    assert XSS in rows(watched, "sales")[1]
    assert page.locator(chart("sales") + " img").count() == 0
    assert page.evaluate("window.__xss") is None
    ranked = rows(watched, "top")
    assert ranked == [
        "1|广东|200",
        "2|江苏|100",
        "2|上海|100",
        "4|浙江|50",
        "5|西藏|10",
    ]
    widths = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel + " .fpe-rank-bar")].map(
            (bar) => bar.style.width)""",
        chart("top"),
    )
    assert widths == ["100%", "50%", "50%", "25%", "5%"]
    badges = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel + " .fpe-rank")].map(
            (b) => b.className)""",
        chart("top"),
    )
    assert badges == [  # equal values share a rank (and its colour)
        "fpe-rank fpe-rank--1",
        "fpe-rank fpe-rank--2",
        "fpe-rank fpe-rank--2",
        "fpe-rank",
        "fpe-rank",
    ]
    watched.screenshot("live-table-dashboard")
    watched.assert_clean(server.url)


def test_sort_by_a_header_and_download_the_rows_shown_as_csv(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, _, _ = make_app()
    server = serve(app)
    block_network(watched, server.url)
    page = watched.page
    page.goto(f"{server.url}/")
    table = chart("sales")
    page.wait_for_selector(table + " tbody tr")
    header = page.locator(table + " thead th").nth(2)
    assert header.get_attribute("aria-sort") == "none"
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    amounts = [row.split("|")[2] for row in rows(watched, "sales")]
    assert amounts == ["2,480.0", "3,120.5", "12,000.0", ""]  # empty cells last
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert [row.split("|")[0] for row in rows(watched, "sales")] == [
        "江苏",
        "广东",
        "浙江",
        "北京",
    ]
    with page.expect_download() as info:
        page.locator(table + " .fpe-livetable-download").click()
    download = info.value
    assert download.suggested_filename == "sales.csv"
    data = download.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [
        ["省份", "备注", "金额"],
        ["江苏", "苏州", "12000"],
        ["广东", '\'=HYPERLINK("http://x")', "3120.5"],
        ["浙江", XSS, "2480"],
        ["北京", "'-1", ""],
    ]
    watched.screenshot("live-table-sorted")
    watched.assert_clean(server.url)


def test_a_rebuild_changes_only_the_cells_that_changed(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """No re-render: the rows stay the same elements, and only the cell whose
    value changed is written."""
    clock = Clock()
    app, _, state = make_app(clock)
    server = serve(app)
    block_network(watched, server.url)
    page = watched.page
    page.goto(f"{server.url}/sales")
    table = chart("sales")
    watched.wait_state(table, "live")
    page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            el.querySelector("table").__kept = true;
            [...el.querySelectorAll("tbody tr")].forEach((tr) => { tr.__kept = true; });
            window.__written = new Set();
            new MutationObserver((records) => records.forEach(
                (r) => window.__written.add(r.target.closest("td")))).observe(
                el.querySelector("tbody"),
                {childList: true, subtree: true, characterData: true});
            window.__cells = () => [...el.querySelectorAll("tbody td")];
        }""",
        table,
    )
    state["sales"] = [*state["sales"][:2], ("江苏", "苏州", 13000), state["sales"][3]]
    clock.advance(61)  # the refresh (60 s) falls due
    with app.test_client() as client:
        client.get("/charts/api/charts/sales").close()  # the rebuild, pushed
    page.wait_for_function(
        "(sel) => document.querySelector(sel).textContent.includes('13,000')",
        arg=table,
        timeout=WAIT_MS,
    )
    kept = page.evaluate(
        """(sel) => {
            const el = document.querySelector(sel);
            return [el.querySelector("table").__kept,
                    [...el.querySelectorAll("tbody tr")].every((tr) => tr.__kept),
                    [...window.__written].map((td) => td.textContent)];
        }""",
        table,
    )
    assert kept == [True, True, ["13,000.0"]]
    watched.assert_clean(server.url)


#: Each header cell's left and right edges, the panel's, and whether each
#: first-row cell shows its whole text.
EDGES = """(sel) => {
  const panel = document.querySelector(sel + " .fpe-livetable-panel")
    .getBoundingClientRect();
  const heads = [...document.querySelectorAll(sel + " thead th")].map((th) => {
    const box = th.getBoundingClientRect();
    return [box.left, box.right];
  });
  const whole = [...document.querySelector(sel + " tbody tr").cells].map(
    (td) => td.scrollWidth <= td.clientWidth);
  return {panel: [panel.left, panel.right], heads, whole};
}"""


def test_every_column_shows_within_a_narrow_panel(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Regression: a table wider than its card lost its last columns (the
    demo's amounts). The long names end in an ellipsis; the short columns
    (time, province, amount) keep their whole text."""
    app, _, _ = make_app()
    server = serve(app)
    watched.page.goto(f"{server.url}/narrow")
    watched.page.wait_for_selector(chart("latest") + " tbody tr")
    watched.page.wait_for_function(
        "(sel) => document.querySelector(sel + ' thead th').style.width !== ''",
        arg=chart("latest"),
        timeout=WAIT_MS,
    )
    edges = watched.page.evaluate(EDGES, chart("latest"))
    left, right = edges["panel"]
    assert len(edges["heads"]) == 4
    for head_left, head_right in edges["heads"]:
        assert left - 1 <= head_left < head_right <= right + 1, edges
    assert edges["whole"] == [True, True, False, True], edges
    watched.screenshot("table-narrow")


def test_a_table_on_a_screen_has_no_controls(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    app, _, _ = make_app()
    server = serve(app)
    block_network(watched, server.url)
    page = watched.page
    page.goto(f"{server.url}/screen")
    table = chart("sales")
    page.wait_for_selector(table + " tbody tr")
    assert page.locator(table + " button").count() == 0
    assert page.locator(table + " th[aria-sort]").count() == 0
    assert page.locator(table + " thead th").all_text_contents() == [
        "省份",
        "备注",
        "金额",
    ]
    watched.assert_clean(server.url)


#: The state badge's box and each header cell's, and whether its text shows
#: whole, for a table's chart element.
BADGE_AND_HEADS = """(sel) => {
  const el = document.querySelector(sel);
  const box = (node) => {
    const r = node.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const whole = (th) => th.scrollWidth <= th.clientWidth;
  return {
    badge: box(el.querySelector(".fpe-state")),
    heads: [...el.querySelectorAll("thead th")].map((th) => [box(th), whole(th)]),
  };
}"""


def test_a_table_on_a_screen_keeps_its_titles_clear_of_the_state_badge(
    serve: t.Callable[..., BrowserServer], watched: WatchedPage
):
    """Regression: the badge sat over a bare table's header, whose last title
    was cut to make room for it (the demo screen's 金额 showed as 金…)."""
    app, _, _ = make_app()
    server = serve(app)
    page = watched.page
    page.goto(f"{server.url}/screen")
    table = chart("sales")
    watched.wait_state(table, "live")
    found = page.evaluate(BADGE_AND_HEADS, table)
    left, top, right, bottom = found["badge"]
    assert right > left and bottom > top, found  # the badge shows
    for (head_left, head_top, head_right, _), whole in found["heads"]:
        apart = head_top >= bottom or head_right <= left or head_left >= right
        assert apart and whole, found


def test_a_dashboard_of_tables_exports_to_png(tmp_path):
    """The export waits for every chart to be drawn: a table is drawn at once,
    not waited for as an ECharts instance that never comes."""
    app, charts, _ = make_app()
    charts.append("orders", [(f"n{i:03d}", f"省{i}", i) for i in range(3)])
    try:
        exported = export_dashboard(app, "/", wait=0)
    finally:
        charts.shutdown()
    assert exported.problems == []
    output = ARTIFACTS / "live-table-export.png"
    ARTIFACTS.mkdir(exist_ok=True)
    drawn = in_thread(
        lambda: write_image(exported.html, output, "png", chromium=CHROMIUM)
    )
    assert drawn == []  # no request refused
    assert output.read_bytes().startswith(b"\x89PNG")
