// Reads the request samples folder (format in README.md): *.json and *.jsonl files, each a JSON array
// of {path, body} objects, one such object, or one object per line.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generationPaths } from './spec.mjs';

/** '/v4/chat', 'chat', 'http://127.0.0.1:5080/v4/chat?x=1' → '/chat'. */
export function normalisePath(raw) {
  let text = String(raw);
  if (/^[a-z]+:\/\//i.test(text)) text = new URL(text).pathname;
  text = text.split('?')[0].replace(/\/+$/, '');
  const segment = text.split('/').filter(Boolean).at(-1) ?? '';
  return `/${segment}`;
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
 * Every sample of the folder, grouped by generation path: { byPath: Map(path → [{body, where}]),
 * ignored: samples of other paths, files: files read }. Malformed samples throw, naming where they are.
 */
export function readSamples(folder) {
  const files = listFiles(folder);
  const byPath = new Map(generationPaths.map((p) => [p, []]));
  let ignored = 0;
  for (const file of files) {
    for (const { sample, where } of parseFile(file)) {
      if (sample === null || typeof sample !== 'object' || Array.isArray(sample) || sample.path === undefined || sample.body === undefined) {
        throw new Error(`${where}: a sample must be an object with "path" and "body"`);
      }
      const requestPath = normalisePath(sample.path);
      if (!byPath.has(requestPath)) {
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
      byPath.get(requestPath).push({ body, where });
    }
  }
  return { byPath, ignored, files };
}
