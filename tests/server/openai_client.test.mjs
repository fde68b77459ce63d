// densing serve through the official OpenAI client: models, chat, streaming chat, completions
// with echo and logprobs (the form lm-evaluation-harness uses), stop strings and seeds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startServer } from './server_process.mjs';

const KEY = 'sk-densing-test';
let server;
let client;
let modelId;

before(async () => {
  server = await startServer(['--parallel', '4', '-c', '512', '--api-key', KEY]);
  client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 20_000 });
});
after(async () => server && (await server.stop()));

const chatParams = () => ({
  model: modelId,
  messages: [
    { role: 'system', content: 'You tell short stories.' },
    { role: 'user', content: 'Tell me about a cat.' },
  ],
  max_tokens: 24,
  temperature: 0,
});

test('models lists the served model', async () => {
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  assert.equal(models.length, 1);
  assert.equal(models[0].id, 'stories260K');
  assert.equal(models[0].object, 'model');
  modelId = models[0].id;
});

test('chat completion', async () => {
  const r = await client.chat.completions.create(chatParams());
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 24);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 24);
});

test('streaming chat equals the whole answer, with usage at the end', async () => {
  const whole = await client.chat.completions.create(chatParams());
  const stream = await client.chat.completions.create({
    ...chatParams(),
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    ++chunks;
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
  }
  assert.ok(chunks > 3);
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'length');
  assert.deepEqual(usage, whole.usage);
});

test('chat logprobs', async () => {
  const r = await client.chat.completions.create({ ...chatParams(), logprobs: true, top_logprobs: 3 });
  const content = r.choices[0].logprobs.content;
  assert.equal(content.length, 24);
  assert.equal(content.map((t) => t.token).join(''), r.choices[0].message.content);
  for (const t of content) {
    assert.ok(t.logprob <= 0);
    assert.equal(t.top_logprobs.length, 3);
    // Greedy: the chosen token is the most likely one.
    assert.equal(t.top_logprobs[0].logprob, t.logprob);
  }
});

test('completion with echo and logprobs of the prompt', async () => {
  const prompt = 'Once upon a time, there was a little dog';
  const r = await client.completions.create({
    model: modelId,
    prompt,
    max_tokens: 0,
    echo: true,
    logprobs: 2,
    temperature: 0,
  });
  assert.equal(r.object, 'text_completion');
  const c = r.choices[0];
  assert.equal(c.text, prompt);
  const lp = c.logprobs;
  assert.equal(lp.tokens.length, r.usage.prompt_tokens);
  assert.equal(lp.token_logprobs[0], null);
  assert.equal(lp.top_logprobs[0], null);
  for (let i = 1; i < lp.tokens.length; ++i) {
    assert.ok(lp.token_logprobs[i] < 0 && lp.token_logprobs[i] > -30);
    assert.ok(Object.keys(lp.top_logprobs[i]).length >= 1);
  }
  assert.equal(r.usage.completion_tokens, 0);
});

test('completion from token ids, echo plus generated tokens (lm-eval form)', async () => {
  const ids = [1, 403, 407, 261, 378];  // <s> Once upon a time
  const r = await client.completions.create({
    model: modelId,
    prompt: ids,
    max_tokens: 5,
    echo: true,
    logprobs: 1,
    temperature: 0,
  });
  const lp = r.choices[0].logprobs;
  assert.equal(lp.tokens.length, ids.length + 5);
  assert.equal(lp.token_logprobs.length, ids.length + 5);
  for (let i = ids.length; i < lp.tokens.length; ++i) {
    const best = Object.entries(lp.top_logprobs[i])[0];
    assert.equal(best[0], lp.tokens[i]);  // greedy picks the top token
  }
  assert.ok(r.choices[0].text.length > 0);
  assert.equal(r.usage.prompt_tokens, ids.length);
});

