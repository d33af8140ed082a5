"""PDF exports on paper: A4 landscape pages by default (or ``--page-size``),
the page laid out at the paper's width, no card cut between two pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from pyecharts.charts import Bar

from flask_pyecharts import Charts
from flask_pyecharts.cli import main
from flask_pyecharts.export import export_dashboard, write_image
from flask_pyecharts.export.paper import parse_page_size

from .conftest import ARTIFACTS, WatchedPage
from .test_export_images import in_thread

#: Enough charts for several pages.
CHARTS = 11


def many_charts() -> tuple[Flask, Charts]:
    app = Flask(__name__)
    charts = Charts(app)
    for index in range(1, CHARTS + 1):

        @charts.chart(f"c{index:02}", title=f"图表 {index:02} 销售")
        def build(index: int = index) -> Bar:
            return (
                Bar()
                .add_xaxis(["一月", "二月", "三月", "四月"])
                .add_yaxis("销售额", [index, 2 * index, 3, 4])
            )

    charts.dashboard("/", [f"c{i:02}" for i in range(1, CHARTS + 1)], title="月报")
    return app, charts


def pdf_info(path: Path) -> dict[str, str]:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in info.splitlines())
    )


def paper(info: dict[str, str]) -> tuple[float, float, str]:
    """A page's width and height in points, and the paper poppler names."""
    found = re.match(r"([\d.]+) x ([\d.]+) pts \((\w+)\)", info["Page size"])
    assert found, info["Page size"]
    return float(found.group(1)), float(found.group(2)), found.group(3)


def near(size: tuple[float, float, str], wanted: tuple[float, float, str]) -> bool:
    return size[2] == wanted[2] and all(
        abs(a - b) < 1.5 for a, b in zip(size[:2], wanted[:2], strict=True)
    )


def page_titles(path: Path, page: int) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path)]
        + ["-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.findall(r"图表 (\d\d) 销售", text)


def page_images(path: Path) -> list[tuple[int, int]]:
    """(page, height in pixels) of each image drawn: the charts' canvases."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    rows = [line.split() for line in listing]
    return [(int(row[0]), int(row[4])) for row in rows if row[2] == "image"]


def test_a_pdf_is_a4_landscape_pages_and_no_card_is_cut(tmp_path: Path):
    app, charts = many_charts()
    try:
        result = export_dashboard(app)
    finally:
        charts.shutdown()
    pdf = tmp_path / "report.pdf"
    assert in_thread(lambda: write_image(result.html, pdf, "pdf")) == []
    (ARTIFACTS / "export-pages.pdf").write_bytes(pdf.read_bytes())
    subprocess.run(
        ["pdftoppm", "-r", "48", "-png", str(pdf), str(ARTIFACTS / "export-pages")],
        check=True,
    )
    info = pdf_info(pdf)
    assert near(paper(info), (841.89, 595.28, "A4"))  # landscape
    pages = int(info["Pages"])
    assert pages > 1

    # Every card on one page: its title and its chart's canvas, once.
    images = page_images(pdf)
    heights = {height for _, height in images}
    assert len(images) == CHARTS and len(heights) == 1, images
    seen: list[str] = []
    for page in range(1, pages + 1):
        titles = page_titles(pdf, page)
        drawn = [number for number, _ in images if number == page]
        assert len(titles) == len(drawn), (page, titles, drawn)
        seen += titles
    assert sorted(seen) == [f"{i:02}" for i in range(1, CHARTS + 1)]


def test_the_page_size_option_chooses_the_paper_and_refuses_nonsense(tmp_path: Path):
    assert str(parse_page_size("letter-portrait")) == "Letter portrait"
    assert str(parse_page_size("portrait")) == "A4 portrait"
    assert str(parse_page_size(" A3 ")) == "A3 landscape"
    app, charts = many_charts()
    runner = app.test_cli_runner()
    try:
        done = runner.invoke(args=["pyecharts", "export", "a.pdf", "--page-size", "A7"])
        assert done.exit_code == 2
        assert "'A7' is not a page size: give one of A3, A4, A5, Letter" in done.output
        done = runner.invoke(args=["pyecharts", "export", "a.png", "--page-size", "A4"])
        assert done.exit_code == 2 and "--page-size is for PDF" in done.output
        output = tmp_path / "a3.pdf"
        done = in_thread(
            lambda: runner.invoke(
                args=["pyecharts", "export", str(output), "--page-size", "A3 portrait"]
            )
        )
        assert done.exit_code == 0, done.output
    finally:
        charts.shutdown()
    info = pdf_info(output)
    assert near(paper(info), (841.89, 1190.55, "A3"))
    # The same option in flask-pyecharts, checked before anything is exported.
    done = CliRunner().invoke(
        main, ["export", "x.pdf", "--url", "http://127.0.0.1:9/", "--page-size", "B5"]
    )
    assert done.exit_code == 2 and "'B5' is not a page size" in done.output


NOTICE = ".fpe-export-failed [role=alert]"


@pytest.mark.parametrize(
    ("title", "lang", "heading"),
    [
        ("月报", "zh-CN", "此图表无法导出。"),
        ("Monthly", "en", "This chart could not be exported."),
    ],
)
def test_a_failing_chart_exports_a_styled_notice_in_the_pages_language(
    title: str, lang: str, heading: str, tmp_path: Path, watched: WatchedPage
):
    app = Flask(__name__)
    charts = Charts(app)

    @charts.chart("fine", title="Fine")
    def fine() -> Bar:
        return Bar().add_xaxis(["a", "b"]).add_yaxis("n", [1, 2])

    @charts.chart("broken", title="Broken")
    def broken() -> Bar:
        raise RuntimeError("the database is down")

    charts.dashboard("/", ["fine", "broken"], title=title)
    try:
        result = export_dashboard(app)
    finally:
        charts.shutdown()
    assert result.failed == ["broken"]
    page_file = tmp_path / "export.html"
    page_file.write_text(result.html, encoding="utf-8")
    page = watched.page
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(page_file.as_uri())
    watched.wait_state(".fpe-chart", "static")
    assert page.get_attribute("html", "lang") == lang
    notice = page.eval_on_selector(
        NOTICE,
        """(el) => { const s = getComputedStyle(el), card = el.closest(".fpe-card");
            const r = el.getBoundingClientRect(), c = card.getBoundingClientRect();
            return {text: el.textContent, reason: el.lastChild.textContent,
                    color: s.color, radius: s.borderRadius,
                    background: s.backgroundColor,
                    middle: Math.abs((r.left + r.right) - (c.left + c.right)) / 2,
                    inside: r.top > c.top && r.bottom < c.bottom,
                    height: c.height,
                    chart: document.querySelector(".fpe-card").offsetHeight};
        }""",
    )
    # The live page's error badge: red text on a rounded badge, in the middle.
    assert notice["text"].startswith(heading)
    # The reason, as outside debug mode: no exception text, an error id.
    assert "'broken' could not be built (error id" in notice["reason"]
    assert notice["color"] == "rgb(198, 40, 40)" and notice["radius"] == "10px"
    assert notice["background"] == "rgba(255, 255, 255, 0.88)"
    assert notice["middle"] < 2 and notice["inside"]
    assert abs(notice["height"] - notice["chart"]) < 2  # as high as a chart's card
    watched.screenshot(f"export-error-{lang}")
