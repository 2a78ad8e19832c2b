// Request bodies against the 2024-07-12 OpenAPI snapshot: first that the validators themselves
// accept and reject what they should, then every sample in $HUMANLOOP_REQUEST_SAMPLES (see README.md).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readSamples, normalisePath } from './lib/samples.mjs';
import { compileRequestValidators, describeErrors, generationPaths, specPath, toJsonSchema } from './lib/spec.mjs';

const validators = compileRequestValidators();

function check(requestPath, body) {
  const validate = validators[requestPath];
  return validate(body) ? [] : describeErrors(validate.errors);
}

const chatMessages = [
  { role: 'system', content: 'Be brief' },
  { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } }] },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
  { role: 'tool', content: 'sunny', tool_call_id: 'call_1', name: null },
];

const goodBodies = {
  '/completion': { project: 'p', model_config: { model: 'gpt-4o', prompt_template: 'Hi {{x}}', stop: ['\n'] }, inputs: { x: 1 }, stream: true, provider_api_keys: {} },
  '/completion-deployed': { project_id: 'pr_1', environment: 'staging', inputs: {}, num_samples: 2, return_inputs: false },
  '/completion-model-config': { model_config_id: 'config_1', logprobs: 2, suffix: '.' },
  '/completion-experiment': { experiment_id: 'exp_1', session_reference_id: 's', metadata: { run: 1 } },
  '/chat': {
    project: 'p',
    model_config: {
      model: 'gpt-4o',
      endpoint: 'chat',
      chat_template: [{ role: 'system', content: 'You help {{name}}' }],
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }, { id: 'oc_1', source: 'organization' }],
    },
    messages: chatMessages,
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    response_format: { type: 'json_object' },
  },
  '/chat-deployed': { project: 'p', messages: [{ role: 'user', content: 'hi' }], environment: 'production', tool_choice: 'required' },
  '/chat-model-config': { model_config_id: 'config_1', messages: chatMessages, tool_call: 'auto' },
  '/chat-experiment': { experiment_id: 'exp_1', messages: [], tool_choice: 'none', tool_call: { name: 'get_weather' } },
};

describe('the request validators', () => {
  it(`compile the eight generation request schemas from ${path.basename(specPath)}`, () => {
    assert.deepEqual(Object.keys(validators).sort(), [...generationPaths].sort());
    assert.equal(validators['/chat'].schemaName, 'ChatRequest');
    assert.equal(validators['/completion-experiment'].schemaName, 'CompletionExperimentRequest');
  });

  for (const requestPath of generationPaths) {
    it(`accept a typical ${requestPath} body`, () => {
      assert.deepEqual(check(requestPath, goodBodies[requestPath]), []);
    });
  }

  it('reject what the spec rejects', () => {
    const rejected = [
      ['/chat', { project: 'p', model_config: { model: 'm' } }, /must have required property 'messages'/],
      ['/chat', { ...goodBodies['/chat'], logprobs: 1 }, /must NOT have additional properties: logprobs/],
      ['/chat-deployed', { messages: [{ content: 'no role' }] }, /\/messages\/0 must have required property 'role'/],
      ['/chat-deployed', { messages: [{ role: 'robot' }] }, /\/messages\/0\/role must be equal to one of the allowed values/],
      ['/chat-deployed', { messages: [], tool_choice: 'sometimes' }, /\/tool_choice/],
      ['/chat-model-config', { messages: [] }, /must have required property 'model_config_id'/],
      ['/completion', { project: 'p', model_config: { model: 'm', chat_template: [] } }, /\/model_config must NOT have additional properties: chat_template/],
      ['/completion-deployed', { messages: [] }, /must NOT have additional properties: messages/],
      ['/completion-experiment', { experiment_id: 'exp_1', num_samples: 'two' }, /\/num_samples must be integer/],
    ];
    for (const [requestPath, body, expected] of rejected) {
      const errors = check(requestPath, body);
      assert.ok(errors.some((e) => expected.test(e)), `${requestPath} ${JSON.stringify(body)} gave ${JSON.stringify(errors)}`);
    }
  });

  it('turn OpenAPI nullable into JSON Schema null', () => {
    assert.deepEqual(toJsonSchema({ type: 'string', nullable: true }), { type: ['string', 'null'] });
    assert.deepEqual(toJsonSchema({ type: 'string', enum: ['a'], nullable: true }), { type: ['string', 'null'], enum: ['a', null] });
    assert.deepEqual(toJsonSchema({ allOf: [{ $ref: '#/x' }], nullable: true }), { anyOf: [{ allOf: [{ $ref: '#/x' }] }, { type: 'null' }] });
    // A property that happens to be called "nullable" is not the keyword.
    assert.deepEqual(toJsonSchema({ properties: { nullable: { type: 'boolean' } } }), { properties: { nullable: { type: 'boolean' } } });
  });
});

