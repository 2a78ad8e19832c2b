// The official humanloop Node SDK (0.5.36) against the local server: the Sessions group, the Logs methods that write
// (log, update, updateByRef, delete), Model configs as .prompt files (serialize, deserialize, export) and the Projects
// methods around them (export, feedback types, active config and experiment). Shapes are in docs/server.md and
// docs/prompt-format.md. 0.5.36 has no method for GET /logs/{id}: that one is sent with fetch and the same key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sdkOnLocalServer, unique } from './lib/sdk.mjs';

const local = sdkOnLocalServer();

/** GET /logs/{id}, which the SDK lacks: the log, or null for a 404. */
async function getLog(id) {
  const response = await fetch(`${local.server.apiUrl}/logs/${id}`, { headers: { 'X-API-KEY': local.server.apiKey } });
  if (response.status === 404) return null;
  assert.equal(response.status, 200);
  return response.json();
}

/** The status of a rejected SDK call (axios error). */
async function rejectedStatus(promise) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, 'expected the call to fail');
  return error.status ?? error.response?.status;
}

const completionConfig = { model: 'gpt-4o', provider: 'openai', prompt_template: 'Summarise {{text}}', temperature: 0.3 };

describe('sessions', () => {
  it('creates a session, logs into it from two projects, gets it and lists it', async () => {
    const session = (await local.hl.sessions.create()).data;
    assert.match(session.id, /^sesh_/);
    const empty = (await local.hl.sessions.get({ id: session.id })).data;
    assert.equal(empty.datapoints_count, 0);
    assert.deepEqual(empty.projects, []);

    const first = (await local.hl.projects.create({ name: unique('node-session-a') })).data;
    const second = (await local.hl.projects.create({ name: unique('node-session-b') })).data;
    await local.hl.logs.log({ project_id: first.id, session_id: session.id, config: completionConfig, inputs: { text: 'one' }, output: 'first' });
    const completion = (await local.hl.completions.create({
      project_id: second.id,
      session_id: session.id,
      inputs: { text: 'two' },
      model_config: { model: 'mock-model', provider: 'mock', prompt_template: 'About {{text}}' },
    })).data;
    assert.equal(completion.session_id, session.id);

    const got = (await local.hl.sessions.get({ id: session.id })).data;
    assert.equal(got.datapoints_count, 2);
    assert.deepEqual(got.projects.map((p) => p.id), [first.id, second.id]);
    assert.deepEqual(got.first_inputs, { text: 'one' });
    assert.equal(got.last_output, completion.data[0].output);

    const listed = (await local.hl.sessions.list({ projectId: second.id })).data;
    assert.equal(listed.page, 1);
    assert.equal(listed.size, 10);
    assert.deepEqual(listed.records.map((s) => s.id), [session.id]);
    assert.equal(await rejectedStatus(local.hl.sessions.get({ id: 'sesh_missing' })), 404);
  });

  it('makes one session per reference and pages the list from 1', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-session-refs') })).data;
    const ids = [];
    for (const reference of ['run-1', 'run-2', 'run-3']) {
      const created = (await local.hl.logs.log({ project_id: project.id, session_reference_id: reference, config: completionConfig, output: reference })).data;
      ids.push(created.session_id);
    }
    const again = (await local.hl.logs.log({ project_id: project.id, session_reference_id: 'run-1', config: completionConfig })).data;
    assert.equal(again.session_id, ids[0]);

    const page2 = (await local.hl.sessions.list({ projectId: project.id, page: 2, size: 2 })).data;
    assert.equal(page2.total, 3);
    assert.deepEqual(page2.records.map((s) => s.id), [ids[0]]);
    assert.equal(page2.records[0].reference_id, 'run-1');
    assert.equal(page2.records[0].datapoints_count, 2);
  });
});

