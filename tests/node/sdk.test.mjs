// The official humanloop Node SDK (0.5.36, the v4 API) against the local server: every chat and
// completion method, plain and streamed, on the mock provider. The mock's answers are documented in
// docs/server.md, so outputs and tool calls are asserted exactly where the rule fixes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sdkOnLocalServer, unique } from './lib/sdk.mjs';

const local = sdkOnLocalServer();

/** The SDK's *Stream methods resolve to an axios response whose data is a ReadableStream of JSON objects, one per event. */
async function readStream(response) {
  const reader = response.data.getReader();
  const decoder = new TextDecoder();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(JSON.parse(decoder.decode(value)));
  }
}

/** Per sample index: the concatenated output, the finish reason, the ids seen, and the tool calls rebuilt from their deltas. */
function assemble(chunks) {
  const samples = new Map();
  for (const chunk of chunks) {
    const sample = samples.get(chunk.index) ?? { output: '', finishReasons: [], ids: new Set(), configIds: new Set(), toolCalls: new Map() };
    samples.set(chunk.index, sample);
    sample.output += chunk.output;
    sample.ids.add(chunk.id);
    sample.configIds.add(chunk.model_config_id);
    if (chunk.finish_reason !== null && chunk.finish_reason !== undefined) sample.finishReasons.push(chunk.finish_reason);
    for (const delta of chunk.tool_calls ?? []) {
      const call = sample.toolCalls.get(delta.id) ?? { id: delta.id, names: new Set(), arguments: '', fragments: 0 };
      sample.toolCalls.set(delta.id, call);
      call.names.add(delta.function.name);
      call.arguments += delta.function.arguments;
      call.fragments += 1;
    }
  }
  return samples;
}

function assertOneFinishedSample(chunks, finishReason) {
  const samples = assemble(chunks);
  assert.equal(samples.size, 1);
  const sample = samples.get(0);
  assert.deepEqual(sample.finishReasons, [finishReason]);
  assert.equal(chunks.at(-1).finish_reason, finishReason, 'only the last chunk finishes the sample');
  assert.equal(sample.ids.size, 1, 'one log id per sample');
  assert.match([...sample.ids][0], /^data_/);
  return sample;
}

const completionConfig = (template) => ({ model: 'mock-model', provider: 'mock', prompt_template: template, temperature: 0 });

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
};

const chatConfig = (system) => ({
  model: 'mock-chat',
  provider: 'mock',
  temperature: 0,
  chat_template: [{ role: 'system', content: system }],
  tools: [weatherTool],
});

describe('completions', () => {
  it('create answers with the mock echo', async () => {
    const { data } = await local.hl.completions.create({
      project: unique('node-complete'),
      model_config: completionConfig('write about {{topic}}'),
      inputs: { topic: 'rivers' },
    });
    assert.match(data.project_id, /^pr_/);
    const [item] = data.data;
    assert.match(item.id, /^data_/);
    assert.equal(item.finish_reason, 'stop');
    assert.match(item.output, /^Echo: write about rivers \S/);
    assert.equal(item.raw_output, ` ${item.output}`);
    assert.match(item.model_config_id, /^config_/);
    assert.equal(data.usage.prompt_tokens, 3);
  });

  it('completeStream streams deltas that rebuild the plain answer', async () => {
    const request = { project: unique('node-complete-stream'), model_config: completionConfig('write about {{topic}}'), inputs: { topic: 'rivers' } };
    const plain = (await local.hl.completions.create(request)).data.data[0];
    const chunks = await readStream(await local.hl.completeStream(request));
    const sample = assertOneFinishedSample(chunks, 'stop');
    assert.equal(sample.output, plain.raw_output);
    assert.deepEqual([...sample.configIds], [plain.model_config_id]);
  });

  it('createModelConfig and completeModelConfigurationStream use a registered config', async () => {
    const registered = (await local.hl.modelConfigs.register({ project: unique('node-complete-config'), ...completionConfig('Summarise {{text}}') })).data;
    const request = { model_config_id: registered.config.id, inputs: { text: 'the report' } };
    const plain = (await local.hl.completions.createModelConfig(request)).data;
    assert.equal(plain.project_id, registered.project_id);
    assert.equal(plain.data[0].model_config_id, registered.config.id);
    assert.match(plain.data[0].output, /^Echo: Summarise the report /);

    const sample = assertOneFinishedSample(await readStream(await local.hl.completeModelConfigurationStream(request)), 'stop');
    assert.equal(sample.output, plain.data[0].raw_output);
  });

  it('createDeployed and completeDeployedStream use the active config', async () => {
    const registered = (await local.hl.modelConfigs.register({ project: unique('node-complete-deployed'), ...completionConfig('Deployed {{x}}') })).data;
    const request = { project_id: registered.project_id, inputs: { x: 'now' } };
    const plain = (await local.hl.completions.createDeployed(request)).data.data[0];
    assert.equal(plain.model_config_id, registered.config.id);
    assert.match(plain.output, /^Echo: Deployed now /);

    const sample = assertOneFinishedSample(await readStream(await local.hl.completeDeployedStream(request)), 'stop');
    assert.equal(sample.output, plain.raw_output);
  });

  it('createExperiment and completeExperimentStream sample the experiment configs', async () => {
    const project = unique('node-complete-experiment');
    const a = (await local.hl.modelConfigs.register({ project, ...completionConfig('Politely {{q}}') })).data;
    const b = (await local.hl.modelConfigs.register({ project, ...completionConfig('Tersely {{q}}') })).data;
    const experiment = (await local.hl.experiments.create({ projectId: a.project_id, name: 'tone', positive_labels: [], config_ids: [a.config.id, b.config.id] })).data;

    const request = { experiment_id: experiment.id, inputs: { q: 'why' }, num_samples: 3 };
    const plain = (await local.hl.completions.createExperiment(request)).data;
    assert.equal(plain.data.length, 3);
    for (const item of plain.data) assert.ok([a.config.id, b.config.id].includes(item.model_config_id));

    const samples = assemble(await readStream(await local.hl.completeExperimentStream(request)));
    assert.equal(samples.size, 3);
    for (const sample of samples.values()) {
      assert.deepEqual(sample.finishReasons, ['stop']);
      assert.ok([a.config.id, b.config.id].includes([...sample.configIds][0]));
    }
  });
});

