#!/usr/bin/env bash
# Creates .venv and installs the project, offline-capable: torch is pinned first so
# pip takes the local CPU build instead of a multi-GB CUDA one. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
  || pip install --quiet "torch==2.13.0"
pip install --quiet -e ".${extras:+[$extras]}"
# The page's browser tests drive Debian's chromium headless (never `playwright install`, which downloads).
if [ "${1:-}" = test ] && ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
