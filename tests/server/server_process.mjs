// Starts `densing serve` on a free loopback port for a test file and stops it afterwards.
import { spawn } from 'node:child_process';

export const binary = process.env.DENSING_BINARY;
export const model = process.env.DENSING_MODEL;

// Resolves to { url, port, stop } once the server prints its address (10 s at most).
export function startServer(args = []) {
  const child = spawn(binary, ['serve', '-m', model, '--port', '0', '-t', '2', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`densing serve did not start in 10 s:\n${stderr}`));
    }, 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`densing serve exited with ${code}:\n${stderr}`));
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (!m || started) return;
      started = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = Number(m[1]);
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((done) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.on('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
