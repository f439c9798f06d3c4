import { requestDigest } from '../experiments/common/request-digest.js';
import { FINAL_STATUSES, type ExperimentStatus, type Problem } from '../store/experiment-record.js';
import { recordFromFields, type RecordHead } from '../store/experiment-store.js';
import type { SummaryRow, ViewStore } from '../store/view-store.js';
import { progressData } from './experiment-events.js';

/** What a summary is made of: the record's head (immutable) and its mutable fields. */
interface SummarySource extends RecordHead {
  id: string;
  status: ExperimentStatus;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  error?: Problem | undefined;
}

/**
 * The summary view of an experiment (docs/api.md "Views"): its state and a digest of its
 * request, never its result or its signal samples, so a list of them stays small whatever the
 * experiments hold. The key order is fixed: a summary built twice is the same bytes.
 */
function experimentSummary(
  source: SummarySource,
  completedTrials: number,
  version: number,
): Record<string, unknown> {
  const self = `/v1/experiments/${source.id}`;
  const done = source.status === 'succeeded' ? source.totalTrials : completedTrials;
  const summary: Record<string, unknown> = {
    id: source.id,
    type: source.type,
    status: source.status,
    version,
    progress: progressData(done, source.totalTrials),
    summary: source.digest,
    createdAt: source.createdAt,
  };
  if (source.startedAt !== undefined) summary.startedAt = source.startedAt;
  if (source.finishedAt !== undefined) summary.finishedAt = source.finishedAt;
  summary.links = { self, events: `${self}/events` };
  if (source.error !== undefined) summary.error = source.error;
  return summary;
}

/** The summary source of a row: from its `head` field, or (records older than it) its `doc`. */
function sourceOf(id: string, fields: Record<string, string>): SummarySource | undefined {
  if (fields.head === undefined) {
    const record = recordFromFields(fields);
    if (record === undefined) return undefined;
    return {
      ...record,
      digest: requestDigest(record.request),
    };
  }
  return {
    ...(JSON.parse(fields.head) as RecordHead),
    id,
    status: fields.status as ExperimentStatus,
    startedAt: fields.startedAt,
    finishedAt: fields.finishedAt,
    error: fields.error === undefined ? undefined : (JSON.parse(fields.error) as Problem),
  };
}

/**
 * The summary JSON of one row as served, or undefined when the experiment does not exist for
 * `owner` (another owner's looks the same as a missing one), with whether it is final (and so
 * worth caching). Pure: the change cache builds summaries from change messages with it.
 */
export function summaryOfRow(row: SummaryRow, owner: string): { json: string; final: boolean } | undefined {
  if (row.kind === 'missing' || row.owner !== owner) return undefined;
  if (row.kind === 'cached') return { json: row.json, final: true };
  const source = sourceOf(row.id, row.fields);
  if (source === undefined) return undefined;
  return {
    json: JSON.stringify(experimentSummary(source, row.completedTrials, row.version)),
    final: FINAL_STATUSES.includes(source.status),
  };
}

/**
 * summaryOfRow's JSON. A finished experiment's summary is cached on first use, so later lists
 * read its bytes.
 */
export async function summaryJson(
  views: ViewStore,
  row: SummaryRow,
  owner: string,
): Promise<string | undefined> {
  const summary = summaryOfRow(row, owner);
  if (summary === undefined) return undefined;
  if (summary.final && row.kind === 'fields') {
    await views.cacheSummary(row.id, owner, row.fields.status as ExperimentStatus, summary.json);
  }
  return summary.json;
}

/** The summaries of `rows` in their order (summaryJson of each). */
export function summariesJson(
  views: ViewStore,
  rows: readonly SummaryRow[],
  owner: string,
): Promise<(string | undefined)[]> {
  return Promise.all(rows.map((row) => summaryJson(views, row, owner)));
}

/** What a change list says of an experiment that is gone (docs/api.md "Changes"). */
export function tombstoneJson(id: string, version: number): string {
  return `{"id":"${id}","version":${version},"deleted":true}`;
}
