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

/** The generation endpoints: every run must have request samples for these (README.md). */
export const generationPaths = [
  '/completion', '/completion-deployed', '/completion-model-config', '/completion-experiment',
  '/chat', '/chat-deployed', '/chat-model-config', '/chat-experiment',
];

/** Operations are named 'METHOD /template', as the spec's paths have them: 'POST /datasets/{dataset_id}/datapoints'. */
export const generationOperations = generationPaths.map((p) => `POST ${p}`);

const bodyMethods = ['post', 'put', 'patch', 'delete'];

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

/** Points the spec's local references ('#/components/…') at the components document added to Ajv. */
function qualifyRefs(schema) {
  if (Array.isArray(schema)) return schema.map(qualifyRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) =>
    [key, key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${documentId}${value}` : qualifyRefs(value)]));
}

/**
 * Validators by operation ('POST /chat' → validate function), one for every operation of the spec that
 * has a JSON request body, each carrying its schemaName, method and path template.
 */
export function compileRequestValidators(spec = loadSpec()) {
  // strict: false because the snapshot carries OpenAPI annotations Ajv does not know (example, discriminator, deprecated, x-…).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (text) => !Number.isNaN(Date.parse(text)));
  const schemas = Object.fromEntries(Object.entries(spec.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]));
  ajv.addSchema({ $id: documentId, components: { schemas } });

  const validators = {};
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const method of bodyMethods) {
      const schema = item[method]?.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      // A body given inline (POST /datasets/{id}/datapoints takes one datapoint, a list or log ids) is compiled in place.
      const validate = ajv.compile(schema.$ref ? { $ref: `${documentId}${schema.$ref}` } : qualifyRefs(toJsonSchema(schema)));
      const operation = `${method.toUpperCase()} ${template}`;
      const schemaName = schema.$ref ? schema.$ref.split('/').at(-1) : (schema.title ?? item[method].operationId);
      validators[operation] = Object.assign(validate, { schemaName, operation, method: method.toUpperCase(), template });
    }
  }
  for (const operation of generationOperations) {
    if (!validators[operation]) throw new Error(`the spec has no JSON request body for ${operation}`);
  }
  return validators;
}

/** Ajv's errors as short lines: "/messages/0/role must be equal to one of the allowed values". */
export function describeErrors(errors) {
  return (errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}`);
}
