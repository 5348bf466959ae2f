// Calls every route of a running kongflow-endpointsd and checks each real response against the
// schema docs/openapi.yaml declares for that operation and status (ajv, JSON Schema 2020-12).
// usage: node check-responses.mjs <openapi.yaml> <base-url> <api-key> <endpoint-url> <slug>
// Needs an endpoint answering at <endpoint-url> (the SDK app). Traffic goes to 127.0.0.1 only.
import fs from "node:fs";
import YAML from "yaml";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [specFile, base, key, endpointUrl, slug] = process.argv.slice(2);
if (!slug) {
  console.error("usage: node check-responses.mjs <openapi.yaml> <base-url> <api-key> <endpoint-url> <slug>");
  process.exit(2);
}
const spec = YAML.parse(fs.readFileSync(specFile, "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "openapi", components: spec.components });

// Resolves a response object ($ref'd or inline) to its JSON schema, rewritten to the "openapi" id.
function schemaFor(path, method, status) {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`spec has no ${method.toUpperCase()} ${path}`);
  let res = op.responses[String(status)];
  if (!res) throw new Error(`spec declares no ${status} for ${method.toUpperCase()} ${path}`);
  if (res.$ref) res = spec.components.responses[res.$ref.split("/").pop()];
  const media = res.content?.["application/json"] ?? res.content?.["text/plain"];
  if (!media) throw new Error(`no content for ${status} of ${method.toUpperCase()} ${path}`);
  return JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi#/components/'));
}

let failures = 0, checked = 0;
async function check(name, path, method, url, init = {}, expectStatus) {
  const headers = { ...(init.headers ?? {}) };
  if (init.auth !== false) headers.authorization = `Bearer ${init.key ?? key}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + url, { method: method.toUpperCase(), headers, body: init.body });
  const text = await res.text();
  checked++;
  try {
    const expected = [expectStatus ?? []].flat();
    if (expected.length && !expected.includes(res.status)) throw new Error(`status ${res.status}, expected ${expectStatus}: ${text}`);
    const schema = schemaFor(path, method, res.status);
    const body = (res.headers.get("content-type") ?? "").startsWith("application/json") ? JSON.parse(text) : text;
    const validate = ajv.compile(schema);
    if (!validate(body)) throw new Error(`${res.status} body does not match: ${ajv.errorsText(validate.errors)}\n${text}`);
    console.log(`ok   ${name}: ${res.status}`);
    return body;
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.message}`);
    return undefined;
  }
}