describe('logs', () => {
  it('logs one call and a list, with a parent found by reference', async () => {
    const projectName = unique('node-logs');
    const parentRef = unique('parent');
    const one = (await local.hl.logs.log({
      project: projectName,
      config: completionConfig,
      inputs: { text: 'a long story' },
      output: 'A short story.',
      reference_id: parentRef,
      session_reference_id: unique('conversation'),
      duration: 1.5,
      prompt_tokens: 10,
      output_tokens: 3,
      metadata: { run: 7 },
      feedback: { type: 'rating', value: 'good' },
    })).data;
    assert.match(one.id, /^data_/);
    assert.match(one.session_id, /^sesh_/);

    const many = (await local.hl.logs.log([
      { project_id: one.project_id, config: completionConfig, parent_reference_id: parentRef, output: 'child' },
      { project_id: one.project_id, config: { type: 'tool', name: 'get_weather', parameters: { type: 'object' } }, output: 'sunny' },
    ])).data;
    assert.equal(many.length, 2);
    assert.equal(many[0].session_id, one.session_id);

    const child = await getLog(many[0].id);
    assert.equal(child.parent_id, one.id);
    const tool = await getLog(many[1].id);
    assert.equal(tool.config.type, 'tool');
    assert.equal(tool.config.name, 'get_weather');

    const logged = await getLog(one.id);
    assert.equal(logged.output, 'A short story.');
    assert.equal(logged.tokens, 13);
    assert.equal(logged.duration, 1.5);
    assert.equal(logged.feedback[0].value, 'good');
    assert.equal(logged.config.model, 'gpt-4o');

    const listed = (await local.hl.logs.list({ projectId: one.project_id })).data;
    assert.equal(listed.total, 3);

    assert.equal(await rejectedStatus(local.hl.logs.log({ project: projectName, output: 'no config' })), 422);
  });

  it('updates a log by id and by reference, then deletes logs', async () => {
    const reference = unique('ref');
    const created = (await local.hl.logs.log({ project: unique('node-logs-update'), config: completionConfig, reference_id: reference, error: 'timeout' })).data;

    const updated = (await local.hl.logs.update({ id: created.id, output: 'late answer', error: null })).data;
    assert.equal(updated.id, created.id);
    assert.equal(updated.output, 'late answer');
    assert.equal(updated.error, null);

    const byRef = (await local.hl.logs.updateByRef({ referenceId: reference, duration: 2.5 })).data;
    assert.equal(byRef.id, created.id);
    assert.equal(byRef.duration, 2.5);
    assert.equal(byRef.output, 'late answer');
    assert.equal(await rejectedStatus(local.hl.logs.updateByRef({ referenceId: 'no-such-reference', output: 'x' })), 404);

    const other = (await local.hl.logs.log({ project_id: created.project_id, config: completionConfig, output: 'other' })).data;
    const deleted = await local.hl.logs.delete({ id: [created.id, other.id] });
    assert.equal(deleted.status, 204);
    assert.equal(await getLog(created.id), null);
    assert.equal(await rejectedStatus(local.hl.logs.delete({ id: ['data_missing'] })), 404);
  });
});

describe('model configs as .prompt files', () => {
  const chatConfig = {
    model: 'gpt-4o',
    provider: 'openai',
    temperature: 0.4,
    chat_template: [{ role: 'system', content: 'You report the weather.' }, { role: 'user', content: '{{question}}' }],
    tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  };

  it('serializes a config and deserializes it back', async () => {
    const text = (await local.hl.modelConfigs.serialize(chatConfig)).data;
    assert.equal(typeof text, 'string');
    assert.match(text, /^---\nmodel: gpt-4o\nprovider: openai\nendpoint: chat\n/);
    assert.match(text, /\n<system>\nYou report the weather\.\n<\/system>\n/);

    const config = (await local.hl.modelConfigs.deserialize({ config: text })).data;
    assert.match(config.id, /^config_/);
    assert.equal(config.endpoint, 'chat');
    for (const key of Object.keys(chatConfig)) assert.deepEqual(config[key], chatConfig[key], key);
  });

  it('exports a stored config as the file that reads back to it', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-prompt-export') })).data;
    const registered = (await local.hl.modelConfigs.register({ project_id: project.id, name: 'weather', endpoint: 'chat', ...chatConfig })).data;
    const text = (await local.hl.modelConfigs.export({ id: registered.config.id })).data;
    assert.match(text, /\nname: weather\n/);
    const read = (await local.hl.modelConfigs.deserialize({ config: text })).data;
    assert.deepEqual(read, (await local.hl.modelConfigs.get({ id: registered.config.id })).data);
    assert.equal(await rejectedStatus(local.hl.modelConfigs.export({ id: 'config_missing' })), 404);
    assert.equal(await rejectedStatus(local.hl.modelConfigs.deserialize({ config: 'no header' })), 422);
  });
});

