// Reference G of scenario J (scripts/bench-job-references.sh): graphile-worker 0.17.3 on Node 20 with
// one no-op task. Phases: burn-down (N jobs added in bulk with WorkerUtils.addJobs while a runner with
// concurrentJobs 64 drains them), latency (single addJob calls 50 ms apart on the idle engine) and
// fairness (a 40,000-job bulk flood with 100 marked jobs added one by one while it drains).
// Writes one JSON object to --out; exits non-zero with a message on failure.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";

// Per-job "Completed task" info lines would otherwise be formatted for every job (graphile-worker's
// own switch, read when its module loads).
process.env.NO_LOG_SUCCESS = "1";
const gw = await import("graphile-worker");
const { run, makeWorkerUtils, Logger } = gw.default ?? gw;
const require = createRequire(import.meta.url);
const pg = require("pg");
const VERSION = require("graphile-worker/package.json").version;

const USAGE = `usage: node run.mjs --pg postgres://user:pass@host:port/db --postmaster-pid <pid> --out <file.json>
       [--n 20000] [--flood 40000] [--fair 100] [--latency 200] [--concurrency 64] [--pool 66]
       [--chunk 1000] [--budget-s 300] [--flood-budget-s 600] [--max-seconds 1500] [--phases burndown,latency,fairness]`;

function die(msg, code = 1) {
  console.error(`bench-graphile: FAILED: ${msg}`);
  process.exit(code);
}
const log = (m) => console.error(`bench-graphile: ${m}`);

function parseArgs(argv) {
  const o = {
    pg: "", postmasterPid: 0, out: "", n: 20000, flood: 40000, fair: 100, latency: 200,
    concurrency: 64, pool: 66, chunk: 1000, budgetS: 300, floodBudgetS: 600, maxSeconds: 1500, warmup: 500,
    phases: new Set(["burndown", "latency", "fairness"]),
  };
  const ints = { "--n": "n", "--flood": "flood", "--fair": "fair", "--latency": "latency", "--concurrency": "concurrency",
    "--pool": "pool", "--chunk": "chunk", "--budget-s": "budgetS", "--flood-budget-s": "floodBudgetS", "--max-seconds": "maxSeconds",
    "--postmaster-pid": "postmasterPid", "--warmup": "warmup" };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k === "--pg") o.pg = v();
    else if (k === "--out") o.out = v();
    else if (k === "--phases") o.phases = new Set(v().split(",").map((s) => s.trim()).filter(Boolean));
    else if (k in ints) {
      const s = v(); const x = Number(s);
      if (!Number.isInteger(x) || x < 0) throw new Error(`${k}: not a count: ${s}`);
      o[ints[k]] = x;
    } else throw new Error(`unknown argument ${k}`);
  }
  if (!o.pg) throw new Error("--pg is required");
  if (!o.out) throw new Error("--out is required");
  if (!o.postmasterPid) throw new Error("--postmaster-pid is required");
  try { readFileSync(`/proc/${o.postmasterPid}/stat`); } catch { throw new Error(`--postmaster-pid ${o.postmasterPid}: no such process`); }
  if (o.n < 1 || o.concurrency < 1 || o.chunk < 1) throw new Error("--n, --concurrency and --chunk must be positive");
  if (o.pool < o.concurrency + 2) log(`warning: --pool ${o.pool} is below concurrency + 2`);
  return o;
}

let o;
try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`bench-graphile: ${e.message}\n${USAGE}`); process.exit(2); }

// The whole runner is time-boxed: nothing below may hang it forever.
setTimeout(() => die(`the runner exceeded --max-seconds ${o.maxSeconds}; aborting`, 3), o.maxSeconds * 1000).unref();

const dbName = decodeURIComponent(new URL(o.pg).pathname.replace(/^\//, ""));
if (!dbName) die("--pg names no database");
const adminUrl = (() => { const u = new URL(o.pg); u.pathname = "/postgres"; return u.toString(); })();

// ---- measurement helpers -------------------------------------------------------------------------
const HZ = 100;
function statFields(text) { return text.slice(text.lastIndexOf(")") + 2).split(" "); }
// fields: [0] state (field 3), [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime
function cpuSample() {
  const self = statFields(readFileSync("/proc/self/stat", "utf8"));
  const selfS = (Number(self[11]) + Number(self[12])) / HZ;
  const pm = statFields(readFileSync(`/proc/${o.postmasterPid}/stat`, "utf8"));
  let ticks = Number(pm[11]) + Number(pm[12]) + Number(pm[13]) + Number(pm[14]);
  const ppid = String(o.postmasterPid);
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let f;
    try { f = statFields(readFileSync(`/proc/${name}/stat`, "utf8")); } catch { continue; }
    if (f[1] === ppid) ticks += Number(f[11]) + Number(f[12]);
  }
  return { self: selfS, postgres: ticks / HZ, machine: machineBusy() };
}
// Busy CPU seconds of the whole machine (user+nice+system+irq+softirq+steal of /proc/stat).
function machineBusy() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  return [1, 2, 3, 6, 7, 8].reduce((t, i) => t + Number(f[i]), 0) / HZ;
}

