#!/usr/bin/env python3
"""densing eval against lm-evaluation-harness, item for item.

Runs `densing eval --samples` on MMLU, HellaSwag and ARC from the local data (../shared/data), then
lm-evaluation-harness (the `lm_eval` package, pinned in scripts/setup) on the same items through
its `local-completions` backend against `densing serve`, and compares every item: the prompt each
scored (context and answers), the choice each picked (acc and acc_norm) and the log-probabilities.

lm-eval's own tasks download their data from a hub; here its task configs are written into a
work folder and read the local files (`dataset_path: json`), in the layout of lm-eval's default
tasks (mmlu/default, hellaswag with its own `preprocess`, arc_easy), so the prompts are lm-eval's
and the comparison tests densing's formatting too. lm-eval splits context from continuation with
the served model's tokenizer through the server's /tokenize, /detokenize and /tokenizer_info
routes (its `tokenizer_backend=remote`, as for vLLM): no Hugging Face tokenizer, no network.

Two conventions differ and are bridged, not hidden:
- densing eval adds BOS where the model's metadata asks; lm-eval's remote tokenizer never adds
  special tokens. When /tokenizer_info says add_bos_token, the tasks' description starts with the
  BOS text, which /tokenize turns into the BOS id (SmolLM2 adds none).
- The local HellaSwag file (the reference engine's layout) holds "label: ctx" with ctx_b not
  capitalized, where lm-eval's hellaswag capitalizes it; both sides here read the file's context.

An item whose two best answers are within --tie of each other (nats, on either side) is a tie:
counted, never a disagreement. --check exits 1 on any other disagreement or any prompt that
differs. Usage (from the repository root, with the virtual environment scripts/setup makes):

  .venv/bin/python bench/lm_eval_agreement.py --task arc-easy,arc-challenge
  .venv/bin/python bench/lm_eval_agreement.py --task mmlu --limit 5 --json out.json
"""
import argparse
import bz2
import csv
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TASKS = ("mmlu", "hellaswag", "arc-easy", "arc-challenge")
MAX_CHOICES = 16  # as densing's ARC reader


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(pathlib.Path.home() / ".cache/densing/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    p.add_argument("--densing", default=str(ROOT / "build/densing"), help="the densing binary")
    p.add_argument("--data", default=str(ROOT.parent / "shared/data"), help="folder holding mmlu/, hellaswag/, arc/")
    p.add_argument("--task", default="arc-easy,arc-challenge", help="comma-separated: " + ", ".join(TASKS) + " or all")
    p.add_argument("--limit", type=int, default=0, help="items per task (mmlu: per subject); 0: all")
    p.add_argument("--subjects", default="", help="mmlu: only these subjects (comma-separated; default all 57)")
    p.add_argument("--shots", type=int, default=5, help="mmlu's few-shot examples (the others are 0-shot)")
    p.add_argument("-c", "--ctx-size", type=int, default=4096, help="context of both sides")
    p.add_argument("-t", "--threads", type=int, default=2)
    p.add_argument("--tie", type=float, default=1e-3, help="answers closer than this (nats) are a tie")
    p.add_argument("--max-diff", type=float, default=0.0,
                   help="with --check: also fail when an answer's log-probability differs by more (nats; 0: no limit)")
    p.add_argument("--work", default="", help="keep the task configs, data and samples here")
    p.add_argument("--json", default="", help="write the comparison (per task, and every disagreement) here")
    p.add_argument("--check", action="store_true", help="exit 1 on any disagreement that is not a tie")
    a = p.parse_args(argv)
    a.tasks = list(TASKS) if a.task == "all" else [t.strip() for t in a.task.split(",") if t.strip()]
    for t in a.tasks:
        if t not in TASKS:
            p.error(f"unknown task '{t}' (expected {', '.join(TASKS)} or all)")
    if not pathlib.Path(a.model).is_file():
        p.error(f"{a.model}: no such model file")
    if not os.access(a.densing, os.X_OK):
        p.error(f"{a.densing}: not an executable (build densing first)")
    return a


# ---------------------------------------------------------------- the local data, as lm-eval docs

def read_lines(path):
    return pathlib.Path(path).read_text(encoding="utf-8").split("\n")


def arc_docs(data, challenge, limit):
    """The items densing's ARC reader takes (same checks), with their line numbers."""
    path = pathlib.Path(data) / "arc" / ("arc_challenge.jsonl" if challenge else "arc_easy.jsonl")
    docs = []
    for number, line in enumerate(read_lines(path), 1):
        if not line.strip(" \t\r"):
            continue
        if limit and len(docs) >= limit:
            break
        try:
            j = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(j, dict) or not isinstance(j.get("query"), str) or not isinstance(j.get("choices"), list):
            continue
        gold = j.get("gold")
        choices = j["choices"]
        if not isinstance(gold, int) or isinstance(gold, bool) or not all(isinstance(c, str) and c for c in choices):
            continue
        if len(choices) > MAX_CHOICES or len(choices) < 2 or not 0 <= gold < len(choices):
            continue
        docs.append({"query": j["query"], "choices": choices, "gold": gold, "line": number})
    return docs


def hellaswag_docs(data, limit):
    """Six lines per item (context, gold, four endings), as densing's reader; lm-eval's
    preprocess decides which items are empty after cleaning, as densing's CleanHellaswagText."""
    from lm_eval.tasks.hellaswag.utils import preprocess

    base = pathlib.Path(data) / "hellaswag" / "hellaswag_val_full.txt"
    if base.with_suffix(".txt.bz2").exists():
        text = bz2.open(base.with_suffix(".txt.bz2"), "rt", encoding="utf-8").read()
    else:
        text = base.read_text(encoding="utf-8")
    lines = [l[:-1] if l.endswith("\r") else l for l in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    docs = []
    for i in range(0, len(lines) - 5, 6):
        if limit and len(docs) >= limit:
            break
        label = lines[i + 1]
        if len(label) != 1 or label not in "0123":
            continue
        endings = lines[i + 2:i + 6]
        if not preprocess(lines[i]) or not all(preprocess(e) for e in endings):
            continue
        docs.append({"context": lines[i], "label": int(label), "endings": endings, "line": i + 1})
    return docs


def mmlu_rows(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            if len(r) != 6 or r[5].strip() not in ("A", "B", "C", "D") or not r[0].strip():
                continue
            rows.append({"question": r[0], "choices": r[1:5], "answer": "ABCD".index(r[5].strip())})
    return rows


def mmlu_subjects(data, only):
    test = pathlib.Path(data) / "mmlu" / "test"
    subjects = sorted(p.name[:-len("_test.csv")] for p in test.glob("*_test.csv"))
    if only:
        wanted = [s.strip() for s in only.split(",") if s.strip()]
        missing = [s for s in wanted if s not in subjects]
        if missing:
            sys.exit(f"lm_eval_agreement: no MMLU subject {', '.join(missing)} in {test}")
        subjects = sorted(wanted)
    return subjects


# ---------------------------------------------------------------- lm-eval's task configs

def yaml_line(key, value):
    return f"{key}: {json.dumps(value, ensure_ascii=False)}\n"  # JSON scalars and lists are YAML


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def write_tasks(a, work, bos):
    """Writes the docs and one lm-eval task config per task (per MMLU subject); returns
    {densing task: [lm-eval task names]} and {lm-eval task name: its docs}."""
    tasks_dir = work / "tasks"
    tasks_dir.mkdir(parents=True, exist_ok=True)
    names, docs_of = {}, {}

    def task_yaml(name, files, fields):
        text = yaml_line("task", name) + "dataset_path: json\n"
        text += yaml_line("dataset_kwargs", {"data_files": {k: str(v) for k, v in files.items()}})
        text += "output_type: multiple_choice\n" + "test_split: test\n"
        for key, value in fields.items():
            text += f"{key}: {value}\n" if key == "process_docs" else yaml_line(key, value)
        text += "metric_list:\n  - metric: acc\n    aggregation: mean\n    higher_is_better: true\n"
        text += "  - metric: acc_norm\n    aggregation: mean\n    higher_is_better: true\n"
        text += "metadata:\n  version: 1.0\n"
        (tasks_dir / f"{name}.yaml").write_text(text, encoding="utf-8")

    for task in a.tasks:
        if task.startswith("arc"):
            name = "densing_" + task.replace("-", "_")
            docs = arc_docs(a.data, task == "arc-challenge", a.limit)
            write_jsonl(work / f"{name}.jsonl", docs)
            # lm-eval's arc_easy: "Question: {{question}}\nAnswer:"; the local query holds "Question: …".
            task_yaml(name, {"test": work / f"{name}.jsonl"},
                      {"description": bos, "doc_to_text": "{{query}}\nAnswer:", "doc_to_target": "gold",
                       "doc_to_choice": "choices"})
            names[task], docs_of[name] = [name], docs
        elif task == "hellaswag":
            name = "densing_hellaswag"
            docs = hellaswag_docs(a.data, a.limit)
            write_jsonl(work / f"{name}.jsonl", docs)
            (tasks_dir / "densing_hellaswag_utils.py").write_text(
                "from lm_eval.tasks.hellaswag.utils import preprocess\n\n\n"
                "def process_docs(dataset):\n"
                "    def one(doc):\n"
                "        return {'query': preprocess(doc['context']),\n"
                "                'choices': [preprocess(e) for e in doc['endings']], 'gold': doc['label']}\n\n"
                "    return dataset.map(one)\n", encoding="utf-8")
            task_yaml(name, {"test": work / f"{name}.jsonl"},
                      {"description": bos, "process_docs": "!function densing_hellaswag_utils.process_docs",
                       "doc_to_text": "{{query}}", "doc_to_target": "{{gold}}", "doc_to_choice": "choices"})
            names[task], docs_of[name] = [name], docs
        else:  # mmlu: lm-eval's mmlu/default template, one task per subject
            names[task] = []
            for subject in mmlu_subjects(a.data, a.subjects):
                name = "densing_mmlu_" + subject
                root = pathlib.Path(a.data) / "mmlu"
                test = mmlu_rows(root / "test" / f"{subject}_test.csv")
                if a.limit:
                    test = test[:a.limit]
                dev = mmlu_rows(root / "dev" / f"{subject}_dev.csv")
                write_jsonl(work / f"{name}_test.jsonl", test)
                write_jsonl(work / f"{name}_dev.jsonl", dev)
                task_yaml(name, {"test": work / f"{name}_test.jsonl", "dev": work / f"{name}_dev.jsonl"},
                          {"description": bos + "The following are multiple choice questions (with answers) about "
                                          + subject.replace("_", " ") + ".\n\n",
                           "fewshot_split": "dev", "fewshot_config": {"sampler": "first_n"},
                           "num_fewshot": a.shots,
                           "doc_to_text": "{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\n"
                                          "C. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:",
                           "doc_to_choice": ["A", "B", "C", "D"], "doc_to_target": "answer"})
                names[task].append(name)
                docs_of[name] = test
    return names, docs_of


# ---------------------------------------------------------------- the two runs

def densing_eval(a, work):
    data = pathlib.Path(a.data)
    if "mmlu" in a.tasks and a.subjects:  # a data folder holding only the chosen subjects
        data = work / "data"
        for sub in ("test", "dev"):
            (data / "mmlu" / sub).mkdir(parents=True, exist_ok=True)
            for s in mmlu_subjects(a.data, a.subjects):
                link = data / "mmlu" / sub / f"{s}_{sub}.csv"
                if not link.exists():
                    link.symlink_to(pathlib.Path(a.data).resolve() / "mmlu" / sub / f"{s}_{sub}.csv")
        for other in ("hellaswag", "arc"):
            if not (data / other).exists():
                (data / other).symlink_to(pathlib.Path(a.data).resolve() / other)
    rows = []
    for task in a.tasks:  # one run per task: --shots is MMLU's, the others are 0-shot
        samples = work / f"densing_{task}.jsonl"
        cmd = [a.densing, "eval", "-m", a.model, "--task", task, "--data", str(data), "--samples", str(samples),
               "-c", str(a.ctx_size), "-t", str(a.threads), "--shots", str(a.shots if task == "mmlu" else 0)]
        if a.limit:
            cmd += ["--limit", str(a.limit)]
        run_densing(cmd)
        rows += read_jsonl(samples)
    return rows


def run_densing(cmd):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"lm_eval_agreement: densing eval failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    sys.stderr.write(r.stdout)


def read_jsonl(path):
    return [json.loads(l) for l in pathlib.Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


class Server:
    """`densing serve` on a free loopback port."""

    def __init__(self, a):
        cmd = [a.densing, "serve", "-m", a.model, "--port", "0", "-t", str(a.threads), "-c", str(a.ctx_size),
               "--parallel", "1"]
        print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url, self.log, found = None, [], threading.Event()

        def read():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            self.stop()
            sys.exit("lm_eval_agreement: densing serve did not start:\n" + "".join(self.log))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def get_json(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def lm_eval_run(a, work, server_url, task_names):
    import lm_eval
    from lm_eval.tasks import TaskManager

    model_id = get_json(server_url + "/v1/models")["data"][0]["id"]
    manager = TaskManager(include_path=str(work / "tasks"), include_defaults=False)
    out = lm_eval.simple_evaluate(
        model="local-completions",
        model_args={"base_url": server_url + "/v1/completions", "model": model_id, "tokenizer_backend": "remote",
                    "tokenized_requests": True, "max_length": a.ctx_size, "num_concurrent": 1, "max_retries": 1},
        tasks=task_names, task_manager=manager, batch_size=1, bootstrap_iters=0, log_samples=True)
    return out["samples"]


# ---------------------------------------------------------------- the comparison

def argmax(xs):
    best = 0
    for i, x in enumerate(xs):
        if x > xs[best]:
            best = i
    return best


def is_tie(xs, tol):
    s = sorted(xs, reverse=True)
    return len(s) > 1 and s[0] - s[1] < tol


def lm_args(sample):
    """[(context, continuation)] of an lm-eval sample (a list of pairs or of {"arg_0", "arg_1"})."""
    out = []
    for x in sample["arguments"]:
        if isinstance(x, dict):
            x = [x[k] for k in sorted(x)]
        out.append((x[0], x[1]))
    return out


def lm_lls(sample):
    return [float(r[0]) if isinstance(r, (list, tuple)) else float(r) for r in sample["filtered_resps"]]


def compare_task(task, d_items, l_samples, bos, tol):
    """Item by item: the prompts, acc's and acc_norm's picks and the log-probabilities."""
    l_samples = sorted(l_samples, key=lambda s: s["doc_id"])
    r = {"task": task, "n_densing": len(d_items), "n_lm_eval": len(l_samples), "prompt_mismatch": 0,
         "agree": 0, "disagree": 0, "ties": 0, "agree_norm": 0, "disagree_norm": 0, "ties_norm": 0,
         "acc_densing": 0.0, "acc_lm_eval": 0.0, "acc_norm_densing": 0.0, "acc_norm_lm_eval": 0.0,
         "max_abs_logprob_diff": 0.0, "items": []}
    for d, l in zip(d_items, l_samples):
        args = lm_args(l)
        context = args[0][0][len(bos):] if bos and args[0][0].startswith(bos) else args[0][0]
        same_prompt = context == d["context"] and [c for _, c in args] == [" " + c for c in d["choices"]]
        lls = lm_lls(l)
        n_chars = [len(c) for c in d["choices"]]
        d_norm = [x / max(n, 1) for x, n in zip(d["log_probs"], n_chars)]
        l_norm = [x / max(n, 1) for x, n in zip(lls, n_chars)]
        l_pred, l_pred_norm = argmax(lls), argmax(l_norm)
        tie = is_tie(d["log_probs"], tol) or is_tie(lls, tol)
        tie_norm = is_tie(d_norm, tol / max(min(n_chars), 1)) or is_tie(l_norm, tol / max(min(n_chars), 1))
        r["acc_densing"] += d["acc"]
        r["acc_lm_eval"] += float(l["acc"])
        r["acc_norm_densing"] += d["acc_norm"]
        r["acc_norm_lm_eval"] += float(l.get("acc_norm", l["acc"]))
        if len(lls) == len(d["log_probs"]):
            r["max_abs_logprob_diff"] = max([r["max_abs_logprob_diff"]] +
                                            [abs(x - y) for x, y in zip(lls, d["log_probs"])])
        agree = d["pred"] == l_pred and d["acc"] == float(l["acc"])
        agree_norm = d["pred_norm"] == l_pred_norm and d["acc_norm"] == float(l.get("acc_norm", d["acc_norm"]))
        r["prompt_mismatch"] += not same_prompt
        r["ties" if tie else ("agree" if agree else "disagree")] += 1
        r["ties_norm" if tie_norm else ("agree_norm" if agree_norm else "disagree_norm")] += 1
        if not same_prompt or (not tie and not agree) or (not tie_norm and not agree_norm):
            r["items"].append({"line": d.get("line"), "doc_id": l["doc_id"], "same_prompt": same_prompt,
                               "densing_context": d["context"][-200:], "lm_eval_context": context[-200:],
                               "densing_log_probs": d["log_probs"], "lm_eval_log_probs": lls,
                               "densing_pred": d["pred"], "lm_eval_pred": l_pred,
                               "densing_pred_norm": d["pred_norm"], "lm_eval_pred_norm": l_pred_norm})
    n = max(len(l_samples), 1)
    for k in ("acc_densing", "acc_lm_eval", "acc_norm_densing", "acc_norm_lm_eval"):
        r[k] /= n
    return r


def group_densing(rows, names):
    """densing's samples per lm-eval task name, in file order (MMLU by the subject in its context)."""
    by = {}
    for row in rows:
        if row["task"] == "mmlu":
            m = re.match(r"(?:.*?)The following are multiple choice questions \(with answers\) about (.+?)\.\n", row["context"])
            key = "densing_mmlu_" + (m.group(1).replace(" ", "_") if m else "?")
        else:
            key = "densing_" + row["task"].replace("-", "_")
        by.setdefault(key, []).append(row)
    return by


def main(argv=None):
    a = parse_args(argv)
    try:
        import lm_eval  # noqa: F401
    except ImportError:
        sys.exit("lm_eval_agreement: the lm_eval package is missing (scripts/setup installs it into .venv)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    work = pathlib.Path(a.work) if a.work else pathlib.Path(tempfile.mkdtemp(prefix="lm_eval_agreement."))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_DATASETS_CACHE", str(work / "hf_datasets"))
    started = time.time()
    try:
        # Both sides run one copy of the binary: a build of the tree in the meantime (another
        # session's, on a shared machine) would otherwise change the numbers between them.
        binary = work / "densing"
        shutil.copy2(a.densing, binary)
        a.densing = str(binary)
        rows = densing_eval(a, work)
        t_densing = time.time() - started
        server = Server(a)
        try:
            info = get_json(server.url + "/tokenizer_info")
            bos = info["bos_token"] if info.get("add_bos_token") and info.get("bos_token") else ""
            names, _ = write_tasks(a, work, bos)
            all_names = [n for t in a.tasks for n in names[t]]
            samples = lm_eval_run(a, work, server.url, all_names)
            with open(work / "lm_eval_samples.json", "w", encoding="utf-8") as f:
                json.dump(samples, f, ensure_ascii=False, default=str)
        finally:
            server.stop()
        t_lm_eval = time.time() - started - t_densing
        by = group_densing(rows, names)
        results = []
        for task in a.tasks:
            parts = [compare_task(n, by.get(n, []), samples.get(n, []), bos, a.tie) for n in names[task]]
            total = {"task": task}
            for k in ("n_densing", "n_lm_eval", "prompt_mismatch", "agree", "disagree", "ties", "agree_norm",
                      "disagree_norm", "ties_norm"):
                total[k] = sum(p[k] for p in parts)
            n = max(total["n_lm_eval"], 1)
            for k in ("acc_densing", "acc_lm_eval", "acc_norm_densing", "acc_norm_lm_eval"):
                total[k] = sum(p[k] * p["n_lm_eval"] for p in parts) / n
            total["max_abs_logprob_diff"] = max([p["max_abs_logprob_diff"] for p in parts] or [0.0])
            total["items"] = [dict(i, subtask=p["task"]) for p in parts for i in p["items"]]
            results.append(total)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)

    print(f"{'task':<14}{'n':>7}{'acc densing':>13}{'acc lm-eval':>13}{'agree':>8}{'ties':>6}{'differ':>8}"
          f"{'norm agree':>12}{'ties':>6}{'differ':>8}{'prompts ≠':>11}{'max |Δ log p|':>15}")
    ok = True
    for r in results:
        print(f"{r['task']:<14}{r['n_lm_eval']:>7}{100 * r['acc_densing']:>12.2f}%{100 * r['acc_lm_eval']:>12.2f}%"
              f"{r['agree']:>8}{r['ties']:>6}{r['disagree']:>8}{r['agree_norm']:>12}{r['ties_norm']:>6}"
              f"{r['disagree_norm']:>8}{r['prompt_mismatch']:>11}{r['max_abs_logprob_diff']:>15.2e}")
        ok = ok and r["n_densing"] == r["n_lm_eval"] > 0 and not r["disagree"] and not r["disagree_norm"] \
            and not r["prompt_mismatch"] and not (a.max_diff and r["max_abs_logprob_diff"] > a.max_diff)
    print(f"(densing eval {t_densing:.0f} s; lm-eval through densing serve {t_lm_eval:.0f} s)")
    for r in results:
        for item in r["items"][:3]:
            print(f"  {r['task']} {item.get('subtask', '')} line {item['line']}: densing {item['densing_pred']} "
                  f"{[round(x, 4) for x in item['densing_log_probs']]} vs lm-eval {item['lm_eval_pred']} "
                  f"{[round(x, 4) for x in item['lm_eval_log_probs']]}"
                  + ("" if item["same_prompt"] else f"; prompts differ: {item['densing_context']!r} vs "
                                                     f"{item['lm_eval_context']!r}"))
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps({"model": a.model, "limit": a.limit, "tie": a.tie,
                                                    "tasks": results}, indent=1), encoding="utf-8")
    if a.check and not ok:
        print("lm_eval_agreement: densing eval and lm-evaluation-harness disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
