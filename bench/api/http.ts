import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * The benchmark's HTTP client: node:http over keep-alive connections, nothing in between. Both the load
 * generator and the wake measurement use it, against Countersign and against the bare baseline alike.
 */

export interface TimedResponse {
  status: number;
  /** The body, parsed when it is JSON. */
  body: unknown;
  /** `performance.now()` when the last byte of the response had arrived. */
  endAt: number;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  headers?: http.OutgoingHttpHeaders;
  /** Already serialised, so timing does not include JSON.stringify. */
  body?: Buffer;
  /** Skip JSON.parse (the load generator only needs the status). */
  raw?: boolean;
}

export class HttpClient {
  readonly agent: http.Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #headers: http.OutgoingHttpHeaders;

  /** `connections`: how many keep-alive connections this client may hold open. */
  constructor(baseUrl: string, options: { connections?: number; token?: string } = {}) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? 1 });
  }

  request(options: RequestOptions): Promise<TimedResponse> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { ...this.#headers, ...options.headers };
      if (options.body) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = options.body.length;
      }
      const request = http.request(
        { host: this.#host, port: this.#port, method: options.method, path: options.path, headers, agent: this.agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const endAt = performance.now();
            const status = response.statusCode ?? 0;
            if (options.raw && status < 400) {
              resolve({ status, body: undefined, endAt });
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text === '' ? undefined : JSON.parse(text);
            } catch {
              // Not JSON (Prometheus metrics): the text.
            }
            resolve({ status, body, endAt });
          });
        },
      );
      request.on('error', reject);
      request.end(options.body);
    });
  }

  /** A JSON request; throws unless the status is `expect`. */
  async json<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    expect: number,
  ): Promise<T & { endAt: number }> {
    const response = await this.request({
      method,
      path,
      ...(body !== undefined && { body: Buffer.from(JSON.stringify(body)) }),
    });
    if (response.status !== expect) {
      throw new Error(`${method} ${path} answered ${response.status}, not ${expect}: ${JSON.stringify(response.body)}`);
    }
    return { ...(response.body as T), endAt: response.endAt };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A Prometheus sample's value from `/metrics` text, or undefined when the series is absent. */
export function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series) && line.charAt(series.length) === ' ') return Number(line.slice(series.length + 1));
  }
  return undefined;
}
