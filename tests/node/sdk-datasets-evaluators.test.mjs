// The official humanloop Node SDK (0.5.36) against the local server: the Datasets, Datapoints and
// Evaluators groups, every method the SDK has for them. Shapes are in docs/server.md.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sdkOnLocalServer, unique } from './lib/sdk.mjs';

const local = sdkOnLocalServer();

/** The status of a rejected SDK call (axios error). */
async function rejectedStatus(promise) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, 'expected the call to fail');
  return error.status ?? error.response?.status;
}

describe('datasets and datapoints', () => {
  it('creates, lists, gets, updates and deletes a dataset with its datapoints', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-ds') })).data;
    const dataset = (await local.hl.datasets.create({ projectId: project.id, name: 'cases', description: 'regression cases' })).data;
    assert.match(dataset.id, /^evts_/);
    assert.equal(dataset.project_id, project.id);
    assert.equal(dataset.datapoint_count, 0);

    const listed = (await local.hl.datasets.listAllForProject({ projectId: project.id })).data;
    assert.deepEqual(listed.map((d) => d.id), [dataset.id]);

    const one = (await local.hl.datasets.createDatapoint({
      datasetId: dataset.id,
      requestBody: { inputs: { question: 'refunds?' }, target: { answer: 'within 30 days' } },
    })).data;
    assert.equal(one.length, 1);
    assert.match(one[0].id, /^evtc_/);
    assert.equal(one[0].dataset_id, dataset.id);

    const many = (await local.hl.datasets.createDatapoint({
      datasetId: dataset.id,
      requestBody: [
        { inputs: { question: 'shipping?' }, target: { answer: 'free' } },
        { messages: [{ role: 'user', content: 'hello' }], target: { tone: 'friendly' } },
      ],
    })).data;
    assert.equal(many.length, 2);
    assert.equal(many[1].messages[0].content, 'hello');

    const page = (await local.hl.datasets.listDatapoints({ datasetId: dataset.id, page: 0, size: 2 })).data;
    assert.equal(page.total, 3);
    assert.deepEqual(page.records.map((r) => r.id), [one[0].id, many[0].id]);

    const got = (await local.hl.datapoints.get({ id: many[0].id })).data;
    assert.equal(got.inputs.question, 'shipping?');
    const updated = (await local.hl.datapoints.update({ id: many[0].id, target: { answer: 'free over $50' } })).data;
    assert.equal(updated.target.answer, 'free over $50');
    assert.equal(updated.inputs.question, 'shipping?');

    await local.hl.datapoints.delete([one[0].id, many[1].id]);
    assert.equal(await rejectedStatus(local.hl.datapoints.get({ id: one[0].id })), 404);

    const renamed = (await local.hl.datasets.update({ id: dataset.id, name: 'renamed' })).data;
    assert.equal(renamed.name, 'renamed');
    assert.equal((await local.hl.datasets.get({ id: dataset.id })).data.datapoint_count, 1);

    const deleted = await local.hl.datasets.delete({ id: dataset.id });
    assert.equal(deleted.status, 200);
    assert.equal(await rejectedStatus(local.hl.datasets.get({ id: dataset.id })), 404);
  });

  it('makes datapoints from logs', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-ds-logs') })).data;
    const completion = (await local.hl.completions.create({
      project_id: project.id,
      inputs: { city: 'Paris' },
      model_config: { model: 'mock-model', provider: 'mock', prompt_template: 'About {{city}}' },
    })).data;
    const dataset = (await local.hl.datasets.create({ projectId: project.id, name: 'from logs', description: '' })).data;
    const made = (await local.hl.datasets.createDatapoint({ datasetId: dataset.id, requestBody: { log_ids: [completion.data[0].id] } })).data;
    assert.deepEqual(made[0].inputs, { city: 'Paris' });
  });

  it('answers 422 for a bad datapoint', async () => {
    const project = (await local.hl.projects.create({ name: unique('node-ds-bad') })).data;
    const dataset = (await local.hl.datasets.create({ projectId: project.id, name: 'bad', description: '' })).data;
    assert.equal(await rejectedStatus(local.hl.datasets.createDatapoint({ datasetId: dataset.id, requestBody: { target: 'x' } })), 422);
  });
});

describe('evaluators', () => {
  it('creates, lists, gets, updates and deletes evaluators of each kind', async () => {
    const builtin = (await local.hl.evaluators.create({
      name: unique('has-refund'),
      description: 'mentions refunds',
      arguments_type: 'target_free',
      return_type: 'boolean',
      type: 'python',
      code: 'builtin:contains:refund',
    })).data;
    assert.match(builtin.id, /^evfn_/);
    assert.equal(builtin.code, 'builtin:contains:refund');

    const llm = (await local.hl.evaluators.create({
      name: unique('grader'),
      description: 'grades answers',
      arguments_type: 'target_required',
      return_type: 'number',
      type: 'llm',
      model_config: { model: 'mock-grader', prompt_template: 'Grade {{output}} against {{target}}' },
    })).data;
    assert.match(llm.model_config.id, /^config_/);
    assert.equal(llm.model_config.model, 'mock-grader');

    const external = (await local.hl.evaluators.create({
      name: unique('ci-check'), description: '', arguments_type: 'target_free', return_type: 'boolean', type: 'external',
    })).data;

    const ids = (await local.hl.evaluators.list()).data.map((e) => e.id);
    for (const id of [builtin.id, llm.id, external.id]) assert.ok(ids.includes(id), `${id} listed`);

    assert.equal((await local.hl.evaluators.get({ id: llm.id })).data.type, 'llm');
    const updated = (await local.hl.evaluators.update({ id: builtin.id, code: 'builtin:icontains:Refund' })).data;
    assert.equal(updated.code, 'builtin:icontains:Refund');

    await local.hl.evaluators.delete({ id: external.id });
    assert.equal(await rejectedStatus(local.hl.evaluators.get({ id: external.id })), 404);
  });

  it('answers 422 for an unknown built-in check', async () => {
    const status = await rejectedStatus(local.hl.evaluators.create({
      name: unique('bad'), description: '', arguments_type: 'target_free', return_type: 'boolean', type: 'python', code: 'builtin:sentiment',
    }));
    assert.equal(status, 422);
  });
});
