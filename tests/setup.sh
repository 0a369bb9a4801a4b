#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: the Python packages, Debian's
# Chromium (Playwright cannot download its own browser here), Java, poppler-utils and the Nu HTML Checker.
# Safe to run again: each step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e '.[test]'

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium fonts-liberation)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)  # reads the printed PDFs (tests/test_readers.py)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} with apt-get" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -x node_modules/.bin/lighthouse ]; then
  echo "Installing the Nu HTML Checker and Lighthouse (npm)" >&2
  npm install --no-audit --no-fund --silent >/dev/null 2>&1 || npm install --no-audit --no-fund
fi
