// The client's types, derived from the very zod schemas the server validates and serialises
// with (type-only imports: none of the server's code ships with the client), so they cannot
// drift from the API (docs/api.md "Client").
import type { z } from 'zod';
import type {
  analyzeFilterbankResultSchema,
  analyzeSignalResultSchema,
  designResultSchema,
  signalResourceSchema,
  signalUploadSchema,
} from '../api/schemas/analysis.js';
import type {
  experimentResourceSchema,
  experimentStatusSchema,
  listQuerySchema,
  progressSchema,
} from '../api/schemas/experiment.js';
import type {
  deletedExperimentSchema,
  experimentFullListSchema,
  experimentSummaryListSchema,
  experimentSummarySchema,
  missingExperimentSchema,
  viewSchema,
} from '../api/schemas/experiment-views.js';
import type { fieldErrorSchema, problemSchema } from '../api/schemas/problem.js';
import type {
  analyzeFilterbankFileQuerySchema,
  analyzeFilterbankRequestSchema,
} from '../experiments/analysis/analyze-filterbank-schema.js';
import type { analyzeSignalRequestSchema } from '../experiments/analysis/analyze-signal-schema.js';
import type { designRequestSchema } from '../experiments/analysis/design-schema.js';
import type { experimentRequestSchema } from '../experiments/experiment-request.js';

/** Body of `POST /v1/experiments`, as a caller may write it (defaults optional). */
export type ExperimentRequestInput = z.input<typeof experimentRequestSchema>;
/** The experiment resource of docs/api.md "The experiment resource". */
export type Experiment = z.output<typeof experimentResourceSchema>;
/** The summary view of docs/api.md "Views": state and a digest of the request, no result. */
export type ExperimentSummary = z.output<typeof experimentSummarySchema>;
/** In an `ids` batch: an id that is not an experiment of this key. */
export type MissingExperiment = z.output<typeof missingExperimentSchema>;
/** In a `changedSince` answer: an experiment deleted or expired since the token. */
export type DeletedExperiment = z.output<typeof deletedExperimentSchema>;
/** A page of `GET /v1/experiments` in the summary view (the default). */
export type ExperimentSummaryList = z.output<typeof experimentSummaryListSchema>;
/** A page of `GET /v1/experiments?view=full`. */
export type ExperimentList = z.output<typeof experimentFullListSchema>;
export type View = z.output<typeof viewSchema>;
export type ExperimentStatus = z.output<typeof experimentStatusSchema>;
export type Progress = z.output<typeof progressSchema>;
/** Filters of `GET /v1/experiments`; the client follows `cursor` itself. */
export type ListOptions = Omit<Partial<z.output<typeof listQuerySchema>>, 'cursor'>;

/** JSON body of `POST /v1/signals`. */
export type SignalUploadInput = z.input<typeof signalUploadSchema>;
/** A stored signal, without its samples. */
export type Signal = z.output<typeof signalResourceSchema>;

export type AnalyzeSignalRequestInput = z.input<typeof analyzeSignalRequestSchema>;
export type AnalyzeSignalResult = z.output<typeof analyzeSignalResultSchema>;
export type AnalyzeFilterbankRequestInput = z.input<typeof analyzeFilterbankRequestSchema>;
/** Query of the file form of `POST /v1/analyze/filterbank`. */
export type AnalyzeFilterbankFileOptions = Partial<z.output<typeof analyzeFilterbankFileQuerySchema>>;
export type AnalyzeFilterbankResult = z.output<typeof analyzeFilterbankResultSchema>;
export type DesignRequestInput = z.input<typeof designRequestSchema>;
export type DesignResult = z.output<typeof designResultSchema>;

/** An RFC 9457 problem+json body (docs/api.md "Errors"). */
export type Problem = z.output<typeof problemSchema>;
export type FieldError = z.output<typeof fieldErrorSchema>;

/** The final statuses: `wait` returns once an experiment has one. */
export const FINAL_STATUSES: readonly ExperimentStatus[] = ['succeeded', 'failed', 'cancelled'];
