// A client written against the types openapi-typescript generates from openapi.yaml (into
// ./generated/, by test/api/openapi-contract.test.ts, which then type-checks this file with
// ./tsconfig.json and runs it against the service). If an operation id, a body or a problem
// response changes shape in the document, this file stops compiling.
import type { components, operations } from './generated/openapi.js';

type Json = 'application/json';
export type CreateExperimentBody = operations['createExperiment']['requestBody']['content'][Json];
export type Experiment = operations['getExperiment']['responses'][200]['content'][Json];
export type Problem = operations['getExperiment']['responses'][404]['content']['application/problem+json'];
type ExperimentId = operations['getExperiment']['parameters']['path']['id'];

/** The answer of a call: the body of its success status, or the problem of a failure. */
export type Answer<T> =
  { ok: true; status: number; body: T } | { ok: false; status: number; problem: Problem };

async function call<T>(url: string, init: RequestInit): Promise<Answer<T>> {
  const res = await fetch(url, init);
  if (res.ok) return { ok: true, status: res.status, body: (await res.json()) as T };
  return { ok: false, status: res.status, problem: (await res.json()) as Problem };
}

/** `createExperiment`: POST /v1/experiments. */
export function createExperiment(
  base: string,
  body: CreateExperimentBody,
  key?: string,
): Promise<Answer<operations['createExperiment']['responses'][202]['content'][Json]>> {
  return call(`${base}/v1/experiments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });
}

/** `getExperiment`: GET /v1/experiments/{id}. */
export function getExperiment(base: string, id: ExperimentId, key?: string): Promise<Answer<Experiment>> {
  return call(`${base}/v1/experiments/${id}`, {
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
  });
}

/** A frame-bounds request, typed by the document: a misspelt field does not compile. */
export const smallFrameBounds: CreateExperimentBody = {
  type: 'frame-bounds',
  trials: 20,
  seed: 7,
  signalLength: 64,
  filterbank: { numFilters: 4, filterLengths: [8, 16] },
};

/** What a problem's fields are, as the document's shared schema says. */
export function describeProblem(problem: components['schemas']['Problem']): string {
  const fields = (problem.errors ?? []).map((e) => e.path).join(', ');
  return `${problem.status} ${problem.title} (${problem.type}): ${problem.detail}${fields === '' ? '' : ` [${fields}]`}`;
}
