// Node counterpart of parse_validate_bench.cpp.
//   node parse_validate_bench.js generate <out.json> [jobs]   writes the index payload (deterministic)
//   node parse_validate_bench.js run <payload.json> [iterations]
//       JSON.parse + IndexEndpointResponseSchema.safeParse per iteration; prints "node_ms_per_iter <x>"
"use strict";
const fs = require("fs");
const path = require("path");
// The pinned SDK and zod live in tests/interop.
const core = require(path.join(__dirname, "..", "interop", "node_modules", "@trigger.dev", "core"));

function job(i) {
  const kind = i % 4;
  const base = {
    id: `job-${i}`,
    name: `Job number ${i} of the shop`,
    version: "1.0.0",
    event: { name: `order.${i % 7}.created`, title: "Order created", source: "shop.example.com", icon: "shopping-cart" },
    integrations: {},
    startPosition: "latest",
    enabled: i % 10 !== 0,
    preprocessRuns: false,
  };
  if (kind === 0) {
    base.trigger = {
      type: "static",
      title: "Order created",
      rule: { event: `order.${i % 7}.created`, source: "shop.example.com", payload: { status: ["paid", "pending"], total: [{ $gt: 100 }] } },
    };
    base.event.properties = [{ label: "Source", text: "shop.example.com" }];
  } else if (kind === 1) {
    base.trigger = { type: "scheduled", schedule: { type: "interval", options: { seconds: 60 + i }, metadata: { team: "billing" } } };
    base.event.properties = [{ label: "Interval", text: `${60 + i}s` }];
  } else if (kind === 2) {
    base.trigger = { type: "scheduled", schedule: { type: "cron", options: { cron: "0 * * * *" }, accountId: `acct_${i}` } };
    base.event.examples = [{ id: "now", name: "Now", icon: "clock", payload: { ts: "__CURRENT_DATE__", lastTimestamp: "__CURRENT_DATE__" } }];
  } else {
    base.trigger = { type: "invoke" };
    base.integrations.github = { id: "github", metadata: { id: "github", name: "GitHub", instructions: "Use a PAT" }, authSource: "HOSTED" };
    base.concurrencyLimit = 5;
  }
  return base;
}

function payload(n) {
  return { jobs: Array.from({ length: n }, (_, i) => job(i)), sources: [], webhooks: [], dynamicTriggers: [], dynamicSchedules: [], httpEndpoints: [] };
}

const [mode, file, arg] = process.argv.slice(2);
if (mode === "generate") {
  const text = JSON.stringify(payload(Number(arg || 1000)));
  fs.writeFileSync(file, text);
  console.log(`bytes ${text.length}`);
} else if (mode === "run") {
  const text = fs.readFileSync(file, "utf8");
  const iterations = Number(arg || 200);
  const once = () => {
    const r = core.IndexEndpointResponseSchema.safeParse(JSON.parse(text));
    if (!r.success) throw new Error("payload did not validate");
    return r;
  };
  for (let i = 0; i < Math.min(50, iterations); ++i) once(); // warm up the JIT
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; ++i) once();
  const t1 = process.hrtime.bigint();
  console.log(`node_ms_per_iter ${Number(t1 - t0) / 1e6 / iterations}`);
} else {
  console.error("usage: node parse_validate_bench.js generate <out.json> [jobs] | run <payload.json> [iterations]");
  process.exit(2);
}
