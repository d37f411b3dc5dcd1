import { performance } from 'node:perf_hooks';
import type { HttpClient, RequestOptions } from './http.js';

export interface LoadOptions {
  client: HttpClient;
  request: RequestOptions;
  /** Requests in flight at any moment: each is a loop sending its next request once the last has answered. */
  concurrency: number;
  /** Stop starting requests after this long… */
  durationMs?: number;
  /** …or after this many (for tests). */
  requests?: number;
  /** The status every response must have. */
  expectStatus: number;
}

export interface LoadResult {
  /** Responses with the expected status. */
  completed: number;
  /** Responses with another status, and failed requests. */
  failed: number;
  firstFailure?: string;
  /** From the first request until the last response. */
  elapsedMs: number;
  requestsPerSecond: number;
  /** Per-request latency seen by the load generator, milliseconds. */
  latenciesMs: number[];
}

/**
 * A closed-loop load generator: `concurrency` loops, each with its own keep-alive connection, sending the same
 * request back to back. Throughput is completed requests over the time from the first request to the last
 * response (requests still in flight at the deadline are waited for and counted).
 */
export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const { client, request, concurrency, expectStatus } = options;
  if (options.durationMs === undefined && options.requests === undefined)
    throw new Error('give durationMs or requests');
  const latenciesMs: number[] = [];
  let started = 0;
  let completed = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const deadline = start + (options.durationMs ?? Number.POSITIVE_INFINITY);
  const limit = options.requests ?? Number.POSITIVE_INFINITY;

  const loop = async (): Promise<void> => {
    while (started < limit && performance.now() < deadline) {
      started += 1;
      const sentAt = performance.now();
      try {
        const response = await client.request({ ...request, raw: true });
        latenciesMs.push(response.endAt - sentAt);
        if (response.status === expectStatus) completed += 1;
        else {
          failed += 1;
          const body = response.body === undefined ? '' : `: ${JSON.stringify(response.body).slice(0, 500)}`;
          firstFailure ??= `status ${response.status}${body}`;
        }
      } catch (error) {
        failed += 1;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - start;
  return {
    completed,
    failed,
    ...(firstFailure !== undefined && { firstFailure }),
    elapsedMs,
    requestsPerSecond: (completed / elapsedMs) * 1_000,
    latenciesMs,
  };
}