const ep = "/api/v1/endpoints";
await check("healthz", "/healthz", "get", "/healthz", { auth: false }, 200);
await check("readyz", "/readyz", "get", "/readyz", { auth: false }, 200);
await check("metrics", "/metrics", "get", "/metrics", { auth: false }, 200);
await check("whoami", "/api/v1/whoami", "get", "/api/v1/whoami", {}, 200);
await check("whoami bad key", "/api/v1/whoami", "get", "/api/v1/whoami", { key: "tr_dev_nope" }, 401);
const created = await check("create", ep, "post", ep, { body: JSON.stringify({ url: endpointUrl, id: slug }) }, 200);
await check("create bad body", ep, "post", ep, { body: JSON.stringify({ url: 1 }) }, 400);
await check("create bad key", ep, "post", ep, { key: "nope", body: "{}" }, 401);
await check("create unreachable", ep, "post", ep, { body: JSON.stringify({ url: "http://127.0.0.1:9/api/trigger", id: "nobody" }) }, 400);
await check("list", ep, "get", ep, {}, 200);
await check("get", `${ep}/{slug}`, "get", `${ep}/${slug}`, {}, 200);
await check("get missing", `${ep}/{slug}`, "get", `${ep}/nope-nope`, {}, 404);
if (created) {
  const ixId = created.endpointIndex.id;
  await check("endpointindex", "/api/v1/endpointindex/{indexId}", "get", `/api/v1/endpointindex/${ixId}`, {}, 200);
  await check("endpointindex missing", "/api/v1/endpointindex/{indexId}", "get", "/api/v1/endpointindex/nope", {}, 404);
  await check("index now", `${ep}/{slug}/index`, "post", `${ep}/${slug}/index`, { body: JSON.stringify({ reason: "schema check" }) }, 200);
  await check("index bad body", `${ep}/{slug}/index`, "post", `${ep}/${slug}/index`, { body: "[1]" }, 400);
  await check("index not json", `${ep}/{slug}/index`, "post", `${ep}/${slug}/index`, { body: "not json" }, 400);
  await check("indexes", `${ep}/{slug}/indexes`, "get", `${ep}/${slug}/indexes`, {}, 200);
  await check("jobs", `${ep}/{slug}/jobs`, "get", `${ep}/${slug}/jobs`, {}, 200);
  const hook = `${ep}/${created.environmentId}/${slug}/index/${created.indexingHookIdentifier}`;
  const hookPath = `${ep}/{environmentId}/{slug}/index/{hookIdentifier}`;
  await check("hook get", hookPath, "get", hook, { auth: false }, 200);
  await check("hook post", hookPath, "post", hook, { auth: false, body: JSON.stringify({ type: "deployment.succeeded" }) }, 200);
  await check("hook put", hookPath, "put", hook, { auth: false, body: JSON.stringify({ put: true }) }, 200);
  await check("hook delete", hookPath, "delete", hook, { auth: false }, 200);
  await check("hook null body", hookPath, "post", hook, { auth: false, body: "null" }, 400);
  await check("hook wrong id", hookPath, "get", `${ep}/${created.environmentId}/${slug}/index/wrongwrong`, { auth: false }, 404);
  await check("delete", `${ep}/{slug}`, "delete", `${ep}/${slug}`, {}, 200);
  await check("delete missing", `${ep}/{slug}`, "delete", `${ep}/nope-nope`, {}, 404);
  // The queue: whole-store counts and failed jobs. Job 1 is the first index job of this fresh
  // daemon; whether it has completed yet (retry refused, 409) or not depends on timing, and both
  // answers must match the spec.
  const q = "/api/v1/queue";
  await check("queue", q, "get", q, {}, 200);
  await check("queue failed=0", q, "get", `${q}?failed=0`, {}, 200);
  await check("queue bad failed", q, "get", `${q}?failed=101`, {}, 400);
  await check("queue bad key", q, "get", q, { key: "tr_dev_nope" }, 401);
  const retry = `${q}/jobs/{jobId}/retry`, cancel = `${q}/jobs/{jobId}/cancel`;
  await check("queue retry", retry, "post", `${q}/jobs/1/retry`, {}, [200, 409]);
  await check("queue cancel", cancel, "post", `${q}/jobs/1/cancel`, {}, [200, 409]);
  await check("queue cancel again", cancel, "post", `${q}/jobs/1/cancel`, {}, 409);
  await check("queue retry missing", retry, "post", `${q}/jobs/999999/retry`, {}, 404);
  await check("queue cancel missing", cancel, "post", `${q}/jobs/999999/cancel`, {}, 404);
  await check("queue retry bad id", retry, "post", `${q}/jobs/abc/retry`, {}, 400);
  await check("queue cancel bad key", cancel, "post", `${q}/jobs/1/cancel`, { key: "tr_dev_nope" }, 401);
  // The hook calls above queued an index to run in 5 s: cancel the first pending job found (ids
  // count from 1 in this fresh daemon) so that a 200 body is checked too, then retry it.
  let pending;
  for (let id = 2; id <= 20 && !pending; id++) {
    const res = await fetch(`${base}${q}/jobs/${id}/cancel`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    if (res.status === 200) pending = id;
    await res.text();
  }
  if (pending) {
    await check("queue retry cancelled", retry, "post", `${q}/jobs/${pending}/retry`, {}, 200);
    await check("queue cancel pending", cancel, "post", `${q}/jobs/${pending}/cancel`, {}, [200, 409]);
  } else {
    console.log("note: no pending job left to cancel; the 200 bodies of retry/cancel were not checked");
  }
  // Revive it for whoever runs next.
  await check("create again", ep, "post", ep, { body: JSON.stringify({ url: endpointUrl, name: slug }) }, 200);
}
console.log(`${checked - failures}/${checked} responses match docs/openapi.yaml`);
process.exit(failures ? 1 : 0);
