// Tool calls through the official OpenAI npm client: a round trip (tools -> tool_calls -> a tool
// message -> an answer), streamed and not, with tool_choice "required" so that the random-weight
// test model answers with a call, and the client's own stream helper assembling the call deltas.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startServer } from './server_process.mjs';

let server;
let client;

before(async () => {
  server = await startServer(['-c', '4096']);
  client = new OpenAI({ apiKey: 'none', baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 60_000 });
});
after(async () => server && (await server.stop()));

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'The local time in a time zone.',
      parameters: {
        type: 'object',
        properties: { zone: { type: 'string', enum: ['UTC', 'CET', 'JST'] } },
        required: ['zone'],
      },
    },
  },
];
const question = [{ role: 'user', content: 'What time is it in Tokyo?' }];

function checkCall(call) {
  assert.equal(call.type, 'function');
  assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
  assert.equal(call.function.name, 'get_time');
  const args = JSON.parse(call.function.arguments);
  assert.deepEqual(Object.keys(args), ['zone']);
  assert.ok(['UTC', 'CET', 'JST'].includes(args.zone));
}

async function answer(calls, stream) {
  const messages = [
    ...question,
    { role: 'assistant', content: null, tool_calls: calls },
    ...calls.map((c) => ({ role: 'tool', tool_call_id: c.id, content: '21:04' })),
  ];
  const params = { model: 'stories260K', messages, tools, max_tokens: 16, seed: 3 };
  if (!stream) {
    const r = await client.chat.completions.create(params);
    assert.equal(typeof r.choices[0].message.content, 'string');
    assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
    return;
  }
  let text = '';
  for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.ok(text.length > 0);
}

test('tool-call round trip', async () => {
  const r = await client.chat.completions.create({
    model: 'stories260K',
    messages: question,
    tools,
    tool_choice: 'required',
    parallel_tool_calls: false,
    max_tokens: 120,
    seed: 1,
  });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(r.choices[0].message.content, null);
  assert.equal(r.choices[0].message.tool_calls.length, 1);
  checkCall(r.choices[0].message.tool_calls[0]);
  await answer(r.choices[0].message.tool_calls, false);
});

test('tool-call round trip, streamed, assembled by the client', async () => {
  const stream = client.chat.completions.stream({
    model: 'stories260K',
    messages: question,
    tools,
    tool_choice: 'required',
    parallel_tool_calls: false,
    max_tokens: 120,
    seed: 2,
  });
  const done = await stream.finalChatCompletion();
  const choice = done.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  checkCall(choice.message.tool_calls[0]);
  await answer(choice.message.tool_calls, true);
});
