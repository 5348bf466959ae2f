// Differential test of our schema validation against the real zod schemas of @trigger.dev/core 2.3.19.
//
//   node schema_diff.js generate <corpus.jsonl> <expected.jsonl> [count] [seed]
//       Writes `count` payloads (deterministic for a seed) and zod's verdict on each.
//   node schema_diff.js compare <expected.jsonl> <actual.jsonl>
//       Compares our judge's output line by line; exits 1 and prints the first differences.
//
// A corpus line is {"schema": "index"|"pong"|"validate"|..., "body": <payload>} or, for payloads only
// a JSON text can express (duplicate keys, 1e400), {"schema", "text": "<JSON text>"}. A verdict line is
// {"ok", "message", "raw", "issues", "throws"}: for "index", message/raw are the webapp's friendly
// text and fromZodError (protocol.md §B.1); for the others, ZodError.message and fromZodError.
"use strict";

const fs = require("fs");
const core = require("@trigger.dev/core");
const { fromZodError } = require("zod-validation-error");
const { generateErrorMessage } = require("zod-error");

const SCHEMAS = {
  index: core.IndexEndpointResponseSchema,
  job: core.JobMetadataSchema,
  pong: core.PongResponseSchema,
  validate: core.ValidateResponseSchema,
  error_with_stack: core.ErrorWithStackSchema,
  // IndexEndpointStatsSchema is not exported; it is the `stats` of GetEndpointIndexResponse SUCCESS.
  stats: core.GetEndpointIndexResponseSchema.options.find((o) => o.shape.status.value === "SUCCESS").shape.stats,
  deliver_event: core.DeliverEventResponseSchema,
  run_job: core.RunJobResponseSchema,
  http_source: core.HttpSourceResponseSchema,
  webhook_delivery: core.WebhookDeliveryResponseSchema,
  register_trigger_v1: core.RegisterTriggerBodySchemaV1,
  register_trigger_v2: core.RegisterTriggerBodySchemaV2,
  preprocess_run: core.PreprocessRunResponseSchema,
  execute_job_headers: core.ExecuteJobHeadersSchema,
};

// ------------------------------------------------------------------------------------------
// The webapp's message (performEndpointIndexService.server.ts, final v2). Where its
// `anyBody.jobs[jobIndex]` throws (jobs undefined/null), we record `throws` and skip the job,
// which is what our port does instead of leaving the index STARTED.
function webappIndexMessage(anyBody, error) {
  const issues = [];
  let throws = false;
  error.issues.forEach((issue) => {
    if (issue.path.at(0) === "jobs") {
      const jobIndex = issue.path.at(1);
      let job;
      try {
        job = anyBody.jobs[jobIndex];
      } catch (e) {
        throws = true;
        return;
      }
      if (job) {
        issues.push(`Job "${job.id}": ${issue.message} at "${issue.path.slice(2).join(".")}".`);
      }
    }
  });
  let friendlyError;
  if (issues.length > 0) {
    friendlyError = `Your Jobs have issues:\n${issues.map((issue) => `- ${issue}`).join("\n")}`;
  } else {
    friendlyError = fromZodError(error, { prefix: "There's an issue with the format of your Jobs" }).message;
  }
  return { message: friendlyError, raw: fromZodError(error).message, throws };
}

function judge(schemaName, body) {
  const r = SCHEMAS[schemaName].safeParse(body);
  if (r.success) return { ok: true, message: "", raw: "", issues: [], throws: false };
  if (schemaName === "index") {
    const m = webappIndexMessage(body, r.error);
    return { ok: false, message: m.message, raw: m.raw, issues: r.error.issues, throws: m.throws };
  }
  // `generated`: zod-error's text, which the webapp stores for EXECUTE_JOB / PREPROCESS_RUN replies.
  return { ok: false, message: r.error.message, raw: fromZodError(r.error).message, issues: r.error.issues, throws: false, generated: generateErrorMessage(r.error.issues) };
}

// ------------------------------------------------------------------------------------------
// Deterministic generation
function mulberry32(a) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rnd = mulberry32(1);
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const chance = (p) => rnd() < p;
const times = (n, f) => Array.from({ length: n }, (_, i) => f(i));