test('stop strings end the text before them', async () => {
  const base = { model: modelId, prompt: 'Once upon a time', max_tokens: 40, temperature: 0 };
  const full = (await client.completions.create(base)).choices[0].text;
  const stop = full.slice(20, 26);
  const cut = full.indexOf(stop);
  const r = await client.completions.create({ ...base, stop: [stop, 'zzzz'] });
  assert.equal(r.choices[0].text, full.slice(0, cut));
  assert.equal(r.choices[0].finish_reason, 'stop');
  // The same through a stream: no piece of the stop string leaks.
  const stream = await client.completions.create({ ...base, stop, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
  assert.equal(text, full.slice(0, cut));
});

test('a seed makes sampling repeatable; penalties are accepted', async () => {
  const params = {
    model: modelId,
    prompt: 'The little bird',
    max_tokens: 30,
    temperature: 1,
    seed: 1234,
    presence_penalty: 0.5,
    frequency_penalty: 0.5,
  };
  const a = await client.completions.create(params);
  const b = await client.completions.create(params);
  assert.equal(a.choices[0].text, b.choices[0].text);
});

test('bad requests are 400 with an OpenAI error body', async () => {
  const cases = [
    [{ ...chatParams(), n: 2 }, 'n', null],
    [{ ...chatParams(), model: 'no-such-model' }, 'model', 'model_not_found'],
    [{ ...chatParams(), temperature: 5 }, 'temperature', null],
    [{ ...chatParams(), messages: [] }, 'messages', null],
    [{ ...chatParams(), n_keep: -2 }, 'n_keep', null],
  ];
  for (const [body, param, code] of cases) {
    await assert.rejects(client.chat.completions.create(body), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `${param}: ${e}`);
      assert.equal(e.status, 400);
      assert.equal(e.error.param, param);
      assert.equal(e.error.type, 'invalid_request_error');
      assert.equal(e.code ?? null, code);
      assert.equal(typeof e.error.message, 'string');
      return true;
    });
  }
});

test('a wrong or missing API key is 401', async () => {
  for (const apiKey of ['sk-wrong', '']) {
    const bad = new OpenAI({ apiKey: apiKey || 'x', baseURL: `${server.url}/v1`, maxRetries: 0 });
    if (!apiKey) bad.apiKey = '';
    await assert.rejects(bad.models.list(), (e) => {
      assert.ok(e instanceof OpenAI.AuthenticationError, String(e));
      assert.equal(e.code, 'invalid_api_key');
      return true;
    });
  }
  const health = await fetch(`${server.url}/health`);  // health needs no key
  assert.equal(health.status, 200);
});

