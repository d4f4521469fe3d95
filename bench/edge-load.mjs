// Edge speed: a bounded load (fixed duration, 127.0.0.1 only) against memnun's worker, the
// minimal JavaScript baseline (each under workerd through miniflare's API with its own fresh local
// D1) and Isso's own server (`isso run`, SQLite), when MEMNUN_ISSO names its binary. Targets
// alternate within each round; figures are medians over rounds, with the spread.
// MEMNUN_EDGE_COMPARE=<a worker build's index.js> adds that build as one more target ("compare"),
// to measure a change against the build before it in the same run.
// Prints one JSON object on stdout. Usage: node bench/edge-load.mjs [--smoke]
import { randomUUID } from "node:crypto";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Edge, TEST_SHOP, freePort } from "../tests/support/harness.mjs";

const smoke = process.argv.includes("--smoke");
const ROUNDS = smoke ? 1 : 5;
const PHASE_MS = smoke ? 400 : 4000;
const CONCURRENCY = smoke ? 4 : 16;
const ORIGIN = "https://bench.example";
const ISSO_SITE = "http://127.0.0.1:9";
const here = path.dirname(fileURLToPath(import.meta.url));

/** workerd processes started by this node process, by pid. */
function workerdChildren() {
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("workerd")) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

async function startWorker(name, options) {
  const before = new Set(workerdChildren());
  const edge = await Edge.start({ env: "bench", origins: [ORIGIN], ...options });
  const pid = workerdChildren().find((p) => !before.has(p));
  return {
    name,
    pid,
    accepted: 0,
    post: postReview,
    get: (t) => fetch(`${t.edge.url}/v1/shops/${TEST_SHOP}/products/bench-1/reviews`),
    edge,
    stored: async () => (await edge.query("SELECT COUNT(*) AS n FROM reviews"))[0].n,
    stop: () => edge.cleanup(),
  };
}

/** Isso 0.14's own server, as its docs run it, with its guard (rate limit) off like ours. Its
 * `host` (the site it serves, which it probes at start) is a loopback port where nothing listens,
 * and every new thread carries a title, so Isso never reaches beyond this machine. */
async function startIsso(binary) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memnun-isso-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const db = path.join(dir, "comments.db");
  fs.writeFileSync(path.join(dir, "isso.cfg"), [
    "[general]", `dbpath = ${db}`, `host = ${ISSO_SITE}`, "log-file = " + path.join(dir, "isso.log"),
    "[server]", `listen = ${url}`,
    "[guard]", "enabled = false",
    "[moderation]", "enabled = false", "",
  ].join("\n"));
  const child = spawn(binary, ["-c", path.join(dir, "isso.cfg"), "run"], { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/info`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  const python = path.join(path.dirname(binary), "python3");
  return {
    name: "isso",
    pid: child.pid,
    accepted: 0,
    url,
    post: (t) => {
      sequence += 1;
      return fetch(`${t.url}/new?uri=${encodeURIComponent(`/products/bench-${sequence % 10}`)}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ISSO_SITE, Referer: `${ISSO_SITE}/` },
        body: JSON.stringify({ text: REVIEW_BODY, author: "Bench", email: null, website: null, title: "Bench product" }),
      });
    },
    get: (t) => fetch(`${t.url}/?uri=${encodeURIComponent("/products/bench-1")}`, { headers: { Origin: ISSO_SITE } }),
    stored: async () =>
      Number(execFileSync(python, ["-c", `import sqlite3;print(sqlite3.connect(${JSON.stringify(db)}).execute("SELECT COUNT(*) FROM comments").fetchone()[0])`]).toString()),
    stop: async () => {
      child.kill("SIGTERM");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const REVIEW_BODY = "Kumaşı yumuşak, dikişleri sağlam; tam beklediğim gibi geldi.";
let sequence = 0;
function postReview(target) {
  sequence += 1;
  return fetch(`${target.edge.url}/v1/shops/${TEST_SHOP}/reviews`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": randomUUID(),
      Origin: ORIGIN,
      "CF-Connecting-IP": "127.0.0.1",
    },
    body: JSON.stringify({
      product: `bench-${sequence % 10}`,
      rating: 1 + (sequence % 5),
      title: "Bench review",
      // Distinct bodies: the same body twice for one product is held as a duplicate.
      body: `${REVIEW_BODY} #${sequence}`,
      author: "Bench",
      locale: "tr",
      fill_ms: 8000,
    }),
  });
}

async function phase(target, request) {
  const latencies = [];
  const statuses = {};
  const cpuBefore = target.pid ? cpuSeconds(target.pid) : 0;
  const started = performance.now();
  const deadline = started + PHASE_MS;
  async function worker() {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const res = await request(target);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = target.pid ? cpuSeconds(target.pid) - cpuBefore : NaN;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    requests: latencies.length,
    per_second: latencies.length / seconds,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    cpu_ms_per_request: (cpu * 1000) / latencies.length,
    statuses,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const targets = [
  await startWorker("memnun", {}),
  await startWorker("js-baseline", { script: path.join(here, "baseline-worker.mjs") }),
];
if (process.env.MEMNUN_EDGE_COMPARE) targets.push(await startWorker("compare", { script: process.env.MEMNUN_EDGE_COMPARE }));
if (process.env.MEMNUN_ISSO) targets.push(await startIsso(process.env.MEMNUN_ISSO));
const results = Object.fromEntries(targets.map((t) => [t.name, { post: [], get: [] }]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const kind of ["post", "get"]) {
      for (const target of order) {
        const r = await phase(target, target[kind]);
        if (kind === "post") target.accepted += r.statuses[201] || 0;
        results[target.name][kind].push(r);
      }
    }
  }
  const report = { rounds: ROUNDS, phase_ms: PHASE_MS, concurrency: CONCURRENCY, targets: {} };
  for (const target of targets) {
    const stored = await target.stored();
    const summary = {};
    for (const kind of ["post", "get"]) {
      const runs = results[target.name][kind];
      summary[kind] = {
        per_second: median(runs.map((r) => r.per_second)),
        per_second_min: Math.min(...runs.map((r) => r.per_second)),
        per_second_max: Math.max(...runs.map((r) => r.per_second)),
        p50_ms: median(runs.map((r) => r.p50_ms)),
        p99_ms: median(runs.map((r) => r.p99_ms)),
        cpu_ms_per_request: median(runs.map((r) => r.cpu_ms_per_request)),
        statuses: runs.reduce((all, r) => {
          for (const [s, n] of Object.entries(r.statuses)) all[s] = (all[s] || 0) + n;
          return all;
        }, {}),
      };
    }
    report.targets[target.name] = { ...summary, accepted: target.accepted, stored };
  }
  console.log(JSON.stringify(report));
} finally {
  for (const target of targets) await target.stop();
}