const WORDS = ["alpha", "beta", "gamma", "delta", "0", "10", "2", "my-key", "with space", 'q"uote', "ünï", "$x", "_y", "日本", "😀", "", "a.b"];
const word = () => pick(WORDS);
const ident = () => pick(["alpha", "beta", "gamma", "job", "evt", "x"]) + int(100);

function matcherArray(depth) {
  switch (int(5)) {
    case 0: return times(1 + int(3), () => word());
    case 1: return times(1 + int(3), () => pick([1, 2.5, -3, 0, 1e21, 1e-7]));
    case 2: return times(1 + int(2), () => chance(0.5));
    default:
      return times(1 + int(3), () =>
        pick([
          () => ({ $endsWith: word() }),
          () => ({ $startsWith: word() }),
          () => ({ $ignoreCaseEquals: word() }),
          () => ({ $exists: chance(0.5) }),
          () => ({ $isNull: chance(0.5) }),
          () => ({ $anythingBut: pick([word(), 3, true]) }),
          () => ({ $anythingBut: pick([[word()], [1, 2], [false]]) }),
          () => ({ $gt: 5 }),
          () => ({ $lt: -1.5 }),
          () => ({ $gte: 0 }),
          () => ({ $lte: 100 }),
          () => ({ $between: [1, 10] }),
          () => ({ $includes: pick([word(), 2, true]) }),
          () => ({ $not: pick([word(), 2, false]) }),
        ])()
      );
  }
}
function eventFilter(depth = 0) {
  const f = {};
  times(1 + int(3), () => {
    f[word()] = depth < 3 && chance(0.35) ? eventFilter(depth + 1) : matcherArray(depth);
  });
  return f;
}
const displayProperty = () => {
  const p = { label: word(), text: word() };
  if (chance(0.3)) p.url = "https://example.com/" + int(9);
  if (chance(0.2)) p.imageUrl = [word()];
  return p;
};
function eventSpec() {
  const e = { name: chance(0.8) ? ident() : [ident(), ident()], title: word(), source: "trigger.dev", icon: "icon" };
  if (chance(0.3)) e.filter = eventFilter();
  if (chance(0.4)) e.properties = times(int(3), displayProperty);
  if (chance(0.3)) e.schema = { type: "object", properties: { a: { type: "string" } } };
  if (chance(0.4)) e.examples = times(1 + int(2), () => ({ id: ident(), name: word(), icon: chance(0.5) ? "clock" : undefined, payload: { ts: "__CURRENT_DATE__", n: int(5) } }));
  return e;
}
function eventRule() {
  const r = { event: chance(0.8) ? ident() : [ident()], source: "trigger.dev" };
  if (chance(0.5)) r.payload = eventFilter();
  if (chance(0.3)) r.context = eventFilter();
  return r;
}
function trigger() {
  switch (int(5)) {
    case 0:
    case 1: {
      const t = { type: "static", title: chance(0.8) ? word() : [word(), word()], rule: eventRule() };
      if (chance(0.3)) t.properties = times(int(3), displayProperty);
      if (chance(0.2)) t.link = "https://x.dev";
      if (chance(0.2)) t.help = chance(0.5) ? { noRuns: { text: word(), link: chance(0.5) ? "l" : undefined } } : {};
      return t;
    }
    case 2: {
      const s = chance(0.5)
        ? { type: "interval", options: { seconds: pick([20, 60, 3600, 2592000]) } }
        : { type: "cron", options: { cron: "0 * * * *" } };
      if (chance(0.3)) s.accountId = "acc";
      if (chance(0.5)) s.metadata = pick([{ a: 1 }, null, "m", [1]]);
      return { type: "scheduled", schedule: s };
    }
    case 3: return { type: "dynamic", id: ident() };
    default: return { type: "invoke" };
  }
}
const integrationConfig = () => {
  const m = { id: ident(), name: word() };
  if (chance(0.3)) m.instructions = word();
  return { id: ident(), metadata: m, authSource: pick(["HOSTED", "LOCAL", "RESOLVER"]) };
};
function job() {
  const j = { id: ident(), name: word(), version: pick(["1.0.0", "0.0.1"]), event: eventSpec(), trigger: trigger(), integrations: {} };
  times(int(3), () => (j.integrations[word()] = integrationConfig()));
  j.startPosition = pick(["latest", "initial"]);
  j.enabled = chance(0.8);
  j.preprocessRuns = chance(0.2);
  if (chance(0.3)) j.internal = chance(0.5);
  const c = int(6);
  if (c === 0) j.concurrencyLimit = 1 + int(10);
  if (c === 1) j.concurrencyLimit = { id: ident(), limit: pick([1, 2.5, 0, -1]) };
  return j;
}
const jobRef = () => ({ id: ident(), version: "1.0.0" });
function source() {
  const v = int(3);
  const s = { channel: pick(["HTTP", "SQS", "SMTP"]), integration: integrationConfig(), key: ident(), params: pick([{ a: 1 }, null, "p", undefined]) };
  if (v === 0) s.version = "1";
  if (v === 2) {
    s.version = "2";
    s.options = { event: [word()], other: [] };
  } else {
    s.events = times(int(3), ident);
  }
  if (chance(0.3)) s.registerSourceJob = jobRef();
  return s;
}
const webhook = () => ({ key: ident(), params: { a: 1 }, config: { event: [word()] }, integration: integrationConfig(), httpEndpoint: { id: ident() } });
const dynamicTrigger = () => {
  const d = { id: ident(), jobs: times(int(3), jobRef) };
  if (chance(0.3)) d.registerSourceJob = jobRef();
  return d;
};
const dynamicSchedule = () => ({ id: ident(), jobs: times(int(3), jobRef) });
function httpEndpoint() {
  const h = { id: ident(), version: "1", enabled: chance(0.5), event: eventSpec(), source: "src" };
  if (chance(0.3)) h.title = word();
  if (chance(0.3)) h.icon = "i";
  if (chance(0.2)) h.properties = times(int(2), displayProperty);
  if (chance(0.4)) {
    h.immediateResponseFilter = {};
    if (chance(0.5)) h.immediateResponseFilter.method = [pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])];
    if (chance(0.5)) h.immediateResponseFilter.headers = { "content-type": pick([["application/json"], [{ $startsWith: "text" }]]) };
    if (chance(0.3)) h.immediateResponseFilter.query = { "hub.mode": [{ $startsWith: "sub" }] };
    if (chance(0.3)) h.immediateResponseFilter.body = eventFilter();
  }
  if (chance(0.3)) h.skipTriggeringRuns = chance(0.5);
  return h;
}
function indexPayload() {
  const p = { jobs: times(int(5), job), sources: times(int(3), source), dynamicTriggers: times(int(3), dynamicTrigger), dynamicSchedules: times(int(3), dynamicSchedule) };
  if (chance(0.6)) p.webhooks = times(int(3), webhook);
  if (chance(0.6)) p.httpEndpoints = times(int(3), httpEndpoint);
  return JSON.parse(JSON.stringify(p)); // drop undefined
}

