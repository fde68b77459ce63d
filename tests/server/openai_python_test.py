"""densing serve through the official `openai` Python client: tool calling (a round trip with a
`tool` message, streamed and not; tool_choice "required" and a named function always giving a
well-formed call, even from a random-weight model), a bad tool_choice refused with its field,
and a JSON-schema response read by the client's structured-output helper.

Run by run_openai_python_tests.sh (CTest: server_openai_python) with DENSING_BINARY and
DENSING_MODEL set.
"""
import json
import os
import re
import subprocess
import threading
import unittest

import openai
import pydantic

BINARY = os.environ["DENSING_BINARY"]
MODEL = os.environ["DENSING_MODEL"]

# Bounded arguments (an enum and a small integer range), so that a random-weight model finishes
# a call well within max_tokens.
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "enum": ["Paris", "Oslo", "Lima"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "days"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The local time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {"zone": {"type": "string", "enum": ["UTC", "CET", "JST"]}},
            "required": ["zone"],
        },
    },
}
TOOLS = [WEATHER, TIME]
QUESTION = [{"role": "user", "content": "What is the weather in Paris this week?"}]


def check_arguments(test, name, arguments):
    """The arguments parse as JSON and satisfy the function's schema."""
    args = json.loads(arguments)
    if name == "get_weather":
        test.assertEqual(set(args), {"city", "days"})
        test.assertIn(args["city"], ["Paris", "Oslo", "Lima"])
        test.assertIsInstance(args["days"], int)
        test.assertTrue(1 <= args["days"] <= 7)
    else:
        test.assertEqual(name, "get_time")
        test.assertEqual(set(args), {"zone"})
        test.assertIn(args["zone"], ["UTC", "CET", "JST"])
    return args


