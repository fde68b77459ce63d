#!/usr/bin/env bash
# densing eval against lm-evaluation-harness on a few dozen items (CTest: eval_lm_eval_agreement):
# bench/lm_eval_agreement.py --check on 10 MMLU (2-shot, one subject), 10 HellaSwag and 10 ARC-Easy
# items, lm-eval driving `densing serve` through its local-completions backend. On SmolLM2 from the
# models cache when it is there, else on llama-2-tiny-random (random weights, the real Llama-2
# vocabulary, and a BOS that the comparison has to bridge). Exits 77 (CTest: skipped), saying why,
# without the virtual environment, its lm_eval package, the data or a model.
# usage: run_lm_eval_agreement.sh SOURCE_ROOT DENSING_BINARY SHARED_DIR
set -euo pipefail
root=$1 densing=$2 shared=$3
venv=${DENSING_VENV:-$root/.venv}
models=${DENSING_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/densing/models}

skip() {
  echo "SKIPPED: $*"
  exit 77
}
python=$venv/bin/python
[[ ${DENSING_EMULATED:-0} == 1 ]] &&
  skip "under an emulator lm-eval's 30 items through densing serve take over 10 minutes; native runs it"
[[ -x $python ]] || skip "no virtual environment at $venv (scripts/setup makes it)"
"$python" -c 'import lm_eval, aiohttp, tenacity, requests' 2>/dev/null ||
  skip "lm_eval with its API extra is not in $venv (scripts/setup installs it: pip install 'lm_eval[api]')"
for d in mmlu hellaswag arc; do
  [[ -d $shared/data/$d ]] || skip "$shared/data/$d not found (the shared data is absent)"
done
model=$models/SmolLM2-135M-Instruct.Q4_1.gguf
if [[ ! -f $model ]]; then
  echo "$model not found; on $shared/models/llama-2-tiny-random.gguf instead"
  model=$shared/models/llama-2-tiny-random.gguf
  [[ -f $model ]] || skip "neither SmolLM2 in $models nor $model found"
fi
# Two answers closer than 1e-3 nats are a tie; a log-probability more than 0.05 nats from densing
# eval's is a failure even when the picks agree. The two sides run one binary and mostly differ by
# ~5e-6, but not always: one of 57 full-MMLU items differed by 0.032 (same tokens; the two paths
# evaluate the context in different batches), so the limit leaves room for that; the server's
# logprobs scaled by 1.001 move them by 0.05-0.14 here.
exec "$python" "$root/bench/lm_eval_agreement.py" --densing "$densing" --model "$model" --data "$shared/data" \
  --task mmlu,hellaswag,arc-easy --limit 10 --subjects marketing --shots 2 -t 2 --max-diff 0.05 --check
