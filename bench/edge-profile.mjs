// Where the edge's CPU goes: samples workerd's V8 (DevTools protocol) while review POSTs or
// product-reviews GETs run against the built worker, and prints the functions with the most self
// time, wasm and JavaScript alike (the worker keeps its wasm name section). A tool for finding
// what to cut, not a benchmark: figures come from bench/edge-load.mjs.
// Usage: node --experimental-websocket bench/edge-profile.mjs [post|get] [requests] [--script path]
// (--script: another worker, e.g. bench/baseline-worker.mjs). MEMNUN_PROFILE_TOP=<n> lists more
// functions; MEMNUN_PROFILE_CALLERS=<function name> shows the stacks that lead to it.
import { randomUUID } from "node:crypto";
import { Edge, TEST_SHOP, freePort } from "../tests/support/harness.mjs";

const kind = process.argv[2] === "get" ? "get" : "post";
const requests = Number(process.argv[3]) || 2000;
const scriptAt = process.argv.indexOf("--script");
const script = scriptAt > 0 ? process.argv[scriptAt + 1] : undefined;
const ORIGIN = "https://bench.example";
const CONCURRENCY = 8;

process.env.MEMNUN_EDGE_INSPECTOR = String(await freePort());
const edge = await Edge.start({ env: "bench", origins: [ORIGIN], ...(script ? { script } : {}) });

let sequence = 0;
const send = () => {
  sequence += 1;
  if (kind === "get") return fetch(`${edge.url}/v1/shops/${TEST_SHOP}/products/bench-1/reviews`);
  return fetch(`${edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": randomUUID(), Origin: ORIGIN, "CF-Connecting-IP": "127.0.0.1" },
    body: JSON.stringify({
      product: `bench-${sequence % 10}`,
      rating: 1 + (sequence % 5),
      title: "Bench review",
      body: `Kumaşı yumuşak, dikişleri sağlam; tam beklediğim gibi geldi. #${sequence}`,
      author: "Bench",
      locale: "tr",
      fill_ms: 8000,
    }),
  });
};
async function load(n) {
  let left = n;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const res = await send();
        await res.arrayBuffer();
        if (res.status >= 300) throw new Error(`the edge answered ${res.status}: a profile of failures is not one of the work`);
      }
    }),
  );
}

try {
  if (kind === "get") for (let i = 0; i < 20; i++) await (await (sequence++, send())).arrayBuffer();
  await load(200); // warm up: compiled code, prepared statements
  const targets = await (await fetch(`http://127.0.0.1:${process.env.MEMNUN_EDGE_INSPECTOR}/json/list`)).json();
  const target = targets.find((t) => /core:user/.test(t.id ?? "") || /core:user/.test(t.title ?? "")) ?? targets[0];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)));
  let id = 0;
  const pending = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message);
  };
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      id += 1;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 50 });
  await call("Profiler.start");
  const started = performance.now();
  await load(requests);
  const elapsed = performance.now() - started;
  const { result } = await call("Profiler.stop");
  socket.close();

  const profile = result.profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = new Map();
  profile.samples.forEach((nodeId, i) => deltas.set(nodeId, (deltas.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map();
  let total = 0;
  for (const [nodeId, us] of deltas) {
    const frame = byId.get(nodeId).callFrame;
    const name = frame.functionName || `(anonymous ${frame.url.split("/").pop()}:${frame.lineNumber})`;
    if (name === "(idle)" || name === "(program)") continue;
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.MEMNUN_PROFILE_TOP) || 40);
  // Rough groups: Rust compiled to wasm, wasm-bindgen's glue between it and JavaScript, the
  // runtime's D1 client, and everything else (the runtime's own JavaScript, fetch, GC).
  const group = (name) =>
    /::|^<|^wasm-to-js|^js-to-wasm|^dlmalloc|^__rust|^memcpy|^memset|^core::|^alloc::/.test(name) ? "rust (wasm)"
    : /^__wbg_|^__wbindgen|externref shim/.test(name) ? "wasm-bindgen glue"
    : /d1-api|^text$|^toJson$|^_send|^toArrayOfObjects$|D1Meta/.test(name) ? "D1 client"
    : "runtime and the rest";
  const groups = new Map();
  for (const [name, us] of self) groups.set(group(name), (groups.get(group(name)) ?? 0) + us);
  for (const [name, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`group: ${name}: ${(us / requests).toFixed(0)} µs/req`);
  console.log(`${requests} ${kind.toUpperCase()}s in ${elapsed.toFixed(0)} ms; sampled busy time ${(total / 1000).toFixed(0)} ms (${(total / requests).toFixed(0)} µs/request)`);
  for (const [name, us] of top) console.log(`${((us * 100) / total).toFixed(1).padStart(5)} %  ${(us / requests).toFixed(1).padStart(6)} µs/req  ${name}`);
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const wanted = process.env.MEMNUN_PROFILE_CALLERS;
  if (wanted) {
    const stacks = new Map();
    for (const [nodeId, us] of deltas) {
      if (byId.get(nodeId).callFrame.functionName !== wanted) continue;
      const names = [];
      for (let at = parent.get(nodeId); at !== undefined && names.length < 8; at = parent.get(at)) {
        const f = byId.get(at).callFrame;
        names.push(f.functionName || `${f.url.split("/").pop()}:${f.lineNumber}`);
      }
      const key = names.join(" < ");
      stacks.set(key, (stacks.get(key) ?? 0) + us);
    }
    for (const [key, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${(us / requests).toFixed(1).padStart(6)} µs/req  ${wanted} < ${key}`);
  }
} finally {
  await edge.cleanup();
}
