// Continuous batching seen from clients: 32 streams at once on 4 slots each get exactly what the
// same request gets alone (temperature 0), and a full queue answers 503 with Retry-After.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startServer } from './server_process.mjs';

let server;
let client;

before(async () => {
  server = await startServer(['--parallel', '4', '-c', '256', '--queue', '64']);
  client = new OpenAI({ apiKey: 'none', baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 30_000 });
});
after(async () => server && (await server.stop()));

const names = ['Lily', 'Tom', 'Sue', 'Max', 'Ben', 'Amy', 'Tim', 'Sam'];
const request = (i) => ({
  model: 'stories260K',
  messages: [{ role: 'user', content: `A story about ${names[i % 8]} and ${names[(i * 3 + 1) % 8]}.` }],
  max_tokens: 16 + (i % 5) * 8,
  temperature: 0,
});

async function streamText(params) {
  const stream = await client.chat.completions.create({ ...params, stream: true });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
  }
  return { text, finish };
}

test('32 concurrent streams on 4 slots equal each request served alone', async () => {
  const alone = [];
  for (let i = 0; i < 32; ++i) alone.push(await streamText(request(i)));
  const together = await Promise.all(Array.from({ length: 32 }, (_, i) => streamText(request(i))));
  for (let i = 0; i < 32; ++i) {
    assert.ok(alone[i].finish, `request ${i} did not finish`);
    assert.deepEqual(together[i], alone[i], `request ${i}`);
  }
});

test('a full queue answers 503 with Retry-After', async () => {
  // One slot of 64k tokens: the first request, left alone, would generate for minutes.
  const busy = await startServer(['--parallel', '1', '--queue', '0', '-c', '65536']);
  try {
    const url = `${busy.url}/v1/completions`;
    const body = (n) => JSON.stringify({ prompt: 'Once', max_tokens: n, ignore_eos: true, stream: true });
    const first = await fetch(url, { method: 'POST', body: body(60000) });
    assert.equal(first.status, 200);
    const reader = first.body.getReader();
    await reader.read();  // it holds the only slot now
    const second = await fetch(url, { method: 'POST', body: body(4) });
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('retry-after'), '1');
    const e = await second.json();
    assert.equal(e.error.code, 'server_busy');
    await reader.cancel();  // a client that leaves frees its slot, long before its request would end
    let status = 0;
    // Up to 20 s: far less than the 60,000 tokens of a 64k context would take, and room for a loaded machine.
    for (let tries = 0; tries < 200 && status !== 200; ++tries) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await fetch(url, { method: 'POST', body: JSON.stringify({ prompt: 'Once', max_tokens: 4 }) });
      status = again.status;
      await again.arrayBuffer();
    }
    assert.equal(status, 200);
  } finally {
    await busy.stop();
  }
});
