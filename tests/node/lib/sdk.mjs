// The official SDK, connected to a local server that the calling test file starts before its tests
// and stops after them.
import { after, before } from 'node:test';
import { Humanloop } from 'humanloop';
import { startServer } from './server.mjs';

/** Registers the file's before and after hooks; the returned object's `hl` is the SDK client once tests run. */
export function sdkOnLocalServer() {
  const local = { hl: null, server: null };
  before(async () => {
    local.server = await startServer();
    local.hl = new Humanloop({ basePath: local.server.apiUrl, apiKey: local.server.apiKey });
  });
  after(async () => {
    await local.server?.stop();
  });
  return local;
}

/** A name no other test run uses, for projects and evaluators on a shared server. */
export const unique = (prefix) => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
