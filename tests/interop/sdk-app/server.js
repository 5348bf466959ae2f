// A real Trigger.dev v2 SDK app (@trigger.dev/sdk 2.3.19) served over node:http on loopback, for
// interop tests. Usage: node server.js [--port N] [--variant full|reduced|sources] [--api-key K]
// [--id ID] [--port-file PATH] [--sdk MODULE]. Prints "LISTENING <port>" once ready. Exits on
// SIGTERM/SIGINT or when stdin closes, so a crashed test never leaves it behind.
// Variants: full; reduced (fewer jobs, one disabled); sources (full plus an integration's
// external source, a dynamic trigger on it and a webhook). --sdk picks another SDK installed in
// tests/interop: trigger-sdk-2.3.3 is the oldest 2.3 release, with its own @trigger.dev/core 2.3.3.
"use strict";
const http = require("node:http");
const fs = require("node:fs");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const sdk = require(arg("sdk", process.env.KF_SDK_MODULE || "@trigger.dev/sdk"));
const { TriggerClient, eventTrigger, cronTrigger, intervalTrigger, invokeTrigger } = sdk;

const variant = arg("variant", process.env.KF_APP_VARIANT || "full");
const client = new TriggerClient({
  id: arg("id", "my-app"),
  apiKey: arg("api-key", "tr_dev_secret123"),
  apiUrl: "http://127.0.0.1:9", // never contacted by the endpoint actions we test
  verbose: false,
});

// "sources" is the full app plus an integration's triggers, defined the way integration
// packages such as @trigger.dev/github define them.
const full = variant === "full" || variant === "sources";

client.defineJob({
  id: "example-job",
  name: "Example Job",
  version: "0.0.1",
  trigger: eventTrigger({ name: "example.event" }),
  run: async (payload) => ({ received: payload }),
});

if (full) {
  client.defineJob({
    id: "cron-job",
    name: "Cron",
    version: "1.0.0",
    trigger: cronTrigger({ cron: "0 * * * *" }),
    run: async () => ({}),
  });
  client.defineJob({
    id: "invoke-job",
    name: "Invoke",
    version: "1.0.0",
    trigger: invokeTrigger(),
    run: async () => ({}),
  });
}

client.defineJob({
  id: "interval-job",
  name: "Interval",
  version: "1.0.0",
  trigger: intervalTrigger({ seconds: 300 }),
  enabled: full, // the reduced app disables it
  run: async () => ({}),
});

client.defineJob({
  id: "disabled-job",
  name: "Disabled",
  version: "1.0.0",
  trigger: intervalTrigger({ seconds: 60 }),
  enabled: false,
  run: async () => ({}),
});

const dynamicSchedule = client.defineDynamicSchedule({ id: "dynamic-schedule" });
client.defineJob({
  id: "dynamic-schedule-job",
  name: "Dynamic schedule",
  version: "1.0.0",
  trigger: dynamicSchedule,
  run: async () => ({}),
});

if (full) {
  const caller = client.defineHttpEndpoint({
    id: "caller",
    source: "example.com",
    title: "Example caller",
    verify: async () => ({ success: true }),
  });
  client.defineJob({
    id: "http-job",
    name: "HTTP",
    version: "1.0.0",
    trigger: caller.onRequest(),
    run: async () => ({}),
  });
}

if (variant === "sources") {
  const integration = { id: "fake", metadata: { id: "fake", name: "Fake" }, authSource: "LOCAL" };
  integration.cloneForRun = () => integration;
  const anything = { parse: (x) => x, safeParse: (x) => ({ success: true, data: x }) };
  const push = { name: "fake.push", title: "Push", source: "fake", icon: "fake" };
  const repo = new sdk.ExternalSource("HTTP", {
    id: "fake.repo",
    version: "0.1.0",
    schema: anything,
    integration,
    register: async () => {},
    // What an integration's handler does with a delivered request: events, a reply, metadata.
    handler: async (event) => ({
      events: [{ id: "push-1", name: "fake.push", payload: { url: event.rawEvent.url, body: await event.rawEvent.text() } }],
      response: { status: 202, body: { accepted: true }, headers: { "x-fake": "1" } },
      metadata: { cursor: 7 },
    }),
    key: (p) => `repo-${p.repo}`,
    properties: (p) => [{ label: "Repo", text: p.repo }],
  });
  client.defineJob({
    id: "push-job",
    name: "Push",
    version: "1.0.0",
    integrations: { fake: integration },
    trigger: new sdk.ExternalSourceTrigger({ event: push, source: repo, params: { repo: "acme/app" }, options: {} }),
    run: async () => ({}),
  });
  const onPush = client.defineDynamicTrigger({ id: "dynamic-push", event: push, source: repo });
  client.defineJob({ id: "dynamic-push-job", name: "Dynamic push", version: "1.0.0", trigger: onPush, run: async () => ({}) });
  const hook = new sdk.WebhookSource({
    id: "fake.webhook",
    version: "0.1.0",
    integration,
    schemas: { params: anything },
    key: (p) => `hook-${p.repo}`,
    crud: { create: async () => {}, read: async () => {}, update: async () => {}, delete: async () => {} },
    generateEvents: async () => {},
  });
  client.defineJob({
    id: "webhook-job",
    name: "Webhook",
    version: "1.0.0",
    trigger: new sdk.WebhookTrigger({ event: push, source: hook, params: { repo: "acme/app" }, config: {} }),
    run: async () => ({}),
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

const server = http.createServer(async (req, res) => {
  // /redirect/<status>/<path> answers <status> with Location /<path>, as a hosting platform or a
  // framework does in front of the app (trailing slashes, moved routes).
  const redirect = /^\/redirect\/(30[12378])(\/.*)$/.exec(req.url);
  if (redirect) {
    req.resume();
    res.writeHead(Number(redirect[1]), { location: redirect[2] });
    res.end();
    return;
  }
  try {
    const body = await readBody(req);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: hasBody ? body : undefined,
    });
    const reply = await client.handleRequest(request);
    const outHeaders = { "content-type": "application/json", ...(reply.headers || {}) };
    res.writeHead(reply.status, outHeaders);
    res.end(JSON.stringify(reply.body));
  } catch (err) {
    res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: String(err && err.message ? err.message : err) }));
  }
});

server.listen(Number(arg("port", "0")), "127.0.0.1", () => {
  const port = server.address().port;
  const portFile = arg("port-file", "");
  if (portFile) fs.writeFileSync(portFile, String(port));
  process.stdout.write(`LISTENING ${port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
// A test run that dies never leaves the app behind: it stops by itself after --max-lifetime-ms.
const lifetime = Number(arg("max-lifetime-ms", "0"));
if (lifetime > 0) setTimeout(stop, lifetime).unref();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (process.argv.includes("--exit-on-stdin-close")) {
  process.stdin.on("end", stop);
  process.stdin.resume();
}
