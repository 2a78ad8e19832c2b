#!/usr/bin/env node
// Runs the Node suite from anywhere: `node tests/node/run.mjs`. Installs the pinned packages
// (npm ci), builds the server if it has not been built, runs `node --test`, and ends with one line:
// "Node SDK: N passed, N failed". The exit code is non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nodeDir, repoRoot, serverDllPath } from './lib/server.mjs';

// npm is a .cmd script on Windows, which only a shell can start.
const shell = process.platform === 'win32';

function run(command, args, cwd, capture = false) {
  const result = spawnSync(command, args, { cwd, shell, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (result.error) throw result.error;
  if (capture) process.stdout.write(result.stdout);
  return result;
}

function finish(passed, failed, code) {
  console.log(`Node SDK: ${passed} passed, ${failed} failed`);
  process.exit(code);
}

if (run('npm', ['ci', '--no-audit', '--no-fund'], nodeDir).status !== 0) {
  console.error('npm ci failed');
  finish(0, 1, 1);
}

if (!existsSync(serverDllPath())) {
  console.log(`${serverDllPath()} is missing; building the server (Release).`);
  if (run('dotnet', ['build', 'src/Humanloop.Server', '-c', 'Release', '--nologo'], repoRoot).status !== 0) {
    console.error('building the server failed');
    finish(0, 1, 1);
  }
}

// TAP, whatever the terminal, so the totals can be read back: "# pass N", "# fail N", "# cancelled N".
const tests = run(process.execPath, ['--test', '--test-reporter=tap'], nodeDir, true);
const total = (name) => {
  const matches = [...tests.stdout.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
  return matches.length === 0 ? null : Number(matches.at(-1)[1]);
};
const passed = total('pass');
const failed = total('fail');
if (passed === null || failed === null) {
  console.error('node --test printed no totals');
  finish(passed ?? 0, Math.max(failed ?? 0, 1), 1);
}

const notPassed = failed + (total('cancelled') ?? 0);
if (tests.status !== 0 && notPassed === 0) {
  // A failure outside any test (a file that does not load, a hook that throws) still counts.
  console.error(`node --test exited with ${tests.status}`);
  finish(passed, 1, 1);
}

finish(passed, notPassed, notPassed === 0 ? 0 : 1);
