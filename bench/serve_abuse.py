#!/usr/bin/env python3
"""Abuse `densing serve` on loopback, bounded in time, and report what happened.

One server (a tiny model, --metrics) meets, in turn:
  load     64 connections for --seconds against /v1/chat/completions and /v1/completions, streamed
           and not, with random max_tokens;
  slow     clients that send their headers one byte at a time;
  idle     1,000 connections that open and send nothing;
  big      oversized headers, an oversized body, a huge max_tokens that the client abandons, a
           prompt larger than the slot's context;
  hangup   clients that leave in the middle of a stream.
Throughout, /health is polled and the server's RSS sampled. At the end the slots must be free,
the queue empty and the server alive; the script exits 1 when any of that fails or a request
waited past its deadline. Standard library only.

  bench/serve_abuse.py                       # ../shared/models/stories260K.gguf, 60 s of load
  bench/serve_abuse.py -m MODEL.gguf --seconds 20
"""
import argparse
import http.client
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_server(args):
    cmd = [args.densing, "serve", "-m", args.model, "--port", "0", "--parallel", "4",
           "-c", "256", "-t", str(args.threads), "--metrics"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, int(m.group(1))
    sys.exit("serve_abuse: the server did not start: " + " ".join(cmd))


def rss_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Monitor:
    """Samples RSS and /health twice a second until stopped."""

    def __init__(self, proc, port):
        self.proc, self.port = proc, port
        self.rss, self.health_ms, self.health_fail = [], [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            self.rss.append(rss_mib(self.proc.pid))
            t0 = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                c.request("GET", "/health")
                ok = c.getresponse().status == 200
                c.close()
            except OSError:
                ok = False
            self.health_ms.append((time.monotonic() - t0) * 1000)
            self.health_fail += not ok
            self.stop.wait(0.5)


def generation(port, rng, timeout):
    """One random request; returns (kind, seconds)."""
    chat = rng.random() < 0.5
    stream = rng.random() < 0.5
    body = {"max_tokens": rng.randint(1, 64), "stream": stream, "temperature": rng.random()}
    if chat:
        path = "/v1/chat/completions"
        body["messages"] = [{"role": "user", "content": "Tell me about " + rng.choice(
            ["a cat", "the sea", "a tree", "a king", "the rain"])}]
    else:
        path = "/v1/completions"
        body["prompt"] = "Once upon a time, " + rng.choice(["Lily", "Tom", "a dog"])
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 200:
            return f"http {r.status}", time.monotonic() - t0
        if stream and not data.endswith(b"data: [DONE]\n\n"):
            return "stream without [DONE]", time.monotonic() - t0
        if not stream:
            json.loads(data)
        return "ok", time.monotonic() - t0
    except socket.timeout:
        return "timeout", time.monotonic() - t0
    except (OSError, http.client.HTTPException, ValueError) as e:
        return type(e).__name__, time.monotonic() - t0


def load_phase(port, seconds, connections, timeout):
    results, lock = [], threading.Lock()
    end = time.monotonic() + seconds

    def client(seed):
        rng = random.Random(seed)
        while time.monotonic() < end:
            r = generation(port, rng, timeout)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - t0


def raw_request(port, data, timeout=10, byte_delay=0.0):
    """Sends bytes (optionally one at a time) and returns the status line, or the error."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if byte_delay:
            for b in data:
                s.sendall(bytes([b]))
                time.sleep(byte_delay)
        else:
            s.sendall(data)
        reply = s.recv(4096)
        s.close()
        return reply.split(b"\r\n", 1)[0].decode(errors="replace") or "closed without a reply"
    except OSError as e:
        return type(e).__name__


def post(path, body, extra_headers=b""):
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n").encode() + extra_headers + b"\r\n" + body


def slow_phase(port, n):
    body = b'{"prompt": "Once", "max_tokens": 4}'
    out = []
    threads = [threading.Thread(target=lambda: out.append(
        raw_request(port, post("/v1/completions", body), timeout=60, byte_delay=0.05)))
        for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(out)


def idle_phase(port, n, hold):
    socks, refused = [], 0
    for _ in range(n):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            refused += 1
    time.sleep(hold)
    # While they are held: does a real request still get through?
    kind, secs = generation(port, random.Random(7), 60)
    for s in socks:
        s.close()
    return len(socks), refused, kind, secs


def big_phase(port):
    out = {}
    out["header of 100 KiB"] = raw_request(
        port, post("/v1/completions", b'{"prompt": "x"}', b"X-Big: " + b"a" * 102400 + b"\r\n"))
    out["body of 16 MiB"] = raw_request(
        port, post("/v1/completions", b'{"prompt": "' + b"a" * (16 << 20) + b'"}'), timeout=30)
    out["prompt over the context"] = raw_request(
        port, post("/v1/completions", json.dumps({"prompt": "word " * 2000}).encode()))
    out["max_tokens of 10^12"] = raw_request(
        port, post("/v1/completions", b'{"prompt": "x", "max_tokens": 1000000000000}'))
    # A huge max_tokens that the server accepts (it shifts its context): the client reads what
    # comes (the status line at once, then keep-alive bytes) for 2 s and leaves.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/v1/completions", json.dumps(
        {"prompt": "x", "max_tokens": 1 << 24, "ignore_eos": True}),
        {"Content-Type": "application/json"})
    r = c.getresponse()
    end = time.monotonic() + 2
    while time.monotonic() < end and r.read(1):
        pass
    out["max_tokens of 2^24"] = f"HTTP {r.status}, the client left after 2 s"
    c.close()
    return out


def hangup_phase(port, n):
    left = 0
    for _ in range(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/v1/completions", json.dumps(
            {"prompt": "Once", "max_tokens": 4096, "ignore_eos": True, "stream": True}),
            {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read1(64) if hasattr(r, "read1") else r.read(64)
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        left += 1
    return left


def metrics(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^densing_(\w+(?:\{[^}]*\})?) (\S+)$", text, re.M)}


def wait_idle(port, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = metrics(port)
        if m.get("busy_slots", 1) == 0 and m.get("queue_length", 1) == 0:
            return True
        time.sleep(0.5)
    return False


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--densing", default=str(ROOT / "build" / "densing"))
    ap.add_argument("-m", "--model", default=str(ROOT.parent / "shared/models/stories260K.gguf"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120, help="the longest a request may wait")
    args = ap.parse_args()

    proc, port = start_server(args)
    failures = []
    try:
        rss_before = rss_mib(proc.pid)
        mon = Monitor(proc, port)

        results, wall = load_phase(port, args.seconds, args.connections, args.timeout)
        kinds = Counter(k for k, _ in results)
        ok_lat = [s for k, s in results if k == "ok"]
        rss_load = max(mon.rss) if mon.rss else 0
        print(f"load: {args.connections} connections, {wall:.0f} s: {len(results)} requests, "
              f"{len(results) / wall:.1f} requests/s, p50 {percentile(ok_lat, 50) * 1000:.0f} ms, "
              f"p99 {percentile(ok_lat, 99) * 1000:.0f} ms, max "
              f"{max(s for _, s in results) * 1000:.0f} ms")
        print(f"      outcomes: {dict(kinds)}")
        if kinds["timeout"]:
            failures.append(f"{kinds['timeout']} requests waited past {args.timeout} s")
        bad = {k: v for k, v in kinds.items() if k not in ("ok", "http 503")}
        if bad:
            failures.append(f"load phase errors: {bad}")

        print(f"slow: 8 clients sending headers a byte every 50 ms: {dict(slow_phase(port, 8))}")
        held, refused, kind, secs = idle_phase(port, 1000, 3)
        print(f"idle: {held} idle connections held ({refused} refused); a request meanwhile: "
              f"{kind} in {secs * 1000:.0f} ms")
        if kind != "ok":
            failures.append(f"a request among idle connections: {kind}")
        for what, status in big_phase(port).items():
            print(f"big:  {what}: {status}")
        print(f"hangup: {hangup_phase(port, 16)} clients left mid-stream")

        if not wait_idle(port, 30):
            failures.append("slots or queue still busy 30 s after the last client left")
        time.sleep(2)
        rss_after = rss_mib(proc.pid)
        mon.stop.set()
        mon.thread.join()
        m = metrics(port)
        print(f"health: {len(mon.health_ms)} polls, {mon.health_fail} failed, p50 "
              f"{percentile(mon.health_ms, 50):.1f} ms, max {max(mon.health_ms):.0f} ms")
        print(f"rss: before {rss_before:.0f} MiB, peak {max(mon.rss):.0f} MiB (load phase "
              f"{rss_load:.0f}), after {rss_after:.0f} MiB")
        print("metrics: " + ", ".join(f"{k} {v:g}" for k, v in sorted(m.items())
                                      if k.startswith("requests_total") or k in (
                                          "busy_slots", "queue_length", "context_shifts_total",
                                          "generated_tokens_total")))
        if mon.health_fail:
            failures.append(f"/health failed {mon.health_fail} times")
        if proc.poll() is not None:
            failures.append(f"the server exited with {proc.returncode}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for f in failures:
        print("FAIL: " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
