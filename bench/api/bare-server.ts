import { EventEmitter, once } from 'node:events';
import Fastify from 'fastify';

/**
 * The baseline server: bare Fastify, no authentication, policy, database or audit. It answers the same requests
 * the benchmark sends Countersign with a response of the same size, so what separates the two is Countersign's
 * own work, not HTTP or JSON.
 *
 * - `POST /v1/actions` parses the JSON body and answers 201 with `template` (a real Countersign response) carrying
 *   the submitted fields.
 * - `GET /park/:id` holds its response until `POST /release/:id` releases it through an in-process EventEmitter:
 *   the floor under Countersign's long-poll wake (two HTTP round trips and nothing else).
 * - `GET /parked` says how many requests are parked, so a client can tell its long poll has arrived.
 */
export async function startBareServer(
  template: Record<string, unknown>,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
  const releases = new EventEmitter();
  releases.setMaxListeners(0);
  let created = 0;
  let parked = 0;

  app.post('/v1/actions', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    created += 1;
    reply.code(201);
    reply.header('location', `/v1/actions/act_${created}`);
    return {
      ...template,
      id: `act_${String(created).padStart(26, '0')}`,
      action: body.action,
      resource: body.resource,
      environment: body.environment,
      params: body.params,
    };
  });

  app.get<{ Params: { id: string } }>('/park/:id', async (request) => {
    const { id } = request.params;
    parked += 1;
    try {
      await once(releases, id, { signal: AbortSignal.timeout(30_000) });
    } finally {
      parked -= 1;
    }
    return { ...template, id, status: 'approved' };
  });

  app.post<{ Params: { id: string } }>('/release/:id', async (request) => {
    const { id } = request.params;
    releases.emit(id);
    return { ...template, id, status: 'approved' };
  });

  app.get('/parked', async () => ({ parked }));

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('the bare server has no address');
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
