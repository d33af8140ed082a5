#!/usr/bin/env python3
"""Copy the pinned ECharts browser builds into the package, for offline serving.

The versions are pinned by package.json/package-lock.json (npm registry only,
never a CDN). This script:

1. runs ``npm ci --ignore-scripts --no-audit --no-fund`` when node_modules is
   missing or does not match package-lock.json;
2. copies the minified browser builds and their license files into
   src/flask_pyecharts/web/static/vendor/ (gitignored, never committed);
3. writes vendor/versions.json: the lockfile hash, the package versions and a
   sha256 of every copied file.

When versions.json matches the lockfile and the files, it does nothing (a few
milliseconds), so it is safe to run on every set-up and every build; it also
works without npm in an unpacked sdist, which ships the vendor files.

Usage: python scripts/build_assets.py [--check] [--force] [--quiet]

Standard library only: the hatchling build hook (hatch_build.py) imports it in
an isolated build environment.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_REL = Path("src", "flask_pyecharts", "web", "static", "vendor")
MANIFEST = "versions.json"
LOCK_NAME = ".build.lock"
FORMAT = 1
NPM_CI = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]

THEMES = ("infographic", "macarons", "roma", "shine", "vintage")

# npm package -> (path inside the package, file name in vendor/).
# The .js paths are the ones pyecharts uses (datasets/map_filename.json) and
# must match flask_pyecharts.assets.VENDOR_FILES.
COPIES: dict[str, list[tuple[str, str]]] = {
    "echarts": [
        ("dist/echarts.min.js", "echarts.min.js"),
        ("LICENSE", "echarts.LICENSE.txt"),
        ("NOTICE", "echarts.NOTICE.txt"),
        ("licenses/LICENSE-d3", "echarts.LICENSE-d3.txt"),
        # The pyecharts themes (ThemeType) that echarts itself ships, at
        # pyecharts' paths: ThemeType.MACARONS needs "themes/macarons.js".
        *((f"theme/{name}.js", f"themes/{name}.js") for name in THEMES),
    ],
    "echarts-liquidfill": [
        ("dist/echarts-liquidfill.min.js", "echarts-liquidfill.min.js"),
        ("license.md", "echarts-liquidfill.LICENSE.txt"),
    ],
    "echarts-wordcloud": [
        ("dist/echarts-wordcloud.min.js", "echarts-wordcloud.min.js"),
    ],
}
# Packages that ship no license text: a note is generated from package.json
# (declared license, repository) and the license banners of the sources.
GENERATED_LICENSES: dict[str, tuple[str, list[str]]] = {
    "echarts-wordcloud": ("echarts-wordcloud.LICENSE.txt", ["src/layout.js"]),
}


class AssetError(RuntimeError):
    """The vendor files cannot be produced (npm missing, package changed...)."""


def vendor_dir(root: Path = ROOT) -> Path:
    """The directory the browser builds are copied to."""
    return root / VENDOR_REL


def expected_files() -> list[str]:
    """Every file name build() puts in vendor/, manifest excluded."""
    names = [dest for copies in COPIES.values() for _, dest in copies]
    names += [name for name, _ in GENERATED_LICENSES.values()]
    return sorted(names)


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


def is_current(root: Path = ROOT) -> bool:
    """True when vendor/ holds every file, unchanged, for the current lockfile.

    Without a package-lock.json (an unpacked sdist that dropped it), the files
    recorded in the manifest are trusted as they are.
    """
    manifest = _read_manifest(root)
    if not manifest or manifest.get("format") != FORMAT:
        return False
    lock = _lock_hash(root)
    if lock is not None and manifest.get("lock") != lock:
        return False
    files = manifest.get("files")
    if not isinstance(files, dict) or sorted(files) != expected_files():
        return False
    vendor = vendor_dir(root)
    for name, digest in files.items():
        path = vendor / name
        if not path.is_file() or _sha256(path) != digest:
            return False
    return True


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
    """True when node_modules holds exactly the versions of package-lock.json."""
    for key, version in _locked_packages(root).items():
        try:
            meta = json.loads((root / key / "package.json").read_text("utf-8"))
        except (OSError, ValueError):
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


def _license_note(package_dir: Path, sources: list[str]) -> str:
    meta = json.loads((package_dir / "package.json").read_text("utf-8"))
    repo = meta.get("repository")
    if isinstance(repo, dict):
        repo = repo.get("url")
    lines = [
        f"{meta['name']} {meta['version']}",
        f"Declared license (package.json): {meta.get('license', 'unknown')}",
        f"Repository: {repo or meta.get('homepage', 'unknown')}",
        "",
        "The npm package ships no license file. License banners of the",
        "third-party code bundled in its browser build:",
    ]
    for rel in sources:
        text = (package_dir / rel).read_text("utf-8")
        start = text.find("/*!")
        end = text.find("*/", start)
        if start != -1 and end != -1:
            lines += ["", f"From {rel}:", text[start : end + 2]]
    return "\n".join(lines) + "\n"


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


def build(root: Path = ROOT, *, force: bool = False, quiet: bool = False) -> bool:
    """Make vendor/ current; return True if anything was (re)written."""
    root = Path(root)
    if not force and is_current(root):
        return False
    vendor = vendor_dir(root)
    vendor.mkdir(parents=True, exist_ok=True)
    with _exclusive(vendor):
        if not force and is_current(root):  # done by a concurrent run
            return False
        if force or not node_modules_current(root):
            npm_ci(root, quiet=quiet)
        modules = root / "node_modules"
        files: dict[str, str] = {}
        versions: dict[str, str] = {}
        for package, copies in COPIES.items():
            package_dir = modules / package
            meta = json.loads((package_dir / "package.json").read_text("utf-8"))
            versions[package] = meta["version"]
            for rel, name in copies:
                src = package_dir / rel
                if not src.is_file():
                    raise AssetError(f"{src} is missing: did the package change?")
                data = src.read_bytes()
                (vendor / name).parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(vendor / name, data)
                files[name] = hashlib.sha256(data).hexdigest()
        for package, (name, sources) in GENERATED_LICENSES.items():
            data = _license_note(modules / package, sources).encode("utf-8")
            _write_atomic(vendor / name, data)
            files[name] = hashlib.sha256(data).hexdigest()
        keep = set(files) | {MANIFEST, LOCK_NAME}
        for stale in vendor.rglob("*"):
            if stale.is_file() and stale.relative_to(vendor).as_posix() not in keep:
                stale.unlink()
        manifest = {
            "format": FORMAT,
            "lock": _lock_hash(root),
            "packages": versions,
            "files": dict(sorted(files.items())),
        }
        text = json.dumps(manifest, indent=2) + "\n"
        _write_atomic(vendor / MANIFEST, text.encode("utf-8"))
    if not quiet:
        shown = ", ".join(f"{k} {v}" for k, v in versions.items())
        print(f"build_assets: copied {len(files)} files ({shown}) to {vendor}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if vendor/ is not current"
    )
    parser.add_argument(
        "--force", action="store_true", help="reinstall node_modules and recopy"
    )
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        current = is_current(args.root)
        if not args.quiet:
            print("build_assets: " + ("up to date" if current else "out of date"))
        return 0 if current else 1
    try:
        changed = build(args.root, force=args.force, quiet=args.quiet)
    except AssetError as exc:
        print(f"build_assets: error: {exc}", file=sys.stderr)
        return 1
    if not changed and not args.quiet:
        print("build_assets: vendor assets up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
