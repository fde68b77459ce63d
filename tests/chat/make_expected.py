#!/usr/bin/python3
"""Regenerates tests/chat/expected/*.json: the reference renderings of the chat-template tests.

tool_cases.json renders each template the way transformers renders a chat with tools: `tools` (or
SmolLM3's `xml_tools`, given the functions themselves as its model card does) next to messages whose
tool calls carry their arguments as objects. SmolLM3 prints today's date; it is replaced by
"{TODAY}" (the C++ test does the same).

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

from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent


class Generation(Extension):
    """transformers' {% generation %} marker of assistant text, rendered as its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


def make_env(trim_blocks=True, lstrip_blocks=True):
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=trim_blocks, lstrip_blocks=lstrip_blocks,
                                        extensions=["jinja2.ext.loopcontrols", Generation])
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

    tools = json.loads((HERE / "tool_cases.json").read_text(encoding="utf-8"))
    today = datetime.now().strftime("%d %B %Y")
    expected = {}
    for case in tools:
        source = (HERE / "templates" / (case["template"] + ".jinja")).read_text(encoding="utf-8")
        context = {
            "messages": case["messages"],
            "tools": None,
            "documents": None,
            "add_generation_prompt": case["add_generation_prompt"],
            "bos_token": case["bos_token"],
            "eos_token": case["eos_token"],
        }
        if case["hf_tools_var"] == "xml_tools":
            context["xml_tools"] = [t["function"] for t in case["tools"]]
        else:
            context["tools"] = case["tools"]
        context.update(case.get("extra", {}))
        result = render(env, source, context)
        if "output" in result:
            result["output"] = result["output"].replace("Today Date: " + today, "Today Date: {TODAY}")
        expected[case["name"]] = result
    write(HERE / "expected" / "tool_expected.json", expected)


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(data)} cases)")


if __name__ == "__main__":
    main()
