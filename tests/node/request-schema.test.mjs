// Request bodies against the 2024-07-12 OpenAPI snapshot: first that the validators themselves
// accept and reject what they should, then every sample in $HUMANLOOP_REQUEST_SAMPLES (see README.md).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findOperation, readSamples, normalisePath } from './lib/samples.mjs';
import { compileRequestValidators, describeErrors, generationOperations, generationPaths, specPath, toJsonSchema } from './lib/spec.mjs';

const validators = compileRequestValidators();

/** Schema errors of a body for an operation ('POST /evaluators'); a bare generation path ('/chat') means its POST. */
function check(operation, body) {
  const validate = validators[operation.includes(' ') ? operation : `POST ${operation}`];
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
  it(`compile every request body schema of ${path.basename(specPath)}`, () => {
    for (const operation of generationOperations) assert.ok(validators[operation], operation);
    assert.equal(validators['POST /chat'].schemaName, 'ChatRequest');
    assert.equal(validators['POST /completion-experiment'].schemaName, 'CompletionExperimentRequest');
    assert.equal(validators['POST /projects/{project_id}/datasets'].schemaName, 'CreateDatasetRequest');
    assert.equal(validators['PATCH /datasets/{id}'].schemaName, 'UpdateDatasetRequest');
    assert.equal(validators['POST /evaluators'].schemaName, 'CreateEvaluatorRequest');
    assert.equal(validators['PATCH /evaluators/{id}'].schemaName, 'UpdateEvaluatorRequest');
    assert.ok(validators['POST /datasets/{dataset_id}/datapoints'], 'the inline anyOf body is compiled too');
  });

  it('check the dataset, datapoint and evaluator bodies', () => {
    const datapoints = 'POST /datasets/{dataset_id}/datapoints';
    assert.deepEqual(check(datapoints, { inputs: { q: 'a' }, target: { answer: 1, tags: ['x'] } }), []);
    assert.deepEqual(check(datapoints, [{ inputs: { q: 'a' } }, { messages: [{ role: 'user', content: 'hi' }] }]), []);
    assert.deepEqual(check(datapoints, { log_ids: ['data_1'] }), []);
    assert.notDeepEqual(check(datapoints, { target: 'x' }), []);
    assert.notDeepEqual(check(datapoints, [{ inputs: { q: 1 } }]), []);
    assert.deepEqual(check('POST /projects/{project_id}/datasets', { name: 'cases', description: '' }), []);
    assert.ok(check('POST /projects/{project_id}/datasets', { name: 'cases' }).some((e) => /required property 'description'/.test(e)));
    const evaluator = { name: 'has refund', description: '', arguments_type: 'target_free', return_type: 'boolean', type: 'python', code: 'builtin:contains:refund' };
    assert.deepEqual(check('POST /evaluators', evaluator), []);
    assert.ok(check('POST /evaluators', { ...evaluator, type: 'regex' }).some((e) => /\/type must be equal to one of the allowed values/.test(e)));
    assert.ok(check('PATCH /evaluators/{id}', { model_config: { model: 'm', chat_template: [] } }).some((e) => /additional properties: chat_template/.test(e)));
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
  it('reads JSON arrays, single objects and JSON lines, and groups by operation', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'hl-samples-'));
    try {
      writeFileSync(path.join(folder, 'a.json'), JSON.stringify([{ path: '/v4/chat', body: { messages: [] } }, { path: '/v4/datasets', body: {} }]));
      writeFileSync(path.join(folder, 'b.jsonl'), `${JSON.stringify({ path: 'http://127.0.0.1:1/v4/completion?x=1', body: '{"project":"p"}' })}\n\n${JSON.stringify({ path: 'chat-deployed', body: {} })}\n`);
      writeFileSync(path.join(folder, 'c.json'), JSON.stringify({ method: 'POST', path: '/chat-experiment/', body: { experiment_id: 'e', messages: [] } }));
      writeFileSync(path.join(folder, 'd.jsonl'), [
        { path: '/v4/datasets/evts_1/datapoints', body: [{ inputs: { q: 'a' } }] },
        { method: 'patch', path: 'http://127.0.0.1:1/v4/evaluators/evfn_1', body: { code: 'builtin:json' } },
        { method: 'DELETE', path: '/v4/datapoints', body: ['evtc_1'] },
      ].map((sample) => JSON.stringify(sample)).join('\n'));
      const { byOperation, ignored, files } = readSamples(folder, validators);
      assert.equal(files.length, 4);
      assert.equal(ignored, 2, 'GET /datasets and DELETE /datapoints have no request schema');
      assert.equal(byOperation.get('POST /chat').length, 1);
      assert.deepEqual(byOperation.get('POST /completion')[0].body, { project: 'p' });
      assert.match(byOperation.get('POST /chat-deployed')[0].where, /b\.jsonl:3$/);
      assert.equal(byOperation.get('POST /chat-experiment').length, 1);
      assert.equal(byOperation.get('POST /completion-experiment').length, 0);
      assert.equal(byOperation.get('POST /datasets/{dataset_id}/datapoints').length, 1);
      assert.equal(byOperation.get('PATCH /evaluators/{id}').length, 1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('names the place of a malformed sample', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'hl-samples-'));
    try {
      writeFileSync(path.join(folder, 'bad.jsonl'), '{"path": "/chat", "body": {}}\n{"path": "/chat"}\n');
      assert.throws(() => readSamples(folder, validators), /bad\.jsonl:2: a sample must be an object with "path" and "body"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('normalises paths and finds their operations', () => {
    assert.equal(normalisePath('/v4/chat-model-config'), '/chat-model-config');
    assert.equal(normalisePath('https://api.humanloop.com/v4/completion/'), '/completion');
    assert.equal(normalisePath('datasets/evts_1/datapoints'), '/datasets/evts_1/datapoints');
    assert.equal(findOperation(validators, '/v4/projects/pr_1/datasets', undefined, 'x'), 'POST /projects/{project_id}/datasets');
    assert.equal(findOperation(validators, '/v5/chat', undefined, 'x'), 'POST /chat', 'another base path: the last segment, among generation paths');
    assert.equal(findOperation(validators, '/v5/things/evaluators', undefined, 'x'), null);
    assert.equal(findOperation(validators, '/v4/evaluators', 'GET', 'x'), null);
  });
});

const samplesFolder = process.env.HUMANLOOP_REQUEST_SAMPLES;
const skip = samplesFolder ? false : 'HUMANLOOP_REQUEST_SAMPLES is not set';

describe('the recorded request samples', { skip }, () => {
  // Read on first use, so an unreadable folder fails the tests rather than the whole file.
  let read;
  const samples = () => (read ??= readSamples(samplesFolder, validators));

  const failuresOf = (operation) => samples().byOperation.get(operation)
    .map(({ body, where }) => ({ where, errors: check(operation, body) }))
    .filter((f) => f.errors.length > 0)
    .map((f) => `${f.where}: ${f.errors.join('; ')}`);

  it('cover every generation path', () => {
    const missing = generationPaths.filter((p) => samples().byOperation.get(`POST ${p}`).length === 0);
    assert.deepEqual(missing, [], `no samples in ${samplesFolder} for ${missing.join(', ')}`);
  });

  for (const operation of generationOperations) {
    it(`match the spec's schema for ${operation}`, () => {
      const found = samples().byOperation.get(operation);
      assert.ok(found.length > 0, `no samples for ${operation} in ${samplesFolder}`);
      const failures = failuresOf(operation);
      assert.deepEqual(failures, [], `${failures.length} of ${found.length} ${operation} bodies break ${validators[operation].schemaName}`);
    });
  }

  // Other operations are checked whenever samples reach them; none are required.
  it('match the spec\'s schema for every other operation they reach', () => {
    const others = [...samples().byOperation.keys()].filter((o) => !generationOperations.includes(o));
    const failures = others.flatMap((operation) => failuresOf(operation).map((f) => `${operation} (${validators[operation].schemaName}) ${f}`));
    assert.deepEqual(failures, []);
  });
});
