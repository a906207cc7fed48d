#!/usr/bin/env bash
# Install what the book's build needs, and only what is missing:
#   1. Debian packages: TeX Live subset, Chromium, Java, poppler, Node,
#      dvisvgm (for the benchmark's default path only);
#   2. Python packages pinned in requirements.txt, into .venv;
#   3. npm packages from package-lock.json, into node_modules.
# Run again, it checks and returns within a second or two.
# Without root (or without apt-get), it names what is missing and how to get
# it (apt-get, or the build container, tools/container/run), and stops
# before any build can fail deep inside. tools/container/Containerfile runs
# this script to make the container.
set -euo pipefail
cd "$(dirname "$0")/.."

# -- 1. Debian packages --------------------------------------------------------
# Each package is checked by a file it provides, so that a machine which has
# the tool by other means is not forced through apt.
declare -A NEEDS=(
  [latexmk]=/usr/bin/latexmk
  [texlive-xetex]=/usr/bin/xelatex
  [texlive-latex-extra]=/usr/share/texlive/texmf-dist/tex/latex/fncychap/fncychap.sty
  [texlive-fonts-recommended]=/usr/share/texlive/texmf-dist/fonts/type1/urw/zapfding
  [fonts-freefont-otf]=/usr/share/fonts/opentype/freefont/FreeSerif.otf
  [xindy]=/usr/bin/xindy
  # Only for `make bench`: its default path renders the EPUB's math with
  # Sphinx's imgmath. The book's own formulas need Node, not dvisvgm.
  [dvisvgm]=/usr/bin/dvisvgm
  [chromium]=/usr/bin/chromium
  [poppler-utils]=/usr/bin/pdffonts
  [default-jre-headless]=/usr/bin/java
  [nodejs]=/usr/bin/node
  [npm]=/usr/bin/npm
)
missing=()
for pkg in "${!NEEDS[@]}"; do
  path=${NEEDS[$pkg]}
  # node and npm may come from elsewhere than Debian: any on PATH will do.
  case $pkg in nodejs|npm) command -v "$(basename "$path")" >/dev/null \
    && continue ;; esac
  [ -e "$path" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  IFS=$'\n' missing=($(sort <<<"${missing[*]}")); unset IFS
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: install them as root, then run make again:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    echo "setup: or, without Debian or without root (macOS, other Linux" >&2
    echo "setup: distributions), build in the book's container, with" >&2
    echo "setup: Docker or Podman (README, \"Without Debian\"):" >&2
    echo "  tools/container/run make book" >&2
    exit 1
  fi
fi

# -- 2. Python packages --------------------------------------------------------
# The stamp holds the hash of requirements.txt the venv was made from.
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages from requirements.txt"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check \
    -r requirements.txt
  echo "$want" > .venv/.requirements
fi

# -- 3. npm packages -----------------------------------------------------------
# npm ci is skipped when node_modules was installed from this very lockfile.
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.lockfile-hash 2>/dev/null)" != "$want" ]; then
  echo "setup: installing npm packages from package-lock.json"
  # puppeteer-core downloads no browser; the variable makes sure nothing
  # else in the tree tries to (Debian's Chromium is the one used).
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.lockfile-hash
fi
