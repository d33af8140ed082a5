#!/usr/bin/env bash
# The one set-up command of a fresh machine (Debian 12, run as root or with
# sudo; CI runs it in a fresh clone). Idempotent, and a no-op in about a second
# when everything is already in place:
#   1. apt: chromium, fonts-noto-cjk, redis-server, poppler-utils (the tests
#      read exported PDFs with pdftoppm), nginx (tests/test_nginx.py runs the
#      configuration `flask pyecharts nginx` prints), libnginx-mod-nchan
#      (tests/test_nchan.py: event streams handed over to nchan), nodejs/npm
#      (only if missing)
#   2. .venv (python3 -m venv) with `pip install -e '.[test]'`
#   3. scripts/build_assets.py: ECharts from the npm registry into
#      src/flask_pyecharts/web/static/vendor/ (never from a CDN), and the
#      client (client/src) bundled by esbuild into web/static/flask-pyecharts.js
# Browser tests use Debian's /usr/bin/chromium through Playwright's
# executable_path: `playwright install` is not needed (and not run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*"; }

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# 1. System packages, only the missing ones (no apt-get at all otherwise).
missing=()
for pkg in chromium fonts-noto-cjk redis-server poppler-utils nginx libnginx-mod-nchan; do
    installed "$pkg" || missing+=("$pkg")
done
# Node may come from NodeSource (its nodejs bundles npm, and conflicts with
# Debian's npm package), so look for the commands, not the packages.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [[ ! -x .venv/bin/python ]] && ! python3 -c 'import ensurepip' 2>/dev/null; then
    missing+=(python3-venv)
fi
if ((${#missing[@]})); then
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    log "apt-get install ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The virtualenv and the package, editable, with the test extra. Skipped
#    when pyproject.toml and the build hook are unchanged since the last run
#    and the venv imports this checkout's package.
if [[ ! -x .venv/bin/python ]]; then
    log "python3 -m venv .venv"
    python3 -m venv .venv
fi
stamp=.venv/.flask-pyecharts-setup
want=$(cat pyproject.toml hatch_build.py | sha256sum | cut -d' ' -f1)
here=$(pwd -P)/src/flask_pyecharts
have_pkg=$(.venv/bin/python -c 'import importlib.util as u, os
s = u.find_spec("flask_pyecharts")
print(os.path.realpath(s.submodule_search_locations[0]))' 2>/dev/null || true)
if [[ $(cat "$stamp" 2>/dev/null) != "$want" || $have_pkg != "$here" ]]; then
    log "pip install -e '.[test]'"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    .venv/bin/python -m pip install -q -e '.[test]'
    echo "$want" >"$stamp"
fi

# 3. ECharts and its extensions, offline from then on (fast when current).
.venv/bin/python scripts/build_assets.py --quiet
log "ready"
