#!/usr/bin/env bash
# Speculative and prompt-lookup decoding against plain decoding, greedy, on two copy tasks:
#   bench/data/copy_passage.txt            chat-formatted (SmolLM2's template): a ~370-token passage
#                                          with misspellings, then "Repeat the passage above,
#                                          fixing its spelling"
#   bench/data/copy_passage_completion.txt the same passage as a completion prompt ("Passage: ...
#                                          The same passage with its spelling fixed:")
# `densing bench --draft-model/--lookup` alternates plain and speculative runs of the same prompt
# and says whether their tokens are the same.
#
#   bench/speculative.sh [N_GEN] [REPS]
#
# Models: SmolLM2-135M-Instruct Q4_1 from the models cache, drafted by a Q2_K copy of itself made
# with `densing quantize`; a synthesized llama3.2-1b shape in Q4_0 (random weights), drafted by
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
[ -f "$DIR/llama1b-q4_0.gguf" ] || "$DENSING" synth --shape llama3.2-1b --type Q4_0 -o "$DIR/llama1b-q4_0.gguf" >&2
[ -f "$DIR/llama1b-q2_k.gguf" ] || "$DENSING" quantize "$DIR/llama1b-q4_0.gguf" "$DIR/llama1b-q2_k.gguf" Q2_K >&2

lscpu | grep -E "Model name|^CPU\(s\)" || true
echo "load: $(cat /proc/loadavg)"
run() { echo; echo "\$ densing bench $*"; "$DENSING" bench "$@" -r "$REPS"; }

for prompt in bench/data/copy_passage.txt bench/data/copy_passage_completion.txt; do
  for k in 4 8 16; do
    run -m "$SMOL" --lookup "$k" -n "$N_GEN" --prompt-file "$prompt"
  done
  for k in 4 8 16; do
    run -m "$SMOL" -md "$DIR/smollm2-q2_k.gguf" --draft-max "$k" -n "$N_GEN" --prompt-file "$prompt"
  done
done
prompt=bench/data/copy_passage_completion.txt
run -m "$DIR/llama1b-q4_0.gguf" --lookup 8 -n $((N_GEN / 2)) --prompt-file "$prompt"
for k in 4 8 16; do
  run -m "$DIR/llama1b-q4_0.gguf" -md "$DIR/llama1b-q2_k.gguf" --draft-max "$k" --draft-p-min 0 -n $((N_GEN / 4)) --prompt-file "$prompt"
done
echo "load: $(cat /proc/loadavg)"