describe('chats', () => {
  it('create answers in text when no tool is due', async () => {
    const { data } = await local.hl.chats.create({
      project: unique('node-chat'),
      model_config: chatConfig('You help {{name}}'),
      inputs: { name: 'Ada' },
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    const [item] = data.data;
    assert.equal(item.finish_reason, 'stop');
    assert.match(item.output, /^Echo: system: You help Ada user: Hello there \S/);
    assert.deepEqual(item.messages, [{ role: 'system', content: 'You help Ada' }, { role: 'user', content: 'Hello there' }]);
    assert.deepEqual(item.output_message, { role: 'assistant', content: item.raw_output });
    assert.equal(item.tool_calls, undefined);
    assert.equal(data.tool_choice, null);
  });

  it('create returns the tool call the mock rule makes', async () => {
    const { data } = await local.hl.chats.create({
      project: unique('node-chat-tool'),
      model_config: chatConfig('Weather desk'),
      messages: [{ role: 'user', content: 'call:get_weather city="New York" days=2' }],
      tool_choice: 'auto',
    });
    const [item] = data.data;
    assert.equal(item.finish_reason, 'tool_call');
    assert.equal(item.output, '');
    assert.equal(item.output_message.content, null);
    assert.equal(item.tool_calls.length, 1);
    const [call] = item.tool_calls;
    assert.match(call.id, /^call_[0-9a-f]{24}$/);
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'New York', days: 2 });
    assert.deepEqual(item.output_message.tool_calls, item.tool_calls);
    assert.equal(data.tool_choice, 'auto');
  });

  it('chatStream delivers tool-call deltas that rebuild the plain call', async () => {
    const request = {
      project: unique('node-chat-tool-stream'),
      model_config: chatConfig('Weather desk'),
      messages: [{ role: 'user', content: 'Use get_weather for city=Lisbon please' }],
    };
    const plain = (await local.hl.chats.create(request)).data.data[0];
    assert.deepEqual(JSON.parse(plain.tool_calls[0].function.arguments), { city: 'Lisbon' });

    const chunks = await readStream(await local.hl.chatStream(request));
    const sample = assertOneFinishedSample(chunks, 'tool_call');
    assert.equal(sample.output, '');
    const calls = [...sample.toolCalls.values()];
    assert.equal(calls.length, 1);
    assert.deepEqual([...calls[0].names], ['get_weather']);
    assert.ok(calls[0].fragments > 1, 'arguments arrive in several fragments');
    assert.equal(calls[0].id, plain.tool_calls[0].id);
    assert.equal(calls[0].arguments, plain.tool_calls[0].function.arguments);
    for (const chunk of chunks) assert.deepEqual(chunk.output_message.tool_calls, chunk.tool_calls);
  });

  it('a tool result is quoted back, plain and streamed', async () => {
    const request = {
      project: unique('node-chat-loop'),
      model_config: chatConfig('Weather desk'),
      messages: [
        { role: 'user', content: 'call:get_weather city=Paris' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    };
    const plain = (await local.hl.chats.create(request)).data.data[0];
    assert.equal(plain.output, 'The tool get_weather returned: sunny');
    assert.equal(plain.finish_reason, 'stop');

    const sample = assertOneFinishedSample(await readStream(await local.hl.chatStream(request)), 'stop');
    assert.equal(sample.output.trim(), 'The tool get_weather returned: sunny');
  });

  it('createModelConfig and chatModelConfigurationStream use a registered chat config', async () => {
    const registered = (await local.hl.modelConfigs.register({ project: unique('node-chat-config'), endpoint: 'chat', ...chatConfig('Be brief with {{name}}') })).data;
    assert.equal(registered.config.endpoint, 'chat');
    const request = { model_config_id: registered.config.id, inputs: { name: 'Grace' }, messages: [{ role: 'user', content: 'Hi' }] };
    const plain = (await local.hl.chats.createModelConfig(request)).data.data[0];
    assert.equal(plain.model_config_id, registered.config.id);
    assert.match(plain.output, /^Echo: system: Be brief with Grace user: Hi /);

    const sample = assertOneFinishedSample(await readStream(await local.hl.chatModelConfigurationStream(request)), 'stop');
    assert.equal(sample.output, plain.raw_output);
  });

  it('createDeployed and chatDeployedStream use the chat config deployed to an environment', async () => {
    const project = unique('node-chat-deployed');
    const active = (await local.hl.modelConfigs.register({ project, endpoint: 'chat', ...chatConfig('Production voice') })).data;
    const staged = (await local.hl.modelConfigs.register({ project, endpoint: 'chat', ...chatConfig('Staging voice') })).data;
    await local.hl.projects.deployConfig({ projectId: active.project_id, config_id: staged.config.id, environments: [{ name: 'staging' }] });

    const messages = [{ role: 'user', content: 'call:get_weather city=Oslo' }];
    const production = (await local.hl.chats.createDeployed({ project_id: active.project_id, messages })).data.data[0];
    assert.equal(production.model_config_id, active.config.id);
    assert.equal(production.finish_reason, 'tool_call');

    const request = { project_id: active.project_id, environment: 'staging', messages };
    const staging = (await local.hl.chats.createDeployed(request)).data.data[0];
    assert.equal(staging.model_config_id, staged.config.id);
    assert.equal(staging.messages[0].content, 'Staging voice');

    const sample = assertOneFinishedSample(await readStream(await local.hl.chatDeployedStream(request)), 'tool_call');
    assert.deepEqual([...sample.configIds], [staged.config.id]);
    assert.deepEqual(JSON.parse([...sample.toolCalls.values()][0].arguments), { city: 'Oslo' });
  });

  it('createExperiment and chatExperimentStream sample the experiment chat configs', async () => {
    const project = unique('node-chat-experiment');
    const a = (await local.hl.modelConfigs.register({ project, endpoint: 'chat', ...chatConfig('Politely') })).data;
    const b = (await local.hl.modelConfigs.register({ project, endpoint: 'chat', ...chatConfig('Tersely') })).data;
    const experiment = (await local.hl.experiments.create({ projectId: a.project_id, name: 'tone', positive_labels: [], config_ids: [a.config.id, b.config.id] })).data;

    const request = { experiment_id: experiment.id, messages: [{ role: 'user', content: 'Hi' }], num_samples: 4 };
    const plain = (await local.hl.chats.createExperiment(request)).data;
    assert.equal(plain.data.length, 4);
    for (const item of plain.data) {
      assert.ok([a.config.id, b.config.id].includes(item.model_config_id));
      assert.equal(item.messages[0].content, item.model_config_id === a.config.id ? 'Politely' : 'Tersely');
    }

    const samples = assemble(await readStream(await local.hl.chatExperimentStream(request)));
    assert.equal(samples.size, 4);
    for (const sample of samples.values()) {
      assert.deepEqual(sample.finishReasons, ['stop']);
      assert.ok([a.config.id, b.config.id].includes([...sample.configIds][0]));
    }
  });
});
