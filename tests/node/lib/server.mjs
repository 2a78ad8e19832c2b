// Starts the built local server the way the Pester suite does: in memory, on a free loopback port,
// accepting one API key, and ready once it prints "Humanloop server ready: <url>".
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const nodeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(nodeDir, '..', '..');

const readyPrefix = 'Humanloop server ready: ';

export function serverDllPath() {
  return process.env.HUMANLOOP_SERVER_DLL
    ?? path.join(repoRoot, 'src', 'Humanloop.Server', 'bin', 'Release', 'net10.0', 'Humanloop.Server.dll');
}

/** Resolves to { apiUrl (ending in /v4), apiKey, stop() } once the server is listening. */
export async function startServer({ timeoutMs = 60_000 } = {}) {
  const dll = serverDllPath();
  if (!existsSync(dll)) {
    throw new Error(`${dll} is missing: build it first (dotnet build src/Humanloop.Server -c Release), or run tests/node/run.mjs.`);
  }

  const apiKey = `hl_node_${randomUUID().replaceAll('-', '')}`;
  const child = spawn('dotnet', [dll, '--urls', 'http://127.0.0.1:0', '--in-memory'], {
    env: { ...process.env, HUMANLOOP_SERVER_API_KEYS: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = [];
  child.stderr.on('data', (data) => seen.push(String(data)));

  const apiUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the server did not report ready within ${timeoutMs} ms`)), timeoutMs);
    const lines = createInterface({ input: child.stdout });
    function fail(error) {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${error.message}\n${seen.join('')}`));
    }
    lines.on('line', (line) => {
      seen.push(`${line}\n`);
      if (line.startsWith(readyPrefix)) {
        clearTimeout(timer);
        // Keep draining stdout so a chatty server never blocks on a full pipe.
        resolve(line.slice(readyPrefix.length).trim().replace(/\/$/, ''));
      }
    });
    child.once('exit', (code) => fail(new Error(`the server exited (code ${code}) before it was ready`)));
    child.once('error', fail);
  });

  return {
    apiUrl,
    apiKey,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
