// The API tried by a client nobody here wrote: schemathesis (pinned, installed by `cargo xtask
// test`, found through MEMNUN_SCHEMATHESIS) reads `/v1/openapi.json` from the real worker and
// sends made-up requests to every operation in it, checking that no answer is a server error,
// that every status and content type is one the document gives the operation, and that every
// JSON answer matches its schema. Deterministic generation: the same requests every run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Edge, ROOT, TEST_API_KEY, adminCall, postReview, review } from "./support/harness.mjs";

const ORIGIN = "https://schemathesis.example";
const SCHEMATHESIS = process.env.MEMNUN_SCHEMATHESIS ?? path.join(ROOT, "target/tools/python-schemathesis-4.32.5-xmlschema-4.3.2/bin/schemathesis");
/** Made-up requests per operation in the fuzzing phase (the coverage phase adds its own, one per
 * edge of each field): bounded so the run takes two or three minutes. */
const EXAMPLES = 30;

let edge;
let reportDir;
before(async () => {
  edge = await Edge.start({ origins: [ORIGIN] });
  reportDir = mkdtempSync(path.join(os.tmpdir(), "memnun-schemathesis-"));
});
after(async () => {
  await edge?.cleanup();
  if (reportDir) rmSync(reportDir, { recursive: true, force: true });
});

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS, args, { env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

test("schemathesis finds no server error, undocumented answer or schema mismatch", { timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(SCHEMATHESIS), `schemathesis is not installed at ${SCHEMATHESIS}: run \`cargo xtask test\`, which installs it`);
  // Real data behind the ids the config names, so operations reach their real work.
  const ok = (r, status = 200) => assert.equal(r.status, status, r.text);
  ok(await adminCall(edge, "PUT", "catalog", { body: { mode: "replace", items: [{ id: "fincan", name: "Fincan", url: `${ORIGIN}/p/fincan`, category: "mutfak" }] } }));
  ok(await adminCall(edge, "PUT", "orders/ST-1", { body: {
    number: "ST-1001", email: "st@example.com", placed_at: "2026-11-01T10:00:00Z",
    items: [{ product: "fincan", quantity: 1 }], shipments: [{ id: "s1", carrier: "Kargo" }],
  } }));
  const created = await postReview(edge, review({ product: "fincan" }), { origin: ORIGIN });
  ok(created, 201);

  const doc = await (await fetch(`${edge.url}/v1/openapi.json`)).json();
  // schemathesis leaves out the document's own route.
  const operations = Object.entries(doc.paths)
    .filter(([p]) => p !== "/v1/openapi.json")
    .flatMap(([p, item]) => Object.entries(item).map(([m, op]) => ({ id: op.operationId, name: `${m.toUpperCase()} ${p}` })));
  // One run per operation, each from its own client address: a run's made-up requests without a
  // key (schemathesis sends some) would otherwise lock every later merchant request out, and one
  // client's per-minute limits would answer most of the run with 429.
  const tried = [];
  const failed = [];
  let requests = 0;
  let admitted = 0;
  const succeededUnder = new Map();
  for (const [i, op] of operations.entries()) {
    const junit = path.join(reportDir, `${op.id}.xml`);
    const har = path.join(reportDir, `${op.id}.har`);
    const { code, out } = await run([
      "--config-file", path.join(ROOT, "tests/schemathesis/schemathesis.toml"),
      "run", `${edge.url}/v1/openapi.json`,
      "--url", edge.url,
      "--include-operation-id", op.id,
      "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
      "--max-examples", String(EXAMPLES),
      "--generation-deterministic",
      "--phases", "examples,coverage,fuzzing",
      "--header", `Authorization: Bearer ${TEST_API_KEY}`,
      "--header", `CF-Connecting-IP: 10.250.${i >> 8}.${i & 255}`,
      "--report", "junit,har", "--report-junit-path", junit, "--report-har-path", har,
    ], { MEMNUN_REVIEW: created.json.review.id });
    if (code !== 0) failed.push(`${op.name}:\n${out.slice(-4000)}`);
    tried.push(...[...readFileSync(junit, "utf8").matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1]));
    const entries = JSON.parse(readFileSync(har, "utf8")).log.entries;
    requests += entries.length;
    for (const e of entries) {
      if (e.response.status >= 300) continue;
      admitted += 1;
      const where = new URL(e.request.url).pathname.split("/").slice(0, 3).join("/");
      succeededUnder.set(where, (succeededUnder.get(where) ?? 0) + 1);
    }
  }
  assert.deepEqual(failed, [], failed.join("\n\n"));
  assert.deepEqual(tried.sort(), operations.map((o) => o.name).sort(), "every operation of the document was tried");
  // Made-up requests are mostly refused; each kind of caller must also have been let in, or the
  // run tried only the doors.
  for (const where of ["/v1/admin", "/v1/shops", "/v1/health"]) {
    assert.ok(succeededUnder.get(where) > 0, `no request under ${where} succeeded: ${JSON.stringify([...succeededUnder])}`);
  }
  t.diagnostic(`${operations.length} operations, ${requests} requests, ${admitted} answered 2xx`);
});
