"""Flask-PyEcharts: publish pyecharts (Apache ECharts) charts from Flask."""

from __future__ import annotations

from pyecharts.commons.utils import JsCode as JsCode

from .extension import Charts as Charts

__version__ = "0.1.0"
__all__ = ["Charts", "JsCode", "__version__"]
