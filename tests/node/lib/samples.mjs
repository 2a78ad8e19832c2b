// Reads the request samples folder (format in README.md): *.json and *.jsonl files, each a JSON array
// of {path, body} objects (method optional), one such object, or one object per line; and finds each
// sample's operation in the spec.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generationOperations } from './spec.mjs';

/** '/v4/chat', 'chat', 'http://127.0.0.1:5080/v4/datasets/evts_1?x=1' → '/chat', '/chat', '/datasets/evts_1'. */
export function normalisePath(raw) {
  let text = String(raw);
  if (/^[a-z]+:\/\//i.test(text)) text = new URL(text).pathname;
  text = text.split('?')[0].replace(/\/+$/, '');
  const v4 = text.indexOf('/v4/');
  if (v4 >= 0) text = text.slice(v4 + 3);
  return `/${text.split('/').filter(Boolean).join('/')}`;
}

function matches(template, requestPath) {
  const want = template.split('/').filter(Boolean);
  const got = requestPath.split('/').filter(Boolean);
  return want.length === got.length && want.every((segment, i) => /^\{.+\}$/.test(segment) || segment === got[i]);
}

/**
 * The operation ('POST /datasets/{dataset_id}/datapoints') of a sample's path and method, among the
 * validators' operations; null when the spec has no request body schema for it. Without a method the
 * path must name one operation with a body. A path the spec does not know is tried by its last segment
 * among the generation operations, as samples from another base path were read before.
 */
export function findOperation(validators, rawPath, method, where) {
  const requestPath = normalisePath(rawPath);
  const wanted = method === undefined ? null : String(method).toUpperCase();
  const operations = Object.values(validators).filter((v) => wanted === null || v.method === wanted);
  let found = operations.filter((v) => matches(v.template, requestPath));
  if (found.length === 0) {
    const lastSegment = `/${requestPath.split('/').at(-1)}`;
    found = operations.filter((v) => generationOperations.includes(v.operation) && v.template === lastSegment);
  }
  if (found.length > 1) {
    throw new Error(`${where}: ${requestPath} has several operations with a body (${found.map((v) => v.operation).join(', ')}); give the sample a "method"`);
  }
  return found[0]?.operation ?? null;
}

function listFiles(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.jsonl?$/i.test(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

function parseFile(file) {
  const text = readFileSync(file, 'utf8');
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    return JSON.parse(trimmed).map((sample, i) => ({ sample, where: `${file} [${i}]` }));
  }
  try {
    return [{ sample: JSON.parse(trimmed), where: file }];
  } catch {
    // Not one JSON value: JSON lines.
  }
  return text.split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), where: `${file}:${i + 1}` }))
    .filter(({ line }) => line !== '')
    .map(({ line, where }) => {
      try {
        return { sample: JSON.parse(line), where };
      } catch (error) {
        throw new Error(`${where}: not JSON (${error.message})`);
      }
    });
}

/**
 * Every sample of the folder, grouped by operation: { byOperation: Map(operation → [{body, where}]) with
 * every generation operation present (maybe empty), ignored: samples of operations without a request
 * schema, files: files read }. Malformed samples throw, naming where they are.
 */
export function readSamples(folder, validators) {
  const files = listFiles(folder);
  const byOperation = new Map(generationOperations.map((o) => [o, []]));
  let ignored = 0;
  for (const file of files) {
    for (const { sample, where } of parseFile(file)) {
      if (sample === null || typeof sample !== 'object' || Array.isArray(sample) || sample.path === undefined || sample.body === undefined) {
        throw new Error(`${where}: a sample must be an object with "path" and "body"`);
      }
      const operation = findOperation(validators, sample.path, sample.method, where);
      if (operation === null) {
        ignored += 1;
        continue;
      }
      let { body } = sample;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch (error) {
          throw new Error(`${where}: body is a string that is not JSON (${error.message})`);
        }
      }
      if (!byOperation.has(operation)) byOperation.set(operation, []);
      byOperation.get(operation).push({ body, where });
    }
  }
  return { byOperation, ignored, files };
}