// Every (container, key) pair reachable in a value, to choose mutation sites uniformly.
function sites(v, out = [], path = []) {
  if (v && typeof v === "object") {
    for (const k of Object.keys(v)) {
      out.push({ parent: v, key: Array.isArray(v) ? Number(k) : k, path: [...path, k] });
      sites(v[k], out, [...path, k]);
    }
  }
  return out;
}
const WRONG = [null, 0, 1.5, -3, "str", "", true, false, [], {}, ["x"], { a: 1 }, [1, 2]];
// A fresh copy each time: later mutations must never reach a shared object (no cycles).
const wrong = () => structuredClone(pick(WRONG));
// For schemas with z.coerce.date(): V8's lenient date parser takes "2" or [1, 2] as dates, which we
// deliberately do not emulate (js_date.hpp), so these corpora avoid such values.
let dateSafe = false;
const DATE_SAFE_WRONG = [null, 0, 1.5, -3, "str", "", true, false, [], {}, ["x"], { a: 1 }];
const wrongValue = () => structuredClone(pick(dateSafe ? DATE_SAFE_WRONG : WRONG));
function mutate(p) {
  const all = sites(p);
  if (all.length === 0) return wrongValue();
  const s = pick(all);
  const cur = s.parent[s.key];
  switch (int(9)) {
    case 0:
      if (Array.isArray(s.parent)) s.parent.splice(s.key, 1);
      else delete s.parent[s.key];
      break;
    case 1:
    case 2:
      s.parent[s.key] = wrongValue();
      break;
    case 3:
      if (cur && typeof cur === "object" && !Array.isArray(cur)) cur[pick(["extra", "zzz", "0", "$gt"])] = wrongValue();
      else s.parent[s.key] = wrongValue();
      break;
    case 4:
      if (typeof cur === "string")
        s.parent[s.key] = pick(dateSafe ? ["BOGUS", "http", "SUCCESS", "ERROR", "JSON", "COMPLETED"] : ["BOGUS", "http", "Latest", "2", "1", "3", "cron", "interval", "static", "invoke"]);
      else s.parent[s.key] = wrongValue();
      break;
    case 5:
      if (typeof cur === "number") s.parent[s.key] = pick([5, 19, 20, 2592000, 2592001, 20.5, -1, 0, dateSafe ? 1e15 : 1e300, -0.5]);
      else s.parent[s.key] = wrongValue();
      break;
    case 6: {
      // Schedules, concurrency limits and versions are where the interesting checks are.
      const jobs = Array.isArray(p.jobs) ? p.jobs.filter((j) => j && typeof j === "object") : [];
      if (jobs.length) {
        const j = pick(jobs);
        const what = int(4);
        if (what === 0) j.trigger = { type: "scheduled", schedule: { type: "interval", options: { seconds: pick([5, 19, 20.5, -1, 0, 2592001, "60", null]) } } };
        else if (what === 1) j.concurrencyLimit = pick([0, -1, 1.5, "3", { id: "x" }, { limit: 2 }, null, 7, { id: "c", limit: "x" }]);
        else if (what === 2) j.id = pick([undefined, 5, ["a", "b"], { x: 1 }, null, true, 1.5e21, ""]);
        else j.trigger = { type: pick(["bogus", undefined, 5, "static", "scheduled", "dynamic"]) };
      } else if (Array.isArray(p.sources) && p.sources.length) {
        const s2 = pick(p.sources);
        if (s2 && typeof s2 === "object") s2.version = pick(["3", 1, null, undefined, "2", "1"]);
      }
      break;
    }
    case 7:
      if (Array.isArray(cur)) cur.push(structuredClone(pick([...WRONG, { $between: [1] }, { $between: [1, 2, 3] }, { $gt: "x" }, { $foo: 1 }])));
      else s.parent[s.key] = wrongValue();
      break;
    default:
      if (Array.isArray(cur) && cur.length) cur[int(cur.length)] = wrongValue();
      else s.parent[s.key] = wrongValue();
  }
  return p;
}

