import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_TYPES, problemTypePath } from '../../service/problem.js';
import { HttpProblem } from '../../service/problem.js';
import { problemResponses, problemTypeSchema } from '../schemas/problem.js';

const describe = (t: (typeof PROBLEM_TYPES)[number]) => ({
  type: problemTypePath(t.slug),
  title: t.title,
  status: t.status,
  description: t.description,
});

/**
 * `GET /problems` and `GET /problems/:slug` (docs/api.md "Errors"): what each problem `type` URI
 * means, so every type the service sends resolves to a description it serves. Public, like the
 * probes: a client that got a 401 must be able to read what it means.
 */
export const problemTypeRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['problems'];
  app.get(
    '/problems',
    {
      schema: {
        operationId: 'listProblemTypes',
        summary: 'List the problem types',
        description: 'Every `type` URI the service sends in a problem+json body, with what it means.',
        tags,
        security: [],
        response: { 200: z.object({ items: z.array(problemTypeSchema) }).describe('The problem types') },
      },
    },
    async () => ({ items: PROBLEM_TYPES.map(describe) }),
  );

  app.get(
    '/problems/:slug',
    {
      schema: {
        operationId: 'getProblemType',
        summary: 'Describe one problem type',
        description:
          'The target of a problem `type` URI such as `/problems/not-found`: its status, title and when the ' +
          'service answers with it.',
        tags,
        security: [],
        params: z.object({
          slug: z
            .enum(PROBLEM_TYPES.map((t) => t.slug) as [string, ...string[]])
            .describe('The last segment of a problem `type` URI'),
        }),
        response: { 200: problemTypeSchema.describe('The problem type'), ...problemResponses(404) },
      },
    },
    async (request) => {
      const found = PROBLEM_TYPES.find((t) => t.slug === request.params.slug);
      if (found === undefined) throw new HttpProblem(404, 'Not found', 'no such problem type');
      return describe(found);
    },
  );
};
