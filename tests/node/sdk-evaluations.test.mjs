// The official humanloop Node SDK (0.5.36) against the local server: the Evaluations group. The SDK has
// create, get, listAllForProject, listDatapoints, logResult and updateStatus; the 2024-07-12 operations it
// lacks (GET /evaluations, PATCH /evaluations/{id}/evaluators, POST /evaluations/{id}/log) are sent as the
// spec has them, with fetch and the same key. Shapes and choices are in docs/server.md ("Evaluations").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sdkOnLocalServer, unique } from './lib/sdk.mjs';

const local = sdkOnLocalServer();

/** A v4 call the SDK has no method for: JSON in, { status, body } out. */
async function call(method, path, body) {
  const response = await fetch(`${local.server.apiUrl}/${path}`, {
    method,
    headers: { 'X-API-KEY': local.server.apiKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The status of a rejected SDK call (axios error). */
async function rejectedStatus(promise) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, 'expected the call to fail');
  return error.status ?? error.response?.status;
}

/**
 * A project with a mock completion config whose output is exactly "Echo: Answer <q>" (cut at three tokens), a
 * dataset of two questions, and evaluators: a built-in check, an external one and a human one.
 */
async function setUp() {
  const registered = (await local.hl.modelConfigs.register({
    project: unique('node-eval'),
    provider: 'mock',
    model: 'mock-model',
    prompt_template: 'Answer {{q}}',
    temperature: 0,
    max_tokens: 3,
  })).data;
  const projectId = registered.project_id;
  const dataset = (await local.hl.datasets.create({ projectId, name: 'questions', description: '' })).data;
  const datapoints = (await local.hl.datasets.createDatapoint({
    datasetId: dataset.id,
    requestBody: [
      { inputs: { q: 'refunds' }, target: { answer: 'Echo: Answer refunds' } },
      { inputs: { q: 'shipping' }, target: { answer: 'Echo: Answer refunds' } },
    ],
  })).data;
  const evaluator = async (body) => (await local.hl.evaluators.create({ name: unique(body.type), description: '', arguments_type: 'target_free', ...body })).data;
  const exact = await evaluator({ type: 'python', return_type: 'boolean', arguments_type: 'target_required', code: 'builtin:equals:{{target.answer}}' });
  const external = await evaluator({ type: 'external', return_type: 'number' });
  const human = await evaluator({ type: 'human', return_type: 'boolean' });
  return { projectId, configId: registered.config.id, datasetId: dataset.id, datapoints, exact, external, human };
}

async function waitForStatus(id, ...statuses) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const evaluation = (await local.hl.evaluations.get({ id, evaluatorAggregates: true })).data;
    if (statuses.includes(evaluation.status)) return evaluation;
    assert.ok(Date.now() < deadline, `evaluation ${id} stayed ${evaluation.status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const aggregateOf = (evaluation, evaluatorId) => evaluation.evaluator_aggregates.find((a) => a.evaluator_id === evaluatorId).aggregate_value;

describe('evaluations', () => {
  it('creates a server run that generates, scores and aggregates every datapoint, and lists it', async () => {
    const s = await setUp();
    const created = (await local.hl.evaluations.create({
      projectId: s.projectId,
      config_id: s.configId,
      dataset_id: s.datasetId,
      evaluator_ids: [s.exact.id, s.external.id],
    })).data;
    assert.equal(created.status, 'pending');
    assert.match(created.id, /^ev_/);
    assert.equal(created.config.id, s.configId);
    assert.equal(created.dataset.id, s.datasetId);
    assert.equal(created.dataset_snapshot.datapoint_count, 2);
    assert.deepEqual(created.evaluators.map((e) => e.id), [s.exact.id, s.external.id]);
    assert.equal('evaluator_aggregates' in created, false);

    const done = await waitForStatus(created.id, 'completed', 'failed');
    assert.equal(done.status, 'completed');
    assert.equal(aggregateOf(done, s.exact.id), 0.5);
    assert.equal(aggregateOf(done, s.external.id), null);
    assert.equal(done.evaluator_aggregates[0].model_config_id, s.configId);
    assert.equal(done.evaluator_aggregates[0].evaluator_version_id, s.exact.id);

    const page = (await local.hl.evaluations.listDatapoints({ id: created.id, page: 1, size: 1 })).data;
    assert.equal(page.total, 2);
    assert.equal(page.page, 1);
    const [first] = page.records;
    assert.equal(first.datapoint.id, s.datapoints[0].id);
    assert.equal(first.log.output, 'Echo: Answer refunds');
    assert.equal(first.log.source_datapoint_id, s.datapoints[0].id);
    assert.deepEqual(first.evaluation_results.map((r) => [r.evaluator_id, r.value]), [[s.exact.id, true]]);
    const second = (await local.hl.evaluations.listDatapoints({ id: created.id, page: 2, size: 1 })).data;
    assert.equal(second.records[0].log.output, 'Echo: Answer shipping');
    assert.equal(second.records[0].evaluation_results[0].value, false);

    const forProject = (await local.hl.evaluations.listAllForProject({ projectId: s.projectId, evaluatorAggregates: true })).data;
    assert.deepEqual(forProject.map((e) => e.id), [created.id]);
    assert.equal(aggregateOf(forProject[0], s.exact.id), 0.5);

    const listed = await call('GET', `evaluations?project_id=${s.projectId}&page=0&size=10`);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.total, 1);
    assert.equal(listed.body.records[0].id, created.id);

    // A finished server run is not set back to running.
    assert.equal(await rejectedStatus(local.hl.evaluations.updateStatus({ id: created.id, status: 'running' })), 409);
  });

  it('takes logs, results and status from a client, and evaluators added later', async () => {
    const s = await setUp();
    const created = (await local.hl.evaluations.create({
      projectId: s.projectId,
      config_id: s.configId,
      dataset_id: s.datasetId,
      evaluator_ids: [s.external.id],
      hl_generated: false,
    })).data;

    const added = await call('PATCH', `evaluations/${created.id}/evaluators`, { evaluator_ids: [s.exact.id], evaluator_version_ids: [s.human.id, s.exact.id] });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.evaluators.map((e) => e.id), [s.external.id, s.exact.id, s.human.id]);

    const logged = await call('POST', `evaluations/${created.id}/log`, { datapoint_id: s.datapoints[0].id, log: { output: 'Echo: Answer refunds', duration: 0.5 } });
    assert.equal(logged.status, 201);
    assert.match(logged.body.id, /^data_/);
    assert.equal(logged.body.project_id, s.projectId);
    assert.equal((await local.hl.evaluations.get({ id: created.id })).data.status, 'running');

    const result = (await local.hl.evaluations.logResult({
      evaluationRunExternalId: created.id,
      log_id: logged.body.id,
      evaluator_id: s.external.id,
      result: 0.75,
    })).data;
    assert.match(result.id, /^evr_/);
    assert.equal(result.value, 0.75);
    assert.equal(result.evaluator_version_id, s.external.id);

    // The human evaluator answers through feedback named after it.
    await local.hl.feedback({ type: s.human.name, value: 'true', data_id: logged.body.id });

    const completed = (await local.hl.evaluations.updateStatus({ id: created.id, status: 'completed' })).data;
    assert.equal(completed.status, 'completed');
    const evaluation = (await local.hl.evaluations.get({ id: created.id, evaluatorAggregates: true })).data;
    assert.equal(aggregateOf(evaluation, s.external.id), 0.75);
    assert.equal(aggregateOf(evaluation, s.exact.id), 1);
    assert.equal(aggregateOf(evaluation, s.human.id), 1);

    const page = (await local.hl.evaluations.listDatapoints({ id: created.id })).data;
    assert.equal(page.size, 10);
    assert.deepEqual(page.records.map((r) => r.log?.id ?? null), [logged.body.id, null]);

    assert.equal(await rejectedStatus(local.hl.evaluations.logResult({
      evaluationRunExternalId: created.id, log_id: 'data_nope', evaluator_id: s.external.id, result: 1,
    })), 422);
    const stranger = await call('POST', `evaluations/${created.id}/log`, { datapoint_id: 'evtc_nope', log: {} });
    assert.equal(stranger.status, 422);
    assert.equal(await rejectedStatus(local.hl.evaluations.get({ id: 'ev_nope' })), 404);
  });
});
