import { numFiltersList } from '../experiments/common/filterbank-schema.js';
import { signalNames } from '../experiments/common/signal-names.js';
import { FINAL_STATUSES, type ExperimentRecord } from '../store/experiment-record.js';
import { recordFromFields } from '../store/experiment-store.js';
import type { SummaryRow, ViewStore } from '../store/view-store.js';
import { progressData } from './experiment-events.js';

/** A summary names at most this many signals, each cut to this many characters: < 2 KB per item. */
const MAX_SIGNAL_NAMES = 8;
const MAX_NAME_CHARS = 40;

/**
 * The summary view of an experiment (docs/api.md "Views"): its state and a short digest of its
 * request, never its result or its signal samples, so a list of them stays small whatever the
 * experiments hold. The key order is fixed: a summary built twice is the same bytes.
 */
export function experimentSummary(
  record: ExperimentRecord,
  completedTrials: number,
  version: number,
): Record<string, unknown> {
  const { request } = record;
  const digest: Record<string, unknown> = {
    type: request.type,
    numFilters: numFiltersList(request.filterbank.numFilters),
    filterLengths: request.filterbank.filterLengths,
    trials: request.trials,
  };
  if (request.type === 'energy') {
    const names = signalNames(request.signals);
    digest.signals = names
      .slice(0, MAX_SIGNAL_NAMES)
      .map((name) => (name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}…` : name));
    digest.signalCount = names.length;
  } else {
    digest.signalLength = request.signalLength;
    digest.stride = request.filterbank.stride;
  }
  const self = `/v1/experiments/${record.id}`;
  const done = record.status === 'succeeded' ? record.totalTrials : completedTrials;
  const summary: Record<string, unknown> = {
    id: record.id,
    type: record.type,
    status: record.status,
    version,
    progress: progressData(done, record.totalTrials),
    summary: digest,
    createdAt: record.createdAt,
  };
  if (record.startedAt !== undefined) summary.startedAt = record.startedAt;
  if (record.finishedAt !== undefined) summary.finishedAt = record.finishedAt;
  summary.links = { self, events: `${self}/events` };
  if (record.error !== undefined) summary.error = record.error;
  return summary;
}

/**
 * The summary JSON of one row as served, or undefined when the experiment does not exist for
 * `owner` (another owner's looks the same as a missing one). A finished experiment's summary is
 * cached on first use, so later lists read its bytes.
 */
export async function summaryJson(
  views: ViewStore,
  row: SummaryRow,
  owner: string,
): Promise<string | undefined> {
  if (row.kind === 'missing' || row.owner !== owner) return undefined;
  if (row.kind === 'cached') return row.json;
  const record = recordFromFields(row.fields);
  if (record === undefined) return undefined;
  const json = JSON.stringify(experimentSummary(record, row.completedTrials, row.version));
  if (FINAL_STATUSES.includes(record.status)) await views.cacheSummary(row.id, owner, record.status, json);
  return json;
}
