// The baseline of `npm run bench:api`: a bare Fastify app on the same Fastify and ioredis as the
// API, with the two routes the API's hot paths are compared against. It is a separate process,
// like the API, so both pay the same loopback and event-loop costs.
//   POST /echo       parses a JSON body (Fastify's own parser) and answers 202 with a small JSON
//   GET  /blob/:id   reads one Redis string (about 4 KB of JSON) and returns it as JSON
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT ?? 0);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
await redis.connect();
const blob = JSON.stringify({
  id: 'baseline',
  values: Array.from({ length: 200 }, (_, i) => Math.sin(i) / 3),
});
await redis.set('bench:blob:baseline', blob);

const app = Fastify();
app.post('/echo', async (request, reply) => {
  const body = request.body as { seed?: number };
  return reply.code(202).send({ ok: true, seed: body.seed ?? null });
});
app.get('/blob/:id', async (request, reply) => {
  const raw = await redis.get(`bench:blob:${(request.params as { id: string }).id}`);
  if (raw === null) return reply.code(404).send({ error: 'not found' });
  return reply.type('application/json; charset=utf-8').send(raw);
});
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`bare fastify listening (${blob.length} bytes blob)\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
