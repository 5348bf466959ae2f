// Validates docs/openapi.yaml against the OpenAPI 3.1 schema and resolves every $ref
// (@apidevtools/swagger-parser, pinned in package-lock.json). Exit 1 on any problem.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node openapi-lint.mjs <openapi.yaml>");
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(file);
  const ops = Object.values(api.paths).flatMap((p) => Object.keys(p).filter((k) => k !== "parameters"));
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === "parameters") continue;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      if (!op.responses || Object.keys(op.responses).length === 0) throw new Error(`${method.toUpperCase()} ${path} has no responses`);
    }
  }
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${ops.length} operations`);
} catch (e) {
  console.error(`${file}: ${e.message}`);
  process.exit(1);
}
