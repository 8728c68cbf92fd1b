/**
 * `npm run bench -- --footprint`: what a verification-only app carries, next to the peers. Each subject
 * is installed with plain npm into its own scratch directory outside the workspace (nevertrust from the
 * tarballs `npm run pack` makes), then measured in fresh processes:
 * - installed size: `node_modules` minus the same app without auth;
 * - modules: how many modules importing the auth package loads (a module-resolution hook counts them);
 * - import time: wall time of that import, median of 5 processes;
 * - start-up RSS: after the app is built and listening, before any request, minus the app without auth.
 * For nevertrust, the same probe also imports `zod/mini` alone (the core's one validation dependency) in
 * the same app, so the report can say what share of the modules, import time and RSS is zod's.
 * Writes `bench/results/footprint.json` and `footprint.md` (`footprint-report.ts`); the report includes the
 * table when present.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error — the workspace's pack script is plain JavaScript without types.
import { packAll } from '../../scripts/pack.mjs';
import { BENCH_DIR } from './child.js';
import { footprintMarkdown } from './footprint-report.js';

interface Subject {
  readonly name: string;
  readonly framework: 'express' | 'fastify';
  /** The auth package imported and timed; none for the bare framework. */
  readonly auth?: string;
  readonly dependencies: Readonly<Record<string, string>>;
  /** Builds the app with auth (after the timed import), as `app` for the probe. */
  readonly setup: string;
}

const KEY_OPTIONS = `{ issuers: [{ issuer: 'https://idp.test/', audience: 'https://api.test', keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k' }] }], logger: false }`;

const SUBJECTS: readonly Subject[] = [
  { name: 'express (no auth)', framework: 'express', dependencies: { express: '5.3.0' }, setup: '' },
  {
    name: 'nevertrust (express)',
    framework: 'express',
    auth: '@nevertrust/express',
    dependencies: { express: '5.3.0' },
    setup: `app.use(auth.nevertrust(${KEY_OPTIONS}));`,
  },
  {
    name: 'express-oauth2-jwt-bearer',
    framework: 'express',
    auth: 'express-oauth2-jwt-bearer',
    dependencies: { express: '5.3.0', 'express-oauth2-jwt-bearer': '1.10.0' },
    setup: `app.use(auth.auth({ issuerBaseURL: 'https://idp.test/', audience: 'https://api.test', secret: 'x'.repeat(32), tokenSigningAlg: 'HS256' }));`,
  },
  { name: 'fastify (no auth)', framework: 'fastify', dependencies: { fastify: '5.12.8' }, setup: '' },
  {
    name: 'nevertrust (fastify)',
    framework: 'fastify',
    auth: '@nevertrust/fastify',
    dependencies: { fastify: '5.12.8' },
    setup: `await app.register(auth.nevertrust, ${KEY_OPTIONS});`,
  },
  {
    name: '@fastify/jwt',
    framework: 'fastify',
    auth: '@fastify/jwt',
    dependencies: { fastify: '5.12.8', '@fastify/jwt': '10.2.8' },
    setup: `await app.register(auth.default, { secret: 'x'.repeat(32) }); app.addHook('onRequest', (request) => request.jwtVerify());`,
  },
];

/** Counts resolved modules: a resolve hook posts each URL through the port it is given. */
const HOOKS = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!result.url.startsWith('node:')) port.postMessage(result.url);
  return result;
}`;

function probe(subject: Subject): string {
  const frameworkImport =
    subject.framework === 'express'
      ? "const { default: express } = await import('express'); const app = express();"
      : "const { default: fastify } = await import('fastify'); const app = fastify();";
  const listen =
    subject.framework === 'express'
      ? 'await new Promise((resolve) => { const server = app.listen(0, "127.0.0.1", resolve); globalThis.server = server; });'
      : 'await app.listen({ port: 0, host: "127.0.0.1" });';
  return `import { createRequire, register } from 'node:module';
