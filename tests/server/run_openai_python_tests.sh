#!/usr/bin/env bash
# Runs openai_python_test.py (the official `openai` Python client) against `densing serve`
# (CTest: server_openai_python), with the Python of the virtual environment scripts/setup makes
# (${DENSING_VENV:-SOURCE_ROOT/.venv}). Exits 77 (CTest: skipped), saying why, when that
# environment, its openai or pydantic package, or the model is missing.
# usage: run_openai_python_tests.sh SOURCE_ROOT DENSING_BINARY MODEL
set -euo pipefail
root=$1 densing=$2 model=$3
venv=${DENSING_VENV:-$root/.venv}

skip() {
  echo "SKIPPED: $*"
  exit 77
}
python=$venv/bin/python
[[ -x $python ]] || skip "no virtual environment at $venv (scripts/setup makes it)"
"$python" -c 'import openai, pydantic' 2>/dev/null ||
  skip "the openai and pydantic packages are not in $venv ($venv/bin/pip install openai pydantic)"
[[ -f $model ]] || skip "$model not found (the shared test models are absent)"
DENSING_BINARY=$densing DENSING_MODEL=$model exec "$python" "$root/tests/server/openai_python_test.py"