class Server:
    """`densing serve` on a free loopback port, stopped at the end."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [BINARY, "serve", "-m", MODEL, "--port", "0", "-t", "2", "-c", "4096",
             "--parallel", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        found = threading.Event()
        self.url = None
        self.log = []

        def read():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(10):
            self.stop()
            raise RuntimeError("densing serve did not start in 10 s:\n" + "".join(self.log))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class OpenAiPythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.client = openai.OpenAI(base_url=cls.server.url + "/v1", api_key="none",
                                   max_retries=0, timeout=60)
        cls.model = cls.client.models.list().data[0].id

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def create(self, **kw):
        kw.setdefault("model", self.model)
        kw.setdefault("max_tokens", 120)
        return self.client.chat.completions.create(**kw)

    def test_required_always_gives_a_well_formed_call(self):
        # One call per answer: the grammar then ends after it, so the answer ends too.
        for seed in range(6):
            r = self.create(messages=QUESTION, tools=TOOLS, tool_choice="required", seed=seed,
                            temperature=1.0, parallel_tool_calls=False)
            choice = r.choices[0]
            self.assertEqual(choice.finish_reason, "tool_calls", f"seed {seed}")
            self.assertIsNone(choice.message.content)
            self.assertEqual(len(choice.message.tool_calls), 1, f"seed {seed}")
            call = choice.message.tool_calls[0]
            self.assertEqual(call.type, "function")
            self.assertTrue(call.id.startswith("call_"))
            check_arguments(self, call.function.name, call.function.arguments)

    def test_parallel_calls_are_each_well_formed(self):
        # A random model may go on calling until max_tokens; every complete call is well-formed.
        for seed in range(3):
            r = self.create(messages=QUESTION, tools=TOOLS, tool_choice="required", seed=seed)
            choice = r.choices[0]
            self.assertIn(choice.finish_reason, ("tool_calls", "length"))
            self.assertTrue(choice.message.tool_calls, f"seed {seed}")
            for call in choice.message.tool_calls:
                check_arguments(self, call.function.name, call.function.arguments)

    def test_named_function(self):
        for seed in range(3):
            r = self.create(messages=QUESTION, tools=TOOLS, seed=seed, parallel_tool_calls=False,
                            tool_choice={"type": "function", "function": {"name": "get_time"}})
            self.assertEqual(r.choices[0].finish_reason, "tool_calls")
            calls = r.choices[0].message.tool_calls
            self.assertEqual(len(calls), 1)
            self.assertEqual(calls[0].function.name, "get_time")
            check_arguments(self, calls[0].function.name, calls[0].function.arguments)

    def round_trip(self, stream):
        # 1: the model calls a tool.
        first = dict(messages=QUESTION, tools=TOOLS, tool_choice="required", seed=7,
                     parallel_tool_calls=False)
        if stream:
            calls = {}
            finish = None
            content = ""
            for chunk in self.create(stream=True, **first):
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                content += delta.content or ""
                for tc in delta.tool_calls or []:
                    if tc.index not in calls:  # the first delta of a call names it
                        self.assertTrue(tc.id.startswith("call_"))
                        self.assertEqual(tc.type, "function")
                        self.assertEqual(tc.function.arguments, "")
                        calls[tc.index] = {"id": tc.id, "type": "function",
                                           "function": {"name": tc.function.name,
                                                        "arguments": ""}}
                    else:
                        self.assertIsNone(tc.id)
                        calls[tc.index]["function"]["arguments"] += tc.function.arguments or ""
                finish = chunk.choices[0].finish_reason or finish
            self.assertEqual(finish, "tool_calls")
            self.assertEqual(content, "")
            tool_calls = [calls[i] for i in sorted(calls)]
        else:
            r = self.create(**first)
            self.assertEqual(r.choices[0].finish_reason, "tool_calls")
            self.assertIsNone(r.choices[0].message.content)
            tool_calls = [c.model_dump() for c in r.choices[0].message.tool_calls]
        self.assertTrue(tool_calls)
        # 2: the results go back as tool messages; the model answers in text.
        messages = list(QUESTION)
        messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
        for call in tool_calls:
            check_arguments(self, call["function"]["name"], call["function"]["arguments"])
            messages.append({"role": "tool", "tool_call_id": call["id"],
                             "content": json.dumps({"temperature_c": 18, "sky": "cloudy"})})
        final = dict(messages=messages, tools=TOOLS, tool_choice="none", seed=7, max_tokens=24)
        if stream:
            text = ""
            finish = None
            for chunk in self.create(stream=True, **final):
                if chunk.choices:
                    self.assertFalse(chunk.choices[0].delta.tool_calls)
                    text += chunk.choices[0].delta.content or ""
                    finish = chunk.choices[0].finish_reason or finish
        else:
            r = self.create(**final)
            self.assertFalse(r.choices[0].message.tool_calls)
            text = r.choices[0].message.content
            finish = r.choices[0].finish_reason
        self.assertIsInstance(text, str)
        self.assertTrue(text)
        self.assertIn(finish, ("stop", "length"))

    def test_round_trip(self):
        self.round_trip(stream=False)

    def test_round_trip_streamed(self):
        self.round_trip(stream=True)

    def test_tool_choice_naming_a_missing_function_is_refused(self):
        with self.assertRaises(openai.BadRequestError) as caught:
            self.create(messages=QUESTION, tools=TOOLS,
                        tool_choice={"type": "function", "function": {"name": "nope"}})
        self.assertEqual(caught.exception.status_code, 400)
        self.assertIn("nope", caught.exception.message)
        self.assertEqual(caught.exception.body["param"], "tool_choice.function.name")

    def test_parameters_that_are_not_an_object_schema_are_refused(self):
        bad = {"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}
        with self.assertRaises(openai.BadRequestError) as caught:
            self.create(messages=QUESTION, tools=[bad])
        self.assertEqual(caught.exception.body["param"], "tools[0].function.parameters")

    def test_structured_output_parsed_by_the_client(self):
        class Forecast(pydantic.BaseModel):
            city: str = pydantic.Field(max_length=12)
            days: int = pydantic.Field(ge=1, le=7)
            sunny: bool

        parse = getattr(self.client.chat.completions, "parse", None) or \
            self.client.beta.chat.completions.parse
        for seed in range(3):
            r = parse(model=self.model, messages=QUESTION, response_format=Forecast, seed=seed,
                      max_tokens=120)
            choice = r.choices[0]
            self.assertEqual(choice.finish_reason, "stop", choice.message.content)
            forecast = choice.message.parsed
            self.assertIsInstance(forecast, Forecast)
            self.assertTrue(1 <= forecast.days <= 7)


if __name__ == "__main__":
    unittest.main(verbosity=2)
