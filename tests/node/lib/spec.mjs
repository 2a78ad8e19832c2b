// Request validators compiled from the 2024-07-12 OpenAPI snapshot (OpenAPI 3.0.2). Ajv speaks JSON
// Schema, so the snapshot's components are first rewritten where OpenAPI 3.0 differs: `nullable`
// becomes a null type (or an anyOf with null where there is no `type`). References stay as they
// are: the components are added to Ajv as one document, and `#/components/schemas/X` resolves in it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { repoRoot } from './server.mjs';

export const specFile = 'humanloop-v4-openapi.2024-07-12.d40b5e7.yml';

/** The shared spec folder sits beside the repository (../shared/spec), in CI as on a workstation. */
export const specPath = process.env.HUMANLOOP_SPEC_PATH ?? path.resolve(repoRoot, '..', 'shared', 'spec', specFile);

/** The generation endpoints whose request bodies are checked. */
export const generationPaths = [
  '/completion', '/completion-deployed', '/completion-model-config', '/completion-experiment',
  '/chat', '/chat-deployed', '/chat-model-config', '/chat-experiment',
];

const documentId = 'humanloop-v4-2024-07-12';

/** Rewrites one schema (and every schema inside it) from OpenAPI 3.0 to JSON Schema. */
export function toJsonSchema(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const converted = { ...schema };
  for (const key of ['items', 'not', 'additionalProperties']) {
    if (typeof converted[key] === 'object') converted[key] = toJsonSchema(converted[key]);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(converted[key])) converted[key] = converted[key].map(toJsonSchema);
  }
  if (converted.properties) {
    converted.properties = Object.fromEntries(Object.entries(converted.properties).map(([name, s]) => [name, toJsonSchema(s)]));
  }
  if (converted.nullable !== true) {
    delete converted.nullable;
    return converted;
  }

  delete converted.nullable;
  if (typeof converted.type === 'string') {
    converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum) && !converted.enum.includes(null)) converted.enum = [...converted.enum, null];
    return converted;
  }
  // No type to widen (anyOf, allOf with a $ref): null is one more alternative.
  return { anyOf: [converted, { type: 'null' }] };
}

export function loadSpec(file = specPath) {
  return yaml.load(readFileSync(file, 'utf8'));
}

/** Validators by path ('/chat' → validate function), each compiled from the path's request body schema. */
export function compileRequestValidators(spec = loadSpec()) {
  // strict: false because the snapshot carries OpenAPI annotations Ajv does not know (example, discriminator, deprecated, x-…).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (text) => !Number.isNaN(Date.parse(text)));
  const schemas = Object.fromEntries(Object.entries(spec.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]));
  ajv.addSchema({ $id: documentId, components: { schemas } });

  const validators = {};
  for (const requestPath of generationPaths) {
    const ref = spec.paths[requestPath]?.post?.requestBody?.content?.['application/json']?.schema?.$ref;
    if (!ref) throw new Error(`the spec has no JSON request body for POST ${requestPath}`);
    const validate = ajv.compile({ $ref: `${documentId}${ref}` });
    validators[requestPath] = Object.assign(validate, { schemaName: ref.split('/').at(-1) });
  }
  return validators;
}

/** Ajv's errors as short lines: "/messages/0/role must be equal to one of the allowed values". */
export function describeErrors(errors) {
  return (errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}`);
}
