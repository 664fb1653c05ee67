/**
 * A webhook receiver for roster's deliveries, verifying each with the official Standard Webhooks
 * library (`npm install standardwebhooks`): the signature over id, timestamp and body, with the
 * endpoint's secret, and the timestamp within five minutes (replays are refused).
 *
 *     ROSTER_WEBHOOK_SECRET=whsec_… node dist/examples/receiver.js [port]
 *
 * Prints where it listens, then one JSON line per verified event (`{"id", "type"}`); answers
 * 204, or 400 to a request that does not verify (roster then retries it later).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

import { Webhook } from "standardwebhooks";

import type { Schemas } from "../src/index.js";

/** roster's deliveries are far smaller; anything larger is not one. */
const MAX_BODY = 1 << 20;

const secret = process.env["ROSTER_WEBHOOK_SECRET"];
if (secret === undefined) {
  console.error("set ROSTER_WEBHOOK_SECRET to the endpoint's secret (whsec_…)");
  process.exit(2);
}
const webhook = new Webhook(secret);

async function body(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer(async (request, response) => {
  const payload = request.method === "POST" ? await body(request) : undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  let event: Schemas["Event"];
  try {
    if (payload === undefined) throw new Error("not a delivery");
    event = webhook.verify(payload, headers) as Schemas["Event"];
  } catch {
    response.writeHead(400).end();
    return;
  }
  // Handle the event here (idempotently: a delivery may come more than once, same `id`). Its
  // `data` is typed by its `type`.
  console.log(JSON.stringify({ id: event.id, type: event.type }));
  response.writeHead(204).end();
});

server.listen(Number(process.argv[2] ?? 8000), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