function pongLike(kind) {
  const o = {};
  const ok = pick([true, false, "yes", 1, null, undefined, "true"]);
  if (ok !== undefined) o.ok = ok;
  if (chance(0.5)) o.error = pick(["boom", 5, null]);
  if (kind === "validate" && chance(0.6)) o.endpointId = pick(["my-app", 1, null]);
  if (chance(0.4)) o.triggerVersion = pick(["2023-09-29", 5]);
  if (kind === "pong" && chance(0.3)) o.triggerSdkVersion = pick(["2.3.19", false]);
  if (chance(0.2)) o.extra = 1;
  return chance(0.08) ? pick([null, [], "x", 3]) : o;
}

function fixedCases() {
  const j1 = { id: "j1", version: "1", event: { name: "e", title: "t", source: "s", icon: "i" }, trigger: { type: "invoke" }, integrations: {}, enabled: true, startPosition: "latest", preprocessRuns: false };
  const base = () => ({ jobs: [JSON.parse(JSON.stringify({ ...j1, name: "n" }))], sources: [], dynamicTriggers: [], dynamicSchedules: [] });
  const cases = [
    { jobs: [] },
    { jobs: [j1], sources: [], dynamicTriggers: [], dynamicSchedules: [] },
    null, {}, { jobs: null }, { jobs: "abc" }, { jobs: {} }, { jobs: { undefined: { id: "u" } } }, [], "x", 5,
    { jobs: ["x"], sources: [], dynamicTriggers: [], dynamicSchedules: [] },
    { jobs: [0, "", null, [], {}], sources: [], dynamicTriggers: [], dynamicSchedules: [] },
  ];
  let b = base(); b.jobs[0].trigger = { type: "bogus" }; cases.push(b);
  b = base(); b.jobs[0].trigger = { type: "scheduled", schedule: { type: "interval", options: { seconds: 5 } } }; cases.push(b);
  b = base(); b.jobs[0].name = 5; b.sources = [{ channel: "FTP" }]; cases.push(b);
  b = base(); b.sources = [{ channel: "FTP" }, { channel: "X" }]; cases.push(b);
  b = base(); b.sources = [{ version: "1", channel: "HTTP", integration: { id: "i", metadata: { id: "m", name: "n" }, authSource: "HOSTED" }, key: "k", events: [] }]; cases.push(b);
  b = base(); b.jobs[0].extra = 1; b.extra = 2; cases.push(b);
  b = base(); b.jobs[0].integrations = { "10": 1, b: 2, "2": 3, a: 4 }; cases.push(b);
  b = base(); b.jobs[0].trigger = { type: "static", title: "t", rule: { event: "e", source: "s", payload: { a: { b: { c: [{ $between: [1] }] } } } } }; cases.push(b);
  b = base(); b.jobs[0].concurrencyLimit = 1.5; cases.push(b);
  b = base(); b.jobs[0].concurrencyLimit = -2.5; cases.push(b);
  b = base(); b.jobs = times(120, (i) => ({ id: "j" + i })); cases.push(b);
  b = base(); b.sources = times(120, () => 1); b.jobs = []; cases.push(b);
  const out = cases.map((body) => ({ schema: "index", body }));
  // Raw texts, for what only the JSON text can express: duplicate keys (last wins, first position),
  // numbers beyond double range, "__proto__" keys.
  const j = JSON.stringify({ ...j1, name: "n" });
  const tail = `"sources":[],"dynamicTriggers":[],"dynamicSchedules":[]`;
  for (const text of [
    `{"jobs":[${j}],${tail},"jobs":[1]}`,
    `{"jobs":[],"jobs":[${j}],${tail}}`,
    `{"jobs":[${j.replace('"version":"1"', '"version":"1","version":2')}],${tail}}`,
    `{"jobs":[${j.replace('"integrations":{}', '"integrations":{"__proto__":{"id":1},"constructor":5}')}],${tail}}`,
    `{"jobs":[${j.replace('"trigger":{"type":"invoke"}', '"trigger":{"type":"scheduled","schedule":{"type":"interval","options":{"seconds":1e400}}}')}],${tail}}`,
    `{"jobs":[${j.replace('"id":"j1"', '"id":-1e400').replace('"name":"n"', '"name":1')}],${tail}}`,
    `{"jobs":[${j.replace('"trigger":{"type":"invoke"}', '"trigger":{"type":"invoke","type":"dynamic"}')}],${tail}}`,
    `{"jobs":[${j}],${tail},"sources":[{"version":"2","channel":"HTTP","version":"3"}]}`,
    `{"jobs":[${j.replace('"id":"j1"', '"id":12345678901234567890').replace('"name":"n"', '"name":null')}],${tail}}`,
  ]) out.push({ schema: "index", text });
  out.push({ schema: "pong", text: `{"ok":false,"ok":true}` });
  out.push({ schema: "validate", text: `{"ok":true,"endpointId":"a","endpointId":7}` });
  return out;
}

