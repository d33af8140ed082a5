"""Hatchling build hook: bundle the pinned ECharts browser builds and the client.

Runs scripts/build_assets.py (``npm ci`` when needed, then a copy into
src/flask_pyecharts/web/static/vendor/, and esbuild bundling client/src into
web/static/flask-pyecharts.js) before every sdist, wheel and editable build.
These files are gitignored; pyproject.toml lists them as hatch ``artifacts``
so both the sdist and the wheel include them. An unpacked sdist already holds
them, so building a wheel from it needs neither npm nor network.
FLASK_PYECHARTS_CITY_MAPS=1 in the build's environment also bundles the city
maps (AMap data, see README.md), which then needs npm.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SCRIPT = Path("scripts", "build_assets.py")


class AssetsBuildHook(BuildHookInterface):
    """Copy the ECharts assets and bundle the client before building."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "_flask_pyecharts_build_assets", root / SCRIPT
        )
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot load {root / SCRIPT}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        try:
            changed = module.build(root, quiet=True)
        except module.AssetError as exc:
            raise RuntimeError(f"cannot bundle the ECharts assets: {exc}") from exc
        if changed:
            self.app.display_info(
                "Bundled the ECharts assets and the client into web/static/"
            )
