"""PNG and PDF exports: Chromium draws the exported page offline, as it shows."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import typing as t
from pathlib import Path

import pytest

from flask_pyecharts.export import export_dashboard, write_image

from ..images import pdf_pages, pdf_text, read_pdf_page, read_png
from .conftest import ARTIFACTS, WatchedPage

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "filters.py"
#: ECharts' first series colour: the bars.
BARS = (84, 112, 198)


def export_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``flask --app examples/filters.py pyecharts export ...``, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", str(EXAMPLE), "pyecharts", "export"]
        + list(args),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        # The checkout's package when PYTHONPATH names it (a worktree's src).
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
            ),
        },
    )


def in_thread(function: t.Callable[[], t.Any]) -> t.Any:
    """Run ``function`` in its own thread (Playwright's sync API is per thread)."""
    outcome: list[t.Any] = []
    thread = threading.Thread(target=lambda: outcome.append(function()))
    thread.start()
    thread.join(120)
    assert outcome, "the export did not finish"
    return outcome[0]


def example_app() -> t.Any:
    spec = importlib.util.spec_from_file_location("example_filters_export", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_png_export_has_the_pixels_of_the_exported_page(
    tmp_path: Path, watched: WatchedPage
):
    module = example_app()
    try:
        result = export_dashboard(module.app, variables={"region": "华北", "days": "7"})
    finally:
        module.charts.shutdown()
    assert result.variables == {"region": "华北", "days": "7"}
    page_file = tmp_path / "export.html"
    page_file.write_text(result.html, encoding="utf-8")
    png = ARTIFACTS / "export-filters.png"
    ARTIFACTS.mkdir(exist_ok=True)
    refused = in_thread(lambda: write_image(result.html, png, "png"))
    assert refused == []  # the page asked for nothing: it is all inline

    exported = read_png(png)
    assert exported.width == 1280
    assert exported.ink() > 0.1  # not blank: cards, axes, labels
    assert exported.count(BARS) > 20_000  # the bars of both charts

    # The same file in a browser window of the same size shows the same pixels.
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page_file.as_uri())
    watched.wait_state(".fpe-chart", "static")
    watched.settle()
    shown = tmp_path / "shown.png"
    clip = {"x": 0, "y": 0, "width": 1280, "height": exported.height}
    page.screenshot(path=str(shown), full_page=True, clip=clip)
    assert read_png(shown).differing(exported) < 0.001
    assert watched.requests == [page_file.as_uri()]

    # The PDF of the same page: an A4 landscape page at 96 dpi (1123 x 794
    # pixels), the same cards laid out at the paper's width.
    pdf = tmp_path / "export.pdf"
    assert in_thread(lambda: write_image(result.html, pdf, "pdf")) == []
    printed = read_pdf_page(pdf, resolution=96)
    assert printed.width == 1123 and abs(printed.height - 794) <= 1
    assert printed.count(BARS) > 10_000


def test_the_cli_writes_an_a4_pdf_with_the_variables_and_charts(tmp_path: Path):
    output = tmp_path / "report.pdf"
    done = export_cli(
        str(output), "--var", "region=华南", "--var", "days=90", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {output} (2 charts, region=华南, days=90")
    assert pdf_pages(output) == 1  # the header and both cards on one A4 page
    landscape = read_pdf_page(output, resolution=72)
    assert landscape.width == 842 and abs(landscape.height - 595) <= 1
    text = pdf_text(output)
    assert "销售分析" in text and "地区: 华南" in text and "近 N 天: 90" in text
    drawn = read_pdf_page(output)
    assert drawn.ink() > 0.05  # two cards on a landscape page
    assert drawn.count(BARS) > 2_000
    (ARTIFACTS / "export-filters.pdf").write_bytes(output.read_bytes())
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", str(output)]
        + [str(ARTIFACTS / "export-filters-pdf")],
        check=True,
    )


def test_the_cli_names_the_format_from_the_file_and_refuses_bad_input(tmp_path: Path):
    done = export_cli("out.png", "--var", "region=火星", cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot be '火星': the allowed values are 全国, 华东" in done.stderr
    done = export_cli("out.png", "--var", "city=上海", cwd=tmp_path)
    assert "No variable named 'city'; the variables are region, days" in done.stderr
    done = export_cli("out.png", "--var", "region", cwd=tmp_path)
    assert done.returncode == 2 and "is not NAME=VALUE" in done.stderr
    done = export_cli("-", "--format", "pdf", cwd=tmp_path)
    assert "Only HTML can be written to standard output" in done.stderr
    done = export_cli("out.png", "--chromium", "/nonexistent/chromium", cwd=tmp_path)
    assert "No Chromium at '/nonexistent/chromium'" in done.stderr
    assert not (tmp_path / "out.png").exists()
    done = export_cli("out.png", "--var", "days=7", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert read_png(tmp_path / "out.png").count(BARS) > 20_000


@pytest.mark.parametrize("format_", ["png", "pdf"])
def test_without_playwright_the_message_says_what_to_install(
    tmp_path: Path, format_: str
):
    code = (
        "import sys; sys.modules['playwright'] = None;"
        " from flask.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--app", str(EXAMPLE), "pyecharts", "export"]
        + [f"out.{format_}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 1
    assert "pip install 'Flask-PyEcharts[export]'" in done.stderr


@pytest.mark.parametrize(("name", "format_"), [("shot", "png"), ("report.img", "pdf")])
def test_format_chooses_the_image_type_whatever_the_file_name(
    tmp_path: Path, name: str, format_: str
):
    """Regression: ``--format png`` to a name without ``.png`` failed with
    "unsupported mime type"."""
    done = export_cli(name, "--format", format_, "--var", "days=7", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    if format_ == "png":
        assert read_png(tmp_path / name).count(BARS) > 20_000
    else:
        assert pdf_pages(tmp_path / name) == 1