function otherSchemas() {
  const out = [];
  const task = { id: "t", name: "n", noop: false, status: "COMPLETED", startedAt: "2024-01-01T00:00:00Z" };
  const bodies = {
    error_with_stack: [{ message: "m" }, { message: 1 }, { message: "m", name: 2, stack: null }, null, {}],
    stats: [{ jobs: 1, sources: 0, dynamicTriggers: 0, dynamicSchedules: 0 }, { jobs: "1" }, { jobs: 1, sources: 0, dynamicTriggers: 0, dynamicSchedules: 0, disabledJobs: null }],
    deliver_event: [{ deliveredAt: "2024-01-01T00:00:00Z" }, { deliveredAt: "2024-01-01T00:00:00.123Z" }, { deliveredAt: "2024-01-01T00:00:00+01:00" }, { deliveredAt: "2024-01-01" }, { deliveredAt: 5 }, {}],
    run_job: [
      { status: "SUCCESS", output: { a: [1, null] } }, { status: "SUCCESS" }, { status: "NOPE" }, {},
      { status: "ERROR", error: { message: "x" }, task }, { status: "ERROR", error: {}, task: { ...task, status: "X", startedAt: "garbage" } },
      { status: "AUTO_YIELD_RATE_LIMIT", reset: "12" }, { status: "AUTO_YIELD_RATE_LIMIT", reset: "abc" }, { status: "AUTO_YIELD_RATE_LIMIT" },
      { status: "RESUME_WITH_PARALLEL_TASK", task, childErrors: [{ status: "YIELD_EXECUTION", key: "k" }, { status: "nope" }, 5] },
      { status: "UNRESOLVED_AUTH_ERROR", issues: { a: { id: "i", error: "e" }, "1": { id: 2 } } },
      { status: "RETRY_WITH_TASK", task, error: { message: "m" }, retryAt: "2024-02-03T04:05:06.789Z" },
      { status: "AUTO_YIELD_EXECUTION", location: "l", timeRemaining: 1, timeElapsed: "2" },
    ],
    http_source: [
      { response: { status: 200, body: "ok" }, events: [{ name: "e", payload: {} }], metadata: { a: [1] } },
      { response: { status: "200" }, events: [{ payload: 1, timestamp: "nope" }] },
      { response: { status: 200, headers: { a: 1 } }, events: [], metadata: null },
      { response: { status: 200 }, events: [{ name: "e", timestamp: 1700000000000, payloadType: "XML" }] },
    ],
    webhook_delivery: [{ response: { status: 200 }, verified: true }, { response: {}, verified: "no", error: 1 }],
    register_trigger_v1: [
      { rule: { event: "e", source: "s" }, source: { version: "1", channel: "HTTP", integration: { id: "i", metadata: { id: "m", name: "n" }, authSource: "LOCAL" }, key: "k", events: ["a"] } },
      { rule: { event: 1 }, source: { channel: "HTTP" } },
    ],
    register_trigger_v2: [
      { rule: { event: ["e"], source: "s" }, source: { version: "2", channel: "HTTP", integration: { id: "i", metadata: { id: "m", name: "n" }, authSource: "LOCAL" }, key: "k", params: { a: 1 }, options: { event: ["e"] } }, accountId: "acc" },
      { rule: { event: "e", source: "s" }, source: { version: "2", channel: "SMTP", integration: { id: "i", metadata: { id: "m", name: "n" }, authSource: "HOSTED" }, key: "k", options: {}, registerSourceJob: { id: "j", version: "1" } } },
      { rule: { event: "e", source: "s" }, source: { version: "1", channel: "HTTP", integration: { id: "i", metadata: { id: "m", name: "n" }, authSource: "LOCAL" }, key: "k", events: ["a"] } },
      { rule: { event: "e" }, source: { version: "2", channel: "FTP", key: 1, options: { event: "e" } }, accountId: 5 },
    ],
    preprocess_run: [{ abort: false }, { abort: "no", properties: [{ label: 1 }] }],
    // Header values are strings; `x-trigger-run-metadata` holds JSON (bad JSON makes JS throw: not sampled).
    execute_job_headers: [
      {}, { "trigger-version": "2023-09-29", "content-type": "application/json" },
      { "x-trigger-run-metadata": '{"successSubscription":true}' }, { "x-trigger-run-metadata": '{"failedSubscription":"yes"}' },
      { "x-trigger-run-metadata": "null" }, { "x-trigger-run-metadata": "5" }, { "x-trigger-run-metadata": "[]" },
      { "x-trigger-run-metadata": '{"successSubscription":false,"failedSubscription":true,"x":1}' },
      { "trigger-version": 5, "x-trigger-run-metadata": '{"successSubscription":1}' },
    ],
  };
  for (const [schema, list] of Object.entries(bodies)) for (const body of list) out.push({ schema, body });
  return out;
}

