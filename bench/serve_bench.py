#!/usr/bin/env python3
"""Aggregate generated tokens/s of `densing serve` with 1, 4 and 16 concurrent clients.

Starts the server (one run for all client counts, --parallel = the largest count), then for each
count runs that many clients, each sending --requests completions one after another with a
distinct prompt, max_tokens fixed and ignore_eos set so every request generates the same number
of tokens. Reports generated tokens per wall-clock second over all clients, and the mean time per
request. Standard library only.

  bench/serve_bench.py -m ../shared/models/stories260K.gguf
  bench/serve_bench.py -m /tmp/q05.gguf --clients 1,4,16 --max-tokens 64 --threads 16
"""
import argparse
import http.client
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

SUBJECTS = ["a cat", "a dog", "the moon", "a boat", "a little girl", "a tree", "the sea",
            "a bird", "a train", "a king", "the rain", "a ball", "a frog", "a cake", "a star",
            "a fox"]


def start_server(args, parallel):
    cmd = [args.densing, "serve", "-m", args.model, "--port", "0", "--parallel", str(parallel),
           "-c", str(args.ctx), "-t", str(args.threads)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    for line in proc.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            # Keep draining stderr so the server never blocks on a full pipe.
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, int(m.group(1))
        if time.time() > deadline:
            break
    proc.kill()
    sys.exit("serve_bench: the server did not start: " + " ".join(cmd))


def complete(port, prompt, max_tokens, timeout):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    body = json.dumps({"prompt": prompt, "max_tokens": max_tokens, "temperature": 0,
                       "ignore_eos": True})
    conn.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {data[:200]!r}")
    return json.loads(data)["usage"]["completion_tokens"]


def run_level(port, n_clients, args):
    tokens = [0] * n_clients
    latencies = []
    errors = []
    lock = threading.Lock()

    def client(i):
        for r in range(args.requests):
            prompt = f"Once upon a time there was {SUBJECTS[(i + r) % len(SUBJECTS)]}. It"
            t0 = time.perf_counter()
            try:
                tokens[i] += complete(port, prompt, args.max_tokens, args.timeout)
            except Exception as e:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(str(e))
                return
            with lock:
                latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n_clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        sys.exit(f"serve_bench: {len(errors)} requests failed, first: {errors[0]}")
    return sum(tokens), wall, sum(latencies) / len(latencies)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    here = Path(__file__).resolve().parent.parent
    p.add_argument("--densing", default=str(here / "build" / "densing"))
    p.add_argument("-m", "--model", required=True)
    p.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    p.add_argument("--requests", type=int, default=4, help="requests per client")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("-c", "--ctx", type=int, default=512, help="context per slot")
    p.add_argument("-t", "--threads", type=int, default=0)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args()
    levels = [int(c) for c in args.clients.split(",")]

    proc, port = start_server(args, max(levels))
    results = []
    try:
        complete(port, "Once", 4, args.timeout)  # warm up
        for n in levels:
            tokens, wall, latency = run_level(port, n, args)
            results.append({"clients": n, "generated_tokens": tokens, "seconds": round(wall, 3),
                            "tokens_per_second": round(tokens / wall, 1),
                            "mean_request_seconds": round(latency, 3)})
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if args.json:
        print(json.dumps({"model": args.model, "max_tokens": args.max_tokens,
                          "results": results}, indent=2))
        return
    print(f"model {args.model}: {args.requests} requests per client, {args.max_tokens} tokens "
          f"each, --parallel {max(levels)}")
    print(f"{'clients':>8} {'tokens':>8} {'seconds':>8} {'tokens/s':>10} {'s/request':>10}")
    for r in results:
        print(f"{r['clients']:>8} {r['generated_tokens']:>8} {r['seconds']:>8.2f} "
              f"{r['tokens_per_second']:>10.1f} {r['mean_request_seconds']:>10.3f}")


if __name__ == "__main__":
    main()
