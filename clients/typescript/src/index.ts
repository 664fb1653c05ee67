/**
 * The hand-written layer over the generated types (`schema.ts`, from the OpenAPI document by
 * scripts/generate-clients.sh) and openapi-fetch: only what generated code cannot make
 * idiomatic. A key as a bearer token, an `Idempotency-Key` on every POST, problem+json answers
 * thrown as one error type, cursor pages followed as an async iterator, the `position` a write
 * returns for read-your-writes (pass it as `min_position`), and 429/503 retried after
 * `Retry-After`.
 *
 *     const roster = new Roster("http://127.0.0.1:8080", apiKey);
 *     const org = await ok(roster.api.POST("/v1/organizations", { body: { name: "Acme" } }));
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
/** Every named schema of the API: `Schemas["Membership"]`, `Schemas["Event"]` … */
export type Schemas = components["schemas"];

/** One bad field of a refused request. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer of 400 or more: the API's `application/problem+json` (RFC 9457). */
export class RosterProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[];

  constructor(status: number, body: unknown) {
    const problem = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const text = (value: unknown, otherwise: string) => (typeof value === "string" ? value : otherwise);
    const title = text(problem["title"], "");
    const detail = text(problem["detail"], typeof body === "string" ? body.slice(0, 500) : "");
    super(`${status} ${title}: ${detail}`);
    this.name = "RosterProblem";
    this.status = status;
    this.type = text(problem["type"], "about:blank");
    this.title = title;
    this.detail = detail;
    this.errors = (Array.isArray(problem["errors"]) ? problem["errors"] : []).map((e: unknown) => {
      const error = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
      return { field: text(error["field"], ""), message: text(error["message"], "") };
    });
  }
}

/** What every openapi-fetch call resolves to. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * A read waiting for `min_position` past its bound, a storage outage (503) and a key past its
 * rate limit (429) say when to come back (`Retry-After`): a GET, and a POST (its Idempotency-Key
 * makes a retry apply it at most once), are retried that many times, each wait at most 5 s.
 */
const RETRIES = 3;
const MAX_WAIT_MS = 5000;

async function fetchRetrying(request: Request): Promise<Response> {
  const retryable = request.method === "GET" || request.method === "POST";
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(request.clone());
    if (!retryable || attempt >= RETRIES || (response.status !== 429 && response.status !== 503)) {
      return response;
    }
    const seconds = Number(response.headers.get("retry-after") ?? "1");
    const wait = Number.isFinite(seconds) ? Math.min(Math.max(seconds * 1000, 0), MAX_WAIT_MS) : 1000;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** The parsed answer of a call, or a thrown `RosterProblem`. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    throw new RosterProblem(response.status, error);
  }
  return data;
}

/** A page of any list: its items and the cursors to the next and previous pages. */
interface Page<T> {
  data: T[];
  list_metadata: { after?: string | number | null };
}

/** roster's API with one key: `api` is the typed openapi-fetch client of every route. */
export class Roster {
  readonly api: Client<paths>;

  constructor(baseUrl: string, apiKey: string) {
    this.api = createClient<paths>({
      baseUrl: baseUrl.replace(/\/+$/, ""),
      headers: { Authorization: `Bearer ${apiKey}` },
      fetch: fetchRetrying,
    });
    // A POST retried with the same key is applied once; give your own key to retry safely.
    this.api.use({
      onRequest({ request }) {
        if (request.method === "POST" && !request.headers.has("Idempotency-Key")) {
          request.headers.set("Idempotency-Key", crypto.randomUUID());
        }
        return request;
      },
    });
  }

  /**
   * Every item of a list, page after page: `page(after)` asks for the page after the cursor
   * (`undefined` for the first one).
   */
  async *pages<T, C extends string | number = string>(
    page: (after: C | undefined) => Promise<Answer<Page<T>>>,
  ): AsyncGenerator<T> {
    let after: C | undefined;
    do {
      const current = await ok(page(after));
      yield* current.data;
      after = (current.list_metadata.after ?? undefined) as C | undefined;
    } while (after !== undefined);
  }
}