// Valid replies of the other actions, to be mutated like index payloads.
const iso = () => pick(["2024-01-01T00:00:00Z", "2024-02-03T04:05:06.789Z", "2023-12-31T23:59:59+01:00", "2024-06-01"]);
const dateValue = () => (chance(0.8) ? iso() : pick([1700000000000, 0]));
function task() {
  const t = { id: ident(), name: word(), noop: chance(0.5), status: pick(["PENDING", "WAITING", "RUNNING", "COMPLETED", "ERRORED", "CANCELED"]) };
  if (chance(0.5)) t.startedAt = dateValue();
  if (chance(0.3)) t.completedAt = chance(0.5) ? dateValue() : null;
  if (chance(0.3)) t.icon = chance(0.5) ? "i" : null;
  if (chance(0.3)) t.properties = times(int(2), displayProperty);
  if (chance(0.3)) t.output = pick([{ a: [1, null, "x"] }, "s", 5, null, [true]]);
  if (chance(0.2)) t.style = { style: pick(["normal", "minimal"]), variant: "v" };
  if (chance(0.2)) t.childExecutionMode = pick(["SEQUENTIAL", "PARALLEL", null]);
  return t;
}
const errorWithStack = () => (chance(0.5) ? { message: word() } : { message: word(), name: "Error", stack: "at x" });
function runJobPayload(depth = 0) {
  switch (int(depth ? 10 : 12)) {
    case 0: return { status: "SUCCESS", output: pick([{ a: 1 }, [1, "x"], "s", null, undefined]) };
    case 1: return { status: "ERROR", error: errorWithStack(), task: chance(0.5) ? task() : undefined };
    case 2: return { status: "YIELD_EXECUTION", key: word() };
    case 3: return { status: "AUTO_YIELD_EXECUTION", location: "l", timeRemaining: 10, timeElapsed: 5, limit: chance(0.5) ? 100 : undefined };
    case 4: return { status: "AUTO_YIELD_EXECUTION_WITH_COMPLETED_TASK", id: ident(), output: "o", data: { location: "l", timeRemaining: 1, timeElapsed: 2 } };
    case 5: return { status: "AUTO_YIELD_RATE_LIMIT", reset: pick([12, "12", 0]) };
    case 6: return { status: "INVALID_PAYLOAD", errors: [{ path: ["a", "b"], message: "m" }] };
    case 7: return { status: "UNRESOLVED_AUTH_ERROR", issues: { github: { id: "gh", error: "e" } } };
    case 8: return { status: "RESUME_WITH_TASK", task: task() };
    case 9: return { status: "RETRY_WITH_TASK", task: task(), error: errorWithStack(), retryAt: iso() };
    case 10: return { status: "CANCELED", task: task() };
    default: return { status: "RESUME_WITH_PARALLEL_TASK", task: task(), childErrors: times(1 + int(3), () => runJobPayload(1)) };
  }
}
function rawEvent() {
  const e = { name: ident(), payload: pick([{ a: 1 }, null, "p", [1]]) };
  if (chance(0.3)) e.context = { c: 1 };
  if (chance(0.5)) e.id = ident();
  if (chance(0.4)) e.timestamp = dateValue();
  if (chance(0.3)) e.source = "src";
  if (chance(0.3)) e.payloadType = pick(["JSON", "REQUEST"]);
  return e;
}
const normalizedResponse = () => {
  const r = { status: pick([200, 202, 404]), body: pick([{ ok: true }, "text", null, undefined]) };
  if (chance(0.5)) r.headers = { "content-type": "application/json" };
  return r;
};
function otherPayload() {
  switch (int(8)) {
    case 0: return { schema: "run_job", body: runJobPayload() };
    case 1: return { schema: "http_source", body: { response: normalizedResponse(), events: times(int(3), rawEvent), metadata: pick([{ cursor: 1 }, [1, "a"], undefined]) } };
    case 2: return { schema: "webhook_delivery", body: { response: normalizedResponse(), verified: chance(0.5), error: chance(0.3) ? "bad" : undefined } };
    case 3: return { schema: "register_trigger_v1", body: { rule: eventRule(), source: { ...source(), version: "1", events: ["push"], options: undefined } } };
    case 4: return { schema: "preprocess_run", body: { abort: chance(0.5), properties: chance(0.5) ? times(int(3), displayProperty) : undefined } };
    case 6: return { schema: "register_trigger_v2", body: { rule: eventRule(), source: { ...source(), version: "2", options: { event: ["push"] }, events: undefined }, accountId: chance(0.3) ? "acc_1" : undefined } };
    case 5: return { schema: "stats", body: { jobs: int(5), sources: int(3), dynamicTriggers: 0, dynamicSchedules: 1, webhooks: chance(0.5) ? 2 : undefined, disabledJobs: chance(0.5) ? 1 : undefined } };
    default: return { schema: "deliver_event", body: { deliveredAt: pick(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z"]) } };
  }
}

function generate(count, seed) {
  rnd = mulberry32(seed);
  const out = [...fixedCases(), ...otherSchemas()];
  for (let i = 0; out.length < count; ++i) {
    const r = rnd();
    if (r < 0.18) {
      const x = otherPayload();
      dateSafe = true;
      let body = JSON.parse(JSON.stringify(x.body));
      if (chance(0.75)) for (let k = 1 + int(2); k > 0; --k) body = mutate(body);
      dateSafe = false;
      out.push({ schema: x.schema, body: JSON.parse(JSON.stringify(body === undefined ? null : body)) });
    } else if (r < 0.25) out.push({ schema: "pong", body: pongLike("pong") });
    else if (r < 0.32) out.push({ schema: "validate", body: pongLike("validate") });
    else if (r < 0.45) out.push({ schema: "index", body: indexPayload() });
    else {
      let p = indexPayload();
      const n = 1 + int(3);
      for (let k = 0; k < n; ++k) p = mutate(p);
      out.push({ schema: "index", body: JSON.parse(JSON.stringify(p === undefined ? null : p)) });
    }
  }
  return out;
}

function main() {
  const [mode, a, b, c, d] = process.argv.slice(2);
  if (mode === "generate") {
    const cases = generate(Number(c || 1500), Number(d || 20261124));
    fs.writeFileSync(a, cases.map((x) => JSON.stringify(x)).join("\n") + "\n");
    const bodyOf = (x) => (x.text !== undefined ? JSON.parse(x.text) : x.body);
    fs.writeFileSync(b, cases.map((x) => JSON.stringify(judge(x.schema, bodyOf(x)))).join("\n") + "\n");
    const bad = cases.filter((x) => !SCHEMAS[x.schema].safeParse(bodyOf(x)).success).length;
    console.log(`generated ${cases.length} payloads (${bad} rejected by zod, ${cases.length - bad} accepted)`);
  } else if (mode === "compare") {
    const corpus = c ? fs.readFileSync(c, "utf8").split("\n") : [];
    const exp = fs.readFileSync(a, "utf8").split("\n").filter((l) => l.length);
    const act = fs.readFileSync(b, "utf8").split("\n").filter((l) => l.length);
    let mismatches = 0;
    if (exp.length !== act.length) {
      console.log(`line count differs: expected ${exp.length}, ours ${act.length}`);
      mismatches++;
    }
    for (let i = 0; i < Math.min(exp.length, act.length); ++i) {
      if (exp[i] === act[i]) continue;
      if (++mismatches <= 5) {
        console.log(`--- payload ${i + 1} differs`);
        if (corpus[i]) console.log(`payload: ${corpus[i].slice(0, 2000)}`);
        const e = JSON.parse(exp[i]);
        let o;
        try { o = JSON.parse(act[i]); } catch (err) { o = { unparsable: act[i] }; }
        for (const k of Object.keys(e)) {
          const es = JSON.stringify(e[k]), os = JSON.stringify(o[k]);
          if (es !== os) console.log(`  ${k}:\n    zod : ${es.slice(0, 3000)}\n    ours: ${String(os).slice(0, 3000)}`);
        }
      }
    }
    const rejected = exp.filter((l) => l.startsWith('{"ok":false')).length;
    if (mismatches) {
      console.log(`FAIL: ${mismatches} of ${exp.length} payloads differ`);
      process.exit(1);
    }
    console.log(`OK: ${exp.length} payloads (${rejected} rejected) judged identically`);
  } else {
    console.error("usage: node schema_diff.js generate <corpus> <expected> [count] [seed] | compare <expected> <actual> [corpus]");
    process.exit(2);
  }
}
main();
