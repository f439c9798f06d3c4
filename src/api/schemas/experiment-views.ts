import { z } from 'zod';
import {
  experimentResourceSchema,
  experimentStatusSchema,
  listQuerySchema,
  progressSchema,
} from './experiment.js';
import { problemSchema } from './problem.js';

/** The summary view of docs/api.md "Views": state and a digest of the request, no result. */
export const experimentSummarySchema = z
  .object({
    id: z.uuid(),
    type: z.enum(['energy', 'frame-bounds']),
    status: experimentStatusSchema,
    version: z.int().min(0).describe('Grows whenever its status or progress changes (docs/api.md "Changes")'),
    progress: progressSchema,
    summary: z
      .object({
        type: z.enum(['energy', 'frame-bounds']),
        numFilters: z.array(z.int()).describe('The J values'),
        filterLengths: z.array(z.int()).describe('The T values'),
        trials: z.int(),
        signals: z
          .array(z.string())
          .optional()
          .describe('Energy: the first 8 signal names (each at most 40 characters)'),
        signalCount: z.int().optional().describe('Energy: how many signals'),
        signalLength: z.int().optional().describe('Frame bounds: N'),
        stride: z.int().optional().describe('Frame bounds: d'),
      })
      .describe('A digest of the request'),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().optional(),
    finishedAt: z.iso.datetime().optional(),
    links: z.object({ self: z.string(), events: z.string() }),
    error: problemSchema.optional().describe('When failed'),
  })
  .meta({ id: 'ExperimentSummary' });

/** In an `ids` batch: an id that is not an experiment of this key. */
export const missingExperimentSchema = z
  .object({
    id: z.string(),
    status: z.literal(404),
    problem: problemSchema,
  })
  .meta({ id: 'MissingExperiment' });

/** In a `changedSince` answer: an experiment deleted (or expired) since the token. */
export const deletedExperimentSchema = z
  .object({
    id: z.uuid(),
    version: z.int().min(0),
    deleted: z.literal(true),
  })
  .meta({ id: 'DeletedExperiment' });

const envelope = {
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  changeToken: z
    .string()
    .describe('Pass as `changedSince` to get only what changed after this answer (docs/api.md "Changes")'),
};

export const experimentSummaryListSchema = z
  .object({
    items: z
      .array(z.union([experimentSummarySchema, deletedExperimentSchema, missingExperimentSchema]))
      .describe('Newest first; with `changedSince`, oldest change first; with `ids`, in their order'),
    ...envelope,
  })
  .meta({ id: 'ExperimentSummaryList' });

export const experimentFullListSchema = z
  .object({
    items: z
      .array(z.union([experimentResourceSchema, deletedExperimentSchema, missingExperimentSchema]))
      .describe('Newest first; with `changedSince`, oldest change first; with `ids`, in their order'),
    ...envelope,
  })
  .meta({ id: 'ExperimentList' });

export const viewSchema = z
  .enum(['summary', 'full'])
  .describe('`summary`: state and a digest, no result; `full`: the whole experiment resource');

/** Ids in one batch read at most. */
export const MAX_BATCH_IDS = 100;

export const listViewsQuerySchema = listQuerySchema.extend({
  view: viewSchema.default('summary'),
  changedSince: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'A `changeToken`: only the experiments changed after it, oldest change first, deletions included',
    ),
  ids: z
    .string()
    .min(1)
    .max(100 * 40)
    .optional()
    .describe(`Comma-separated experiment ids (at most ${MAX_BATCH_IDS}), answered in that order`),
});

export const getQuerySchema = z.object({
  view: viewSchema.default('full'),
});
