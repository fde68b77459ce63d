#!/usr/bin/python3
"""Regenerates tests/chat/expected/*.json: the reference renderings of the chat-template tests.

The reference is Python's Jinja2 (Debian: apt-get install python3-jinja2; run with
/usr/bin/python3) set up the way Hugging Face transformers' apply_chat_template sets it up:
an ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and the loopcontrols extension,
a tojson filter that calls json.dumps(ensure_ascii=False), and the globals raise_exception() and
strftime_now(). Templates receive messages, tools=None, documents=None, add_generation_prompt,
bos_token and eos_token, plus each case's "extra" variables.

Usage: /usr/bin/python3 tests/chat/make_expected.py
"""
import json
import pathlib
from datetime import datetime

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent


def make_env(trim_blocks=True, lstrip_blocks=True):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=trim_blocks, lstrip_blocks=lstrip_blocks,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, context):
    try:
        return {"output": env.from_string(source).render(**context)}
    except Exception as e:  # the C++ side must throw densing::Error for each of these
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    features = json.loads((HERE / "feature_cases.json").read_text(encoding="utf-8"))
    expected = {}
    for case in features:
        env = make_env(**case.get("options", {}))
        expected[case["name"]] = render(env, case["template"], case.get("context", {}))
    write(HERE / "expected" / "feature_expected.json", expected)

    chats = json.loads((HERE / "chat_cases.json").read_text(encoding="utf-8"))
    env = make_env()
    expected = {}
    for case in chats:
        source = (HERE / "templates" / (case["template"] + ".jinja")).read_text(encoding="utf-8")
        context = {
            "messages": case["messages"],
            "tools": None,
            "documents": None,
            "add_generation_prompt": case["add_generation_prompt"],
            "bos_token": case["bos_token"],
            "eos_token": case["eos_token"],
        }
        context.update(case.get("extra", {}))
        expected[case["name"]] = render(env, source, context)
    write(HERE / "expected" / "chat_expected.json", expected)


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(data)} cases)")


if __name__ == "__main__":
    main()
