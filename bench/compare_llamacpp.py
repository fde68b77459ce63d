#!/usr/bin/env python3
"""densing against llama.cpp on the same files: pp512 and tg64 per file, the ratios, geometric means.

Runs the two engines alternately (densing, llama.cpp, densing, llama.cpp, ... file by file, for
--rounds rounds) so that a neighbour's load on a shared machine hits both alike, and keeps each
engine's best round per file and test (the round least disturbed by others). It never builds
llama.cpp: pass the path of a llama-bench you built (see docs/bench.md).

  bench/compare_llamacpp.py --densing build/densing --llama-bench /tmp/lcp/build-avx2/bin/llama-bench \\
      --cpu avx2 -t 2 /tmp/b14/*.gguf

--cpu sets DENSING_CPU for densing only (llama.cpp's instruction set is fixed when it is built).
"""
import argparse
import json
import math
import os
import subprocess
import sys


def run_json(cmd, env=None):
    out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    # llama-bench may print log lines before the JSON; start at the first '['.
    text = out.stdout
    start = text.find('[')
    if start < 0:
        raise RuntimeError(f"no JSON from {' '.join(cmd)}:\n{text}\n{out.stderr}")
    return json.loads(text[start:])


def densing_run(binary, path, threads, reps, n_prompt, n_gen, cpu):
    env = dict(os.environ)
    if cpu:
        env['DENSING_CPU'] = cpu
    cmd = [binary, 'bench', '-m', path, '-p', str(n_prompt), '-n', str(n_gen), '-t', str(threads),
           '-r', str(reps), '--membw-mib', '64', '--json']
    res = {}
    for row in run_json(cmd, env):
        test = row.get('test', '')
        if test == f'pp{n_prompt}':
            res['pp'] = (row['tokens_per_s'], row['tokens_per_s_sd'])
        elif test == f'tg{n_gen}':
            res['tg'] = (row['tokens_per_s'], row['tokens_per_s_sd'])
    return res


def llama_run(binary, path, threads, reps, n_prompt, n_gen):
    cmd = [binary, '-m', path, '-p', str(n_prompt), '-n', str(n_gen), '-t', str(threads), '-r',
           str(reps), '-o', 'json']
    res = {}
    for row in run_json(cmd):
        if row.get('n_prompt') == n_prompt and row.get('n_gen') == 0:
            res['pp'] = (row['avg_ts'], row['stddev_ts'])
        elif row.get('n_gen') == n_gen and row.get('n_prompt') == 0:
            res['tg'] = (row['avg_ts'], row['stddev_ts'])
    return res


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float('nan')


def geomean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float('nan')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('files', nargs='+', help='GGUF files')
    ap.add_argument('--densing', required=True, help="densing's binary")
    ap.add_argument('--llama-bench', required=True, help="a llama-bench binary (built elsewhere)")
    ap.add_argument('--cpu', default='', help='DENSING_CPU for densing: scalar, avx2, avx512, ...')
    ap.add_argument('-t', '--threads', type=int, default=2)
    ap.add_argument('-r', '--reps', type=int, default=3, help='repetitions per engine run')
    ap.add_argument('--rounds', type=int, default=1, help='alternating rounds; the best is kept')
    ap.add_argument('-p', '--n-prompt', type=int, default=512)
    ap.add_argument('-n', '--n-gen', type=int, default=64)
    ap.add_argument('--json', action='store_true', help='print the rows as JSON too')
    a = ap.parse_args()

    best = {}  # (file, engine, test) -> (mean, sd)
    loads = []

    def keep(path, engine, res):
        for test, v in res.items():
            cur = best.get((path, engine, test))
            if cur is None or v[0] > cur[0]:
                best[(path, engine, test)] = v

    for rnd in range(a.rounds):
        for path in a.files:
            loads.append(load_average())
            keep(path, 'densing', densing_run(a.densing, path, a.threads, a.reps, a.n_prompt, a.n_gen, a.cpu))
            keep(path, 'llama', llama_run(a.llama_bench, path, a.threads, a.reps, a.n_prompt, a.n_gen))
            print(f'round {rnd + 1}/{a.rounds}: {os.path.basename(path)} done (load {loads[-1]:.2f})',
                  file=sys.stderr)

    pp, tg = f'pp{a.n_prompt}', f'tg{a.n_gen}'
    print(f'densing path: {a.cpu or "native"}, threads {a.threads}, reps {a.reps}, rounds {a.rounds}, '
          f'1-min load average during the runs {min(loads):.2f}-{max(loads):.2f}')
    print(f'| file | {pp} densing / llama.cpp | ratio | {tg} densing / llama.cpp | ratio |')
    print('|---|---|---|---|---|')
    ratios = {'pp': [], 'tg': []}
    rows = []
    for path in a.files:
        cells = [os.path.basename(path)]
        row = {'file': path}
        for test in ('pp', 'tg'):
            d = best.get((path, 'densing', test))
            l = best.get((path, 'llama', test))
            if d is None or l is None:
                cells += ['-', '-']
                continue
            r = d[0] / l[0]
            ratios[test].append(r)
            cells += [f'{d[0]:.1f} ± {d[1]:.1f} / {l[0]:.1f} ± {l[1]:.1f}', f'{r:.2f}×']
            row[test] = {'densing': d[0], 'densing_sd': d[1], 'llama': l[0], 'llama_sd': l[1], 'ratio': r}
        rows.append(row)
        print('| ' + ' | '.join(cells) + ' |')
    gp, gt = geomean(ratios['pp']), geomean(ratios['tg'])
    mean = lambda g: '-' if math.isnan(g) else f'**{g:.2f}×**'  # '-': that test was not run
    print(f'| geometric mean | | {mean(gp)} | | {mean(gt)} |')
    if a.json:
        print(json.dumps({'cpu': a.cpu, 'rows': rows, 'geomean_pp': gp, 'geomean_tg': gt}, indent=1))


if __name__ == '__main__':
    main()