async function dbStats() {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const res = await c.query(
      "SELECT pg_stat_clear_snapshot(); SELECT xact_commit::text AS c, xact_rollback::text AS r FROM pg_stat_database WHERE datname = '" +
        dbName.replace(/'/g, "''") + "'");
    const row = res[1].rows[0];
    if (!row) throw new Error(`pg_stat_database has no row for ${dbName}`);
    return { commit: Number(row.c), rollback: Number(row.r) };
  } finally { await c.end(); }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function sleepUntil(t) { const d = t - performance.now(); if (d > 0) await sleep(d); }
function pct(v, p) { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; }
const r = (x, d) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

// ---- the task and its in-memory recorders -------------------------------------------------------
const rec = { w: 0, b: 0, x: 0, y: 0, l: 0, latStart: [], yStart: [] };
const taskList = {
  noop: (payload) => {
    const now = performance.now();
    switch (payload.k) {
      case "b": rec.b++; break;
      case "w": rec.w++; break;
      case "x": rec.x++; break;
      case "l": rec.latStart[payload.i] = now; rec.l++; break;
      case "y": rec.yStart[payload.i] = now; rec.y++; break;
    }
  },
};

const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile-worker ${level}: ${message}`);
});

const workerPreset = {
  worker: {
    connectionString: o.pg,
    concurrentJobs: o.concurrency,
    maxPoolSize: o.pool,
    pollInterval: 2000,
    completeJobBatchDelay: -1, // unbatched completion (0.17.3's default, set explicitly)
    failJobBatchDelay: -1,
    localQueue: { size: -1 }, // no local batching of fetched jobs (default)
    logger,
  },
};
const settings = `concurrentJobs=${o.concurrency}, maxPoolSize=${o.pool}, completeJobBatchDelay=-1 (unbatched), ` +
  `failJobBatchDelay=-1, localQueue.size=-1, pollInterval=2000ms (LISTEN/NOTIFY wakes workers), preparedStatements=true, ` +
  `bulk submits: WorkerUtils.addJobs in chunks of ${o.chunk} (graphile_worker.add_jobs), single submits: WorkerUtils.addJob, ` +
  `NO_LOG_SUCCESS=1, graphile-worker ${VERSION}, Node ${process.versions.node}`;

let runner = null;
let utils = null;
let runnerFailure = null;

async function startEngine() {
  runner = await run({ preset: workerPreset, taskList, noHandleSignals: true });
  runner.promise.catch((e) => { runnerFailure = e; });
  utils = await makeWorkerUtils({ connectionString: o.pg, logger });
  await sleep(1000);
}
async function stopEngine() {
  if (utils) { await utils.release(); utils = null; }
  if (runner) { await runner.stop(); runner = null; }
}
function checkRunner() { if (runnerFailure) throw new Error(`the worker runner failed: ${runnerFailure.stack ?? runnerFailure}`); }

/** Adds count jobs in chunks with addJobs, stopping early once budgetMs have passed; returns how many. */
async function addBulk(kind, count, onChunk, budgetMs = Infinity) {
  const deadline = performance.now() + budgetMs;
  let done = 0;
  while (done < count && performance.now() < deadline) {
    const m = Math.min(o.chunk, count - done);
    const specs = new Array(m);
    for (let j = 0; j < m; j++) specs[j] = { identifier: "noop", payload: { k: kind } };
    await utils.addJobs(specs);
    done += m;
    onChunk?.(done);
  }
  return done;
}

async function waitCounter(get, target, budgetMs, what, throwOnTimeout = true) {
  const end = performance.now() + budgetMs;
  while (get() < target) {
    checkRunner();
    if (performance.now() > end) {
      if (throwOnTimeout) throw new Error(`${what}: ${get()} of ${target} jobs ran within ${Math.round(budgetMs / 1000)} s`);
      return false;
    }
    await sleep(5);
  }
  return true;
}

/** Polls graphile_worker._private_jobs (0.17 deletes completed jobs) until it is empty; returns the
 * performance.now() at which an empty table was seen, or null when the budget ran out. */
async function waitEmpty(monitor, budgetMs, counter) {
  const end = performance.now() + budgetMs;
  for (;;) {
    counter.n++;
    const res = await monitor.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs");
    const t = performance.now();
    if (res.rows[0].n === 0) return t;
    if (t > end) return null;
    checkRunner();
    await sleep(10);
  }
}

async function openMonitor() { const c = new pg.Client({ connectionString: o.pg }); await c.connect(); return c; }

const notes = [];
const out = { engine: "G", name: `graphile-worker ${VERSION} (Node ${process.versions.node.split(".")[0]})`, settings };

async function burnDown() {
  const n = o.n;
  log(`burn-down: ${n} jobs in bulk chunks of ${o.chunk}, concurrency ${o.concurrency}`);
  const monitor = await openMonitor();
  const s0 = await dbStats();
  const cpu0 = cpuSample();
  rec.b = 0;
  const t0 = performance.now();
  const count = await addBulk("b", n, null, o.budgetS * 1000);
  const submitted = performance.now();
  log(`burn-down: submitted in ${((submitted - t0) / 1000).toFixed(2)} s; draining`);
  const budget = Math.max(0, o.budgetS * 1000 - (performance.now() - t0));
  const counter = { n: 0 };
  const ran = count === n && (await waitCounter(() => rec.b, n, budget, "burn-down", false));
  let tEnd = ran ? await waitEmpty(monitor, 30000, counter) : null;
  const cpu1 = cpuSample();
  let completed = n;
  if (tEnd == null) {
    counter.n += 2;
    const left = (await monitor.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs")).rows[0].n;
    completed = count - left;
    tEnd = performance.now();
    await monitor.query("DELETE FROM graphile_worker._private_jobs WHERE locked_at IS NULL");
    notes.push(`Burn-down exceeded its ${o.budgetS} s budget: ${completed} of ${n} jobs completed (${count} added; the rest were deleted; per-job costs include the adds of the jobs that did not run).`);
  }
  if (completed <= 0) throw new Error(`burn-down: no job completed within the ${o.budgetS} s budget`);
  await monitor.end(); // its backend exits and flushes its statistics
  // Stop the engine so every backend exits and flushes its statistics, then read them.
  await stopEngine();
  await sleep(1500);
  const s1 = await dbStats();
  const seconds = (tEnd - t0) / 1000;
  const k = completed / 1000;
  const eng = (cpu1.self - cpu0.self) / k, pgs = (cpu1.postgres - cpu0.postgres) / k;
  const commits = (s1.commit - s0.commit - counter.n) / completed;
  out.n = completed;
  out.burndown = { jobs_per_s: r(completed / seconds, 1), seconds: r(seconds, 2), submit_seconds: r((submitted - t0) / 1000, 2), drained: completed === n,
    // CPU seconds that other processes on the machine used during the window (noise check).
    other_cpu_s: r(Math.max(0, cpu1.machine - cpu0.machine - (cpu1.self - cpu0.self) - (cpu1.postgres - cpu0.postgres)), 1) };
  out.commits_per_job = r(commits, 2);
  out.rollbacks_per_job = r((s1.rollback - s0.rollback) / completed, 3);
  out.cpu_s_per_1000 = { engine: r(eng, 3), postgres: r(pgs, 3), total: r(eng + pgs, 3) };
  notes.push(`The runner and its pool were restarted after the ${o.warmup}-job warm-up and after the burn-down (statistics ` +
    "flush): connections that had prepared get_job against the warm-up's near-empty job table kept a generic seq-scan " +
    "plan and drained at 775-2,200 jobs/s instead of 2,300-2,700.");
  notes.push(`Burn-down end = first poll (every 10 ms once every job had started) that found graphile_worker._private_jobs empty; ` +
    `${counter.n} monitoring transactions subtracted from the commit delta; the runner was stopped after the drain so that all ` +
    `backends flush their statistics, read 1.5 s later from the postgres database.`);
  log(`burn-down: ${(completed / seconds).toFixed(1)} jobs/s over ${seconds.toFixed(2)} s; ${commits.toFixed(2)} commits/job`);
  await startEngine();
}

async function latency() {
  const n = o.latency;
  if (!n) return;
  log(`latency: ${n} single addJob calls 50 ms apart`);
  await sleep(2000);
  rec.latStart = new Array(n).fill(0);
  rec.l = 0;
  const submit = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await sleepUntil(t0 + i * 50);
    submit[i] = performance.now();
    await utils.addJob("noop", { k: "l", i });
  }
  await waitCounter(() => rec.l, n, 120000, "latency");
  const monitor = await openMonitor();
  await waitEmpty(monitor, 30000, { n: 0 });
  await monitor.end();
  const ms = submit.map((s, i) => rec.latStart[i] - s);
  out.latency_ms = { n, p50: r(pct(ms, 50), 2), p95: r(pct(ms, 95), 2), p99: r(pct(ms, 99), 2) };
  log(`latency: p50 ${pct(ms, 50).toFixed(1)} ms, p99 ${pct(ms, 99).toFixed(1)} ms`);
}

async function fairness() {
  const nx = o.flood, ny = o.fair;
  log(`fairness: flood of ${nx} jobs in bulk; ${ny} marked jobs one by one 20 ms apart once 1,000 of the flood are in`);
  await sleep(1000);
  rec.x = 0; rec.y = 0;
  rec.yStart = new Array(ny).fill(0);
  const ysubmit = new Array(ny).fill(0);
  let yGo;
  const yReady = new Promise((res) => { yGo = res; });
  const trigger = Math.min(1000, nx);
  const yDone = (async () => {
    await yReady;
    const t0 = performance.now();
    for (let i = 0; i < ny; i++) {
      await sleepUntil(t0 + i * 20);
      ysubmit[i] = performance.now();
      await utils.addJob("noop", { k: "y", i });
    }
  })();
  const t0 = performance.now();
  const countX = await addBulk("x", nx, (done) => { if (done >= trigger) yGo(); }, o.floodBudgetS * 1000);
  yGo();
  const submitted = performance.now();
  await yDone;
  const budget = Math.max(0, o.floodBudgetS * 1000 - (performance.now() - t0));
  const ran = countX === nx && (await waitCounter(() => rec.x, nx, budget, "fairness flood", false)) &&
    (await waitCounter(() => rec.y, ny, 30000, "fairness marked jobs", false));
  const monitor = await openMonitor();
  const tEnd = ran ? await waitEmpty(monitor, 30000, { n: 0 }) : null;
  const started = [...Array(ny).keys()].filter((i) => rec.yStart[i] > 0);
  const yms = started.map((i) => rec.yStart[i] - ysubmit[i]);
  const fair = { x_jobs: nx, y_jobs: ny, y_started: started.length,
    y_p50_ms: yms.length ? r(pct(yms, 50), 1) : null, y_p99_ms: yms.length ? r(pct(yms, 99), 1) : null,
    x_submit_seconds: r((submitted - t0) / 1000, 2), x_drain_seconds: tEnd == null ? null : r((tEnd - t0) / 1000, 2) };
  if (tEnd == null) {
    fair.x_completed_in_budget = rec.x;
    notes.push(`Fairness flood exceeded its ${o.floodBudgetS} s budget: ${rec.x} of ${nx} flood jobs ran; the rest were deleted.`);
    await monitor.query("DELETE FROM graphile_worker._private_jobs WHERE locked_at IS NULL");
  }
  await monitor.end();
  out.fairness = fair;
  notes.push("Fairness: one shared queue (no queue_name), no priorities; x_drain_seconds runs from the flood's first addJobs call " +
    "to the first poll that found graphile_worker._private_jobs empty.");
  log(`fairness: Y p50 ${fair.y_p50_ms} ms, p99 ${fair.y_p99_ms} ms; flood drained in ${fair.x_drain_seconds} s`);
}

try {
  await startEngine(); // runs the schema migrations (before any measurement)
  if (o.warmup > 0) {
    log(`warm-up: ${o.warmup} jobs`);
    await addBulk("w", o.warmup);
    await waitCounter(() => rec.w, o.warmup, 120000, "warm-up");
    const m = await openMonitor();
    await waitEmpty(m, 30000, { n: 0 });
    await m.end();
    // A fresh runner (and pool) for the measurement: connections that prepared get_job against the
    // warm-up's near-empty table keep a generic plan that seq-scans the job table, which made the
    // burn-down anywhere from 775 to 2,200 jobs/s depending on when autoanalyze came by.
    await stopEngine();
    await startEngine();
  }
  if (o.phases.has("burndown")) await burnDown();
  if (o.phases.has("latency")) await latency();
  if (o.phases.has("fairness")) await fairness();
  checkRunner();
  await stopEngine();
  out.notes = notes.join(" ");
  writeFileSync(o.out, JSON.stringify(out) + "\n");
  log(`wrote ${o.out}`);
  process.exit(0);
} catch (e) {
  die(e?.stack ?? String(e));
}