describe('projects', () => {
  it('exports the logs of a project, newest first, paged from 0', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-export') })).data;
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await local.hl.logs.log({ project_id: project.id, config: completionConfig, output: `log ${i}` })).data.id);
    }
    const page = (await local.hl.projects.export({ id: project.id, size: 2 })).data;
    assert.equal(page.page, 0);
    assert.equal(page.total, 3);
    assert.deepEqual(page.records.map((r) => r.id), [ids[2], ids[1]]);
    const rest = (await local.hl.projects.export({ id: project.id, page: 1, size: 2 })).data;
    assert.deepEqual(rest.records.map((r) => r.id), [ids[0]]);
  });

  it('creates and updates feedback types', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-feedback-types') })).data;
    assert.deepEqual(project.feedback_types.map((t) => t.type), ['rating', 'action', 'issue', 'correction', 'comment']);

    const created = (await local.hl.projects.createFeedbackType({
      id: project.id, type: 'tone', class: 'select', values: [{ value: 'warm', sentiment: 'positive' }, { value: 'cold' }],
    })).data;
    assert.deepEqual(created, { type: 'tone', values: [{ value: 'warm', sentiment: 'positive' }, { value: 'cold', sentiment: 'unset' }] });

    const all = (await local.hl.projects.updateFeedbackTypes({
      id: project.id,
      requestBody: [{ type: 'rating', values: [{ value: 'meh', sentiment: 'neutral' }] }, { type: 'tone', values: [{ value: 'cold', sentiment: 'negative' }] }],
    })).data;
    assert.deepEqual(all.find((t) => t.type === 'rating').values.map((v) => v.value), ['good', 'bad', 'meh']);
    assert.deepEqual(all.find((t) => t.type === 'tone').values, [{ value: 'warm', sentiment: 'positive' }, { value: 'cold', sentiment: 'negative' }]);
    const again = (await local.hl.projects.get({ id: project.id })).data;
    assert.deepEqual(again.feedback_types, all);
    assert.equal(await rejectedStatus(local.hl.projects.updateFeedbackTypes({ id: project.id, requestBody: [{ type: 'rating', class: 'text' }] })), 422);
  });

  it('gets and removes the active config and the active experiment', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-active') })).data;
    const a = (await local.hl.modelConfigs.register({ project_id: project.id, model: 'mock-model', provider: 'mock', prompt_template: 'A {{q}}' })).data;
    const b = (await local.hl.modelConfigs.register({ project_id: project.id, model: 'mock-model', provider: 'mock', prompt_template: 'B {{q}}' })).data;

    const active = (await local.hl.projects.getActiveConfig({ id: project.id })).data;
    assert.equal(active.config.id, a.config.id);
    const withoutConfig = (await local.hl.projects.deactivateConfig({ id: project.id })).data;
    assert.equal(withoutConfig.active_config, null);
    assert.equal(await rejectedStatus(local.hl.projects.getActiveConfig({ id: project.id })), 404);

    const experiment = (await local.hl.experiments.create({ projectId: project.id, name: 'ab', positive_labels: [], config_ids: [a.config.id, b.config.id] })).data;
    await local.hl.projects.update({ id: project.id, active_experiment_id: experiment.id });
    const sampled = (await local.hl.projects.getActiveConfig({ id: project.id })).data;
    assert.equal(sampled.experiment_id, experiment.id);
    assert.match(sampled.trial_id, /^trial_/);

    // A log of the sampled trial counts as the experiment's trial.
    const trialLog = (await local.hl.logs.log({ trial_id: sampled.trial_id, output: 'trial output' })).data;
    assert.equal(trialLog.project_id, project.id);
    assert.equal((await getLog(trialLog.id)).config_id, sampled.config.id);

    const withoutExperiment = (await local.hl.projects.deactivateExperiment({ id: project.id })).data;
    assert.equal(withoutExperiment.active_experiment, null);
    assert.equal(await rejectedStatus(local.hl.projects.getActiveConfig({ id: project.id })), 404);
  });
});
