// Node counterpart of parse_validate_bench.cpp.
//   node parse_validate_bench.js generate <out.json> [jobs] [plain]
//       writes the index payload (deterministic); "plain" leaves out event filters, whose union
//       failures are what costs zod most (each failed option builds a ZodError, an Error)
//   node parse_validate_bench.js run <payload.json> [iterations]
//       JSON.parse + IndexEndpointResponseSchema.safeParse per iteration; prints "node_ms_per_iter <x>"
//       and "node_validate_ms_per_iter <y>" (safeParse alone); best of 5 batches each
"use strict";
const fs = require("fs");
const path = require("path");
// The pinned SDK and zod live in tests/interop.
const core = require(path.join(__dirname, "..", "interop", "node_modules", "@trigger.dev", "core"));

let plain = false;
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
      rule: plain
        ? { event: `order.${i % 7}.created`, source: "shop.example.com" }
        : { event: `order.${i % 7}.created`, source: "shop.example.com", payload: { status: ["paid", "pending"], total: [{ $gt: 100 }] } },
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

const [mode, file, arg, variant] = process.argv.slice(2);
if (mode === "generate") {
  plain = variant === "plain";
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
  // Best of 5 batches: the figure a quiet machine would give (shared CI machines are noisy).
  let best = Infinity;
  const batch = Math.max(1, Math.floor(iterations / 5));
  for (let b = 0; b < 5; ++b) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; ++i) once();
    const t1 = process.hrtime.bigint();
    best = Math.min(best, Number(t1 - t0) / 1e6 / batch);
  }
  // safeParse alone on an already parsed value, to compare with our validation alone.
  const parsed = JSON.parse(text);
  let bestValidate = Infinity;
  for (let b = 0; b < 5; ++b) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; ++i) core.IndexEndpointResponseSchema.safeParse(parsed);
    const t1 = process.hrtime.bigint();
    bestValidate = Math.min(bestValidate, Number(t1 - t0) / 1e6 / batch);
  }
  console.log(`node_ms_per_iter ${best}`);
  console.log(`node_validate_ms_per_iter ${bestValidate}`);
} else {
  console.error("usage: node parse_validate_bench.js generate <out.json> [jobs] | run <payload.json> [iterations]");
  process.exit(2);
}
