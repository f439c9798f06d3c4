// Piscina worker of the API process: runs one synchronous analysis (POST /v1/analyze/signal,
// /v1/analyze/filterbank, /v1/design) off the event loop. The functions are the CLI's own, so the JSON is
// identical. A RequestInputError does not survive the thread boundary as a class, so it comes
// back as a value.
import {
  analyzeFilterbankTaps,
  type AnalyzeFilterbankResult,
  type FilterbankTaps,
} from '../experiments/analysis/analyze-filterbank.js';
import { analyzeSignal, type AnalyzeSignalResult } from '../experiments/analysis/analyze-signal.js';
import { design, type DesignRow } from '../experiments/analysis/design.js';
import type { DesignRequest } from '../experiments/analysis/design-schema.js';
import type { AnalyzeSignalRequest } from '../experiments/analysis/analyze-signal-schema.js';
import { RequestInputError, type StoredSignal } from '../experiments/common/prepare-signal.js';

export type AnalysisMessage =
  | { kind: 'signal'; request: AnalyzeSignalRequest; stored?: [string, StoredSignal][] }
  | {
      kind: 'filterbank';
      taps: FilterbankTaps;
      options: { stride: number; signalLength?: number | undefined };
    }
  | { kind: 'design'; request: DesignRequest };

export type AnalysisReply =
  | { ok: true; result: AnalyzeSignalResult | AnalyzeFilterbankResult | DesignRow[] }
  | { ok: false; path: (string | number)[]; message: string };

export default function runAnalysisInThread(message: AnalysisMessage): AnalysisReply {
  try {
    const result =
      message.kind === 'signal'
        ? analyzeSignal(message.request, new Map(message.stored ?? []))
        : message.kind === 'design'
          ? design(message.request)
          : analyzeFilterbankTaps(message.taps, message.options);
    return { ok: true, result };
  } catch (error) {
    if (error instanceof RequestInputError) return { ok: false, path: error.path, message: error.message };
    throw error;
  }
}