// CommonJS modules never reach the resolve hook: they are counted in the require cache.
const cjs = createRequire(import.meta.url).cache;
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const seen = new Set();
port1.on('message', (url) => seen.add(url));
port1.unref();
register('./hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
${frameworkImport}
await new Promise((resolve) => setTimeout(resolve, 50));
const before = seen.size + Object.keys(cjs).length;
const beforeUrls = new Set([...seen, ...Object.keys(cjs)]);
const started = performance.now();
${subject.auth ? `const auth = await import('${subject.auth}');` : ''}
const importMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 50));
const modules = seen.size + Object.keys(cjs).length - before;
const byPackage = {};
for (const url of [...seen, ...Object.keys(cjs)]) {
  if (beforeUrls.has(url)) continue;
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(url);
  const name = match ? match[1] : 'other';
  byPackage[name] = (byPackage[name] ?? 0) + 1;
}
${subject.setup}
${listen}
globalThis.gc?.();
console.log(JSON.stringify({ importMs, modules, byPackage, rss: process.memoryUsage().rss }));
process.exit(0);`;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One subject's figures. */
export interface FootprintRow {
  readonly name: string;
  readonly installedBytes: number;
  readonly modules: number;
  readonly importMs: number;
  readonly rssBytes: number;
  /** Modules the import loaded, per package (the first run's). */
  readonly modulesByPackage: Readonly<Record<string, number>>;
  /** nevertrust only: `zod/mini` imported alone into the same app (modules, import time, RSS). */
  readonly zod?: {
    readonly installedBytes: number;
    readonly modules: number;
    readonly importMs: number;
    readonly rssBytes: number;
  };
}

interface ProbeRun {
  importMs: number;
  modules: number;
  byPackage: Record<string, number>;
  rss: number;
}

/** Runs `script` in `dir` in 5 fresh processes. */
function probeRuns(dir: string, script: string): ProbeRun[] {
  return Array.from(
    { length: 5 },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', script], { cwd: dir, encoding: 'utf8' }),
      ) as ProbeRun,
  );
}

function measure(root: string, subject: Subject, tarballs: Map<string, string>): FootprintRow {
  const dir = join(root, subject.name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  const local = subject.auth?.startsWith('@nevertrust/')
    ? {
        '@nevertrust/core': `file:${tarballs.get('@nevertrust/core')}`,
        [subject.auth]: `file:${tarballs.get(subject.auth)}`,
      }
    : {};
  const manifest = {
    name: 'footprint',
    private: true,
    type: 'module',
    dependencies: { ...subject.dependencies, ...local },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], {
    cwd: dir,
  });
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(join(dir, 'probe.mjs'), probe(subject));
  const installedBytes = Number(
    execFileSync('du', ['-sb', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0],
  );
  const runs = probeRuns(dir, 'probe.mjs');
  let zod: FootprintRow['zod'];
  if (subject.auth?.startsWith('@nevertrust/')) {
    writeFileSync(join(dir, 'probe-zod.mjs'), probe({ ...subject, auth: 'zod/mini', setup: '' }));
    const zodRuns = probeRuns(dir, 'probe-zod.mjs');
    zod = {
      installedBytes: Number(
        execFileSync('du', ['-sb', 'node_modules/zod'], { cwd: dir, encoding: 'utf8' }).split('\t')[0],
      ),
      modules: median(zodRuns.map((run) => run.modules)),
      importMs: median(zodRuns.map((run) => run.importMs)),
      rssBytes: median(zodRuns.map((run) => run.rss)),
    };
  }
  const packages = Object.entries(runs[0]?.byPackage ?? {}).sort(([, a], [, b]) => b - a);
  return {
    name: subject.name,
    installedBytes,
    modules: median(runs.map((run) => run.modules)),
    importMs: median(runs.map((run) => run.importMs)),
    rssBytes: median(runs.map((run) => run.rss)),
    modulesByPackage: Object.fromEntries(packages),
    ...(zod ? { zod } : {}),
  };
}

/** Measures every subject; writes `bench/results/footprint.{json,md}`. */
export function runFootprint(log: (line: string) => void): readonly FootprintRow[] {
  const root = mkdtempSync(join(tmpdir(), 'nevertrust-footprint-'));
  try {
    const tarballs = packAll(join(root, 'tarballs')) as Map<string, string>;
    const rows = SUBJECTS.map((subject) => {
      log(`footprint: ${subject.name}…`);
      return measure(root, subject, tarballs);
    });
    const results = join(BENCH_DIR, 'results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'footprint.json'), `${JSON.stringify(rows, null, 2)}\n`);
    writeFileSync(join(results, 'footprint.md'), `${footprintMarkdown(rows)}\n`);
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
