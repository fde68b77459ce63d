#!/usr/bin/env bash
# Speculative and prompt-lookup decoding against plain decoding, greedy, on the copy task of
# bench/data/copy_passage.txt (a ~370-token passage with misspellings, then "Repeat the passage
# above, fixing its spelling"). `densing bench --draft-model/--lookup` alternates plain and
# speculative runs of the same prompt and says whether their tokens are the same.
#
#   bench/speculative.sh [N_GEN] [REPS]
#
# Models: SmolLM2-135M-Instruct Q4_1 from the models cache, drafted by a Q2_K copy of itself made
# with `densing quantize`; a synthesized llama3.2-1b shape in Q8_0 (random weights), drafted by
# its own Q2_K. Made files go to $SPEC_DIR (default /tmp/densing-spec).
set -euo pipefail
cd "$(dirname "$0")/.."
DENSING=${DENSING:-build/densing}
N_GEN=${1:-128}
REPS=${2:-3}
DIR=${SPEC_DIR:-/tmp/densing-spec}
PROMPT=bench/data/copy_passage.txt
SMOL=${SMOL:-$HOME/.cache/densing/models/SmolLM2-135M-Instruct.Q4_1.gguf}
mkdir -p "$DIR"

[ -f "$DIR/smollm2-q2_k.gguf" ] || "$DENSING" quantize "$SMOL" "$DIR/smollm2-q2_k.gguf" Q2_K >&2
[ -f "$DIR/llama1b-q8_0.gguf" ] || "$DENSING" synth --shape llama3.2-1b --type Q8_0 -o "$DIR/llama1b-q8_0.gguf" >&2
[ -f "$DIR/llama1b-q2_k.gguf" ] || "$DENSING" quantize "$DIR/llama1b-q8_0.gguf" "$DIR/llama1b-q2_k.gguf" Q2_K >&2

lscpu | grep -E "Model name|^CPU\(s\)" || true
echo "load: $(cat /proc/loadavg)"
run() { echo; echo "\$ densing bench $*"; "$DENSING" bench "$@" --prompt-file "$PROMPT" -r "$REPS"; }

run -m "$SMOL" --lookup 8 -n "$N_GEN"
for k in 4 8 16; do
  run -m "$SMOL" -md "$DIR/smollm2-q2_k.gguf" --draft-max "$k" -n "$N_GEN"
done
run -m "$DIR/llama1b-q8_0.gguf" --lookup 8 -n $((N_GEN / 2))
run -m "$DIR/llama1b-q8_0.gguf" -md "$DIR/llama1b-q2_k.gguf" --draft-max 4 --draft-p-min 0 -n $((N_GEN / 4))
echo "load: $(cat /proc/loadavg)"