describe('the request samples reader', () => {
  it('reads JSON arrays, single objects and JSON lines, and groups by path', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'hl-samples-'));
    try {
      writeFileSync(path.join(folder, 'a.json'), JSON.stringify([{ path: '/v4/chat', body: { messages: [] } }, { path: '/v4/projects', body: {} }]));
      writeFileSync(path.join(folder, 'b.jsonl'), `${JSON.stringify({ path: 'http://127.0.0.1:1/v4/completion?x=1', body: '{"project":"p"}' })}\n\n${JSON.stringify({ path: 'chat-deployed', body: {} })}\n`);
      writeFileSync(path.join(folder, 'c.json'), JSON.stringify({ method: 'POST', path: '/chat-experiment/', body: { experiment_id: 'e', messages: [] } }));
      const { byPath, ignored, files } = readSamples(folder);
      assert.equal(files.length, 3);
      assert.equal(ignored, 1);
      assert.equal(byPath.get('/chat').length, 1);
      assert.deepEqual(byPath.get('/completion')[0].body, { project: 'p' });
      assert.match(byPath.get('/chat-deployed')[0].where, /b\.jsonl:3$/);
      assert.equal(byPath.get('/chat-experiment').length, 1);
      assert.equal(byPath.get('/completion-experiment').length, 0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the place of a malformed sample', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'hl-samples-'));
    try {
      writeFileSync(path.join(folder, 'bad.jsonl'), '{"path": "/chat", "body": {}}\n{"path": "/chat"}\n');
      assert.throws(() => readSamples(folder), /bad\.jsonl:2: a sample must be an object with "path" and "body"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('normalises paths', () => {
    assert.equal(normalisePath('/v4/chat-model-config'), '/chat-model-config');
    assert.equal(normalisePath('https://api.humanloop.com/v4/completion/'), '/completion');
  });
});

const samplesFolder = process.env.HUMANLOOP_REQUEST_SAMPLES;
const skip = samplesFolder ? false : 'HUMANLOOP_REQUEST_SAMPLES is not set';

describe('the recorded request samples', { skip }, () => {
  // Read on first use, so an unreadable folder fails the tests rather than the whole file.
  let read;
  const samples = () => (read ??= readSamples(samplesFolder));

  it('cover every generation path', () => {
    const missing = generationPaths.filter((p) => samples().byPath.get(p).length === 0);
    assert.deepEqual(missing, [], `no samples in ${samplesFolder} for ${missing.join(', ')}`);
  });

  for (const requestPath of generationPaths) {
    it(`match the spec's schema for ${requestPath}`, () => {
      const found = samples().byPath.get(requestPath);
      assert.ok(found.length > 0, `no samples for ${requestPath} in ${samplesFolder}`);
      const failures = found
        .map(({ body, where }) => ({ where, errors: check(requestPath, body) }))
        .filter((f) => f.errors.length > 0)
        .map((f) => `${f.where}: ${f.errors.join('; ')}`);
      assert.deepEqual(failures, [], `${failures.length} of ${found.length} ${requestPath} bodies break ${validators[requestPath].schemaName}`);
    });
  }
});