test('keys from --api-key-file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'densing-'));
  const file = join(dir, 'keys.txt');
  writeFileSync(file, '# one key per line\nsk-first\nsk-second\n');
  const keyed = await startServer(['--api-key-file', file]);
  try {
    for (const apiKey of ['sk-first', 'sk-second']) {
      const c = new OpenAI({ apiKey, baseURL: `${keyed.url}/v1`, maxRetries: 0 });
      const r = await c.completions.create({ model: 'stories260K', prompt: 'Once', max_tokens: 2 });
      assert.equal(r.usage.completion_tokens, 2);
    }
    const wrong = new OpenAI({ apiKey: 'sk-third', baseURL: `${keyed.url}/v1`, maxRetries: 0 });
    await assert.rejects(wrong.models.list(), OpenAI.AuthenticationError);
  } finally {
    await keyed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('temperature changes the distribution of sampled tokens', async () => {
  const firstTokens = async (temperature) => {
    const seen = [];
    for (let seed = 1; seed <= 40; ++seed) {
      const r = await client.completions.create({
        model: modelId, prompt: 'Once upon a time, there was a', max_tokens: 1, temperature, seed,
      });
      seen.push(r.choices[0].text);
    }
    return seen;
  };
  const greedy = (await client.completions.create({
    model: modelId, prompt: 'Once upon a time, there was a', max_tokens: 1, temperature: 0,
  })).choices[0].text;
  const cold = await firstTokens(0.1);
  const hot = await firstTokens(2);
  const share = (xs) => xs.filter((t) => t === greedy).length / xs.length;
  assert.ok(share(cold) > 0.9, `at 0.1 the greedy token should dominate: ${share(cold)}`);
  assert.ok(share(hot) < share(cold) - 0.3, `at 2 it should not: ${share(hot)} vs ${share(cold)}`);
  assert.ok(new Set(hot).size > new Set(cold).size + 3, `${new Set(hot).size} vs ${new Set(cold).size}`);
});

// Greedy with penalties picks, at each step, the token whose raw log-probability (the logprobs
// the server reports are the model's own) minus count · frequency_penalty minus presence_penalty
// (if seen) over everything before it (OpenAI's penalties count the whole context) is largest.
test('presence and frequency penalties change logits exactly as their formula says', async () => {
  const presence = 0.5, frequency = 1.5;
  const r = await client.completions.create({
    model: modelId, prompt: 'Once upon a time, there was a little girl. The girl', max_tokens: 30,
    temperature: 0, presence_penalty: presence, frequency_penalty: frequency, echo: true, logprobs: 20,
  });
  const lp = r.choices[0].logprobs;
  const n_prompt = r.usage.prompt_tokens;
  let checked = 0, repeats_avoided = 0;
  for (let i = n_prompt; i < lp.tokens.length; ++i) {
    const counts = new Map();
    for (const t of lp.tokens.slice(0, i)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const scored = Object.entries(lp.top_logprobs[i]).map(([t, l]) => {
      const c = counts.get(t) ?? 0;
      return [t, l - c * frequency - (c > 0 ? presence : 0), l];
    }).sort((a, b) => b[1] - a[1]);
    const rawBest = Object.entries(lp.top_logprobs[i]).sort((a, b) => b[1] - a[1])[0][0];
    // The winner must be in the top 20 and clear of a near tie to be decided here.
    if (scored.length < 2 || scored[0][1] - scored[1][1] < 1e-3 || scored[0][1] < scored[scored.length - 1][2]) continue;
    assert.equal(lp.tokens[i], scored[0][0], `step ${i - n_prompt}`);
    ++checked;
    if (rawBest !== scored[0][0]) ++repeats_avoided;
  }
  assert.ok(checked >= 20, `only ${checked} steps could be decided`);
  assert.ok(repeats_avoided >= 3, `the penalties changed only ${repeats_avoided} choices`);
});

test('a seeded request at temperature 1 batched with others equals the same request alone', async () => {
  const mine = { model: modelId, prompt: 'The little bird', max_tokens: 30, temperature: 1, seed: 99 };
  const alone = (await client.completions.create(mine)).choices[0].text;
  const others = [1, 2, 3].map((s) =>
    client.completions.create({ model: modelId, prompt: `Tom and ${'Sue '.repeat(s)}`, max_tokens: 40, temperature: 1, seed: s }));
  const [together] = await Promise.all([client.completions.create(mine), ...others]);
  assert.equal(together.choices[0].text, alone);
});

test('one model by id, and the routes without the /v1 prefix', async () => {
  const m = await client.models.retrieve('stories260K');
  assert.equal(m.id, 'stories260K');
  assert.equal(m.object, 'model');
  await assert.rejects(client.models.retrieve('no-such-model'), OpenAI.NotFoundError);
  const bare = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
  const models = [];
  for await (const x of bare.models.list()) models.push(x.id);
  assert.deepEqual(models, ['stories260K']);
  const params = { model: modelId, prompt: 'Once upon a time', max_tokens: 8, temperature: 0 };
  const [a, b] = await Promise.all([bare.completions.create(params), client.completions.create(params)]);
  assert.equal(a.choices[0].text, b.choices[0].text);
});
