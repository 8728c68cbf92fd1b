#!/usr/bin/env node
// One entry point behind `npm test`, `npm run demo`, `npm run bench`, `npm run build` and `npm run pack`.
// It installs what a fresh clone lacks (pnpm in .tools/, the workspace packages), builds the
// packages, then runs the requested step. Only Node and npm need to be present beforehand.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '12.4.2';
const toolsDir = join(root, '.tools');
const pnpmBin = join(toolsDir, 'node_modules', '.bin', 'pnpm');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function mustRun(command, args, options) {
  const status = run(command, args, options);
  if (status !== 0) {
    console.error(`\n✖ ${[command, ...args].join(' ')} exited with ${status}`);
    process.exit(status);
  }
}

function ensurePnpm() {
  if (existsSync(pnpmBin)) return;
  console.log(`› installing pnpm ${PNPM_VERSION} into .tools/ (once)`);
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(join(toolsDir, 'package.json'), '{ "private": true }\n');
  mustRun('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${PNPM_VERSION}`], {
    cwd: toolsDir,
  });
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function ensureInstall() {
  // pnpm leaves its own files untouched when nothing changed, so a stamp of our own marks the last install.
  const marker = join(root, 'node_modules', '.nevertrust-installed');
  const inputs = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml'].map((f) => mtime(join(root, f)));
  if (mtime(marker) >= Math.max(...inputs)) return;
  console.log('› installing workspace packages');
  const frozen = process.env.CI ? ['--frozen-lockfile'] : [];
  mustRun(pnpmBin, ['install', '--reporter=append-only', ...frozen]);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}

// The shared-store tests (@nevertrust/redis), the demo and the benchmark run a real redis-server. A clean Debian machine
// lacks it: install it from Debian's packages, refreshing the package lists only when the first try
// fails. Without it the step stops here, loudly: those tests never skip.
function ensureRedisServer() {
  const present = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (present()) return;
  console.log('› installing redis-server (once), for the shared stores (@nevertrust/redis)');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', 'redis-server'], { env: aptEnv });
  if (install() !== 0) {
    run('apt-get', ['update', '-q'], { env: aptEnv });
    install();
  }
  if (!present()) {
    console.error('\n✖ redis-server is missing and `apt-get install -y redis-server` did not install it');
    process.exit(1);
  }
}

function build() {
  mustRun(pnpmBin, ['exec', 'tsc', '-b', 'tsconfig.json']);
}

const steps = {
  build() {
    build();
  },
  test(args) {
    ensureRedisServer();
    build();
    mustRun(pnpmBin, ['exec', 'biome', 'ci', '.']);
    mustRun(pnpmBin, ['exec', 'vitest', 'run', ...args]);
  },
  demo(args) {
    // The tour's many-instances step runs two API instances on one redis-server it starts itself.
    ensureRedisServer();
    build();
    // The demo runs from its build output (dist/), exactly as the published packages would be used.
    mustRun(process.execPath, [join(root, 'examples', 'demo', 'dist', 'main.js'), ...args]);
  },
  bench(args) {
    // The benchmark measures the Redis stores on a redis-server it starts itself.
    ensureRedisServer();
    build();
    mustRun(pnpmBin, ['--filter', '@nevertrust/bench', 'run', 'bench', ...args]);
  },
  pack(args) {
    // From a clean build: files tsc no longer writes (a moved module) must not be packed.
    for (const entry of readdirSync(join(root, 'packages'))) {
      rmSync(join(root, 'packages', entry, 'dist'), { recursive: true, force: true });
    }
    build();
    mustRun(process.execPath, [join(root, 'scripts', 'pack.mjs'), ...args]);
  },
  lint() {
    mustRun(pnpmBin, ['exec', 'biome', 'check', '.']);
  },
};

const [stepName, ...rest] = process.argv.slice(2);
const step = steps[stepName ?? ''];
if (!step) {
  console.error(`usage: node scripts/run.mjs <${Object.keys(steps).join('|')}> [args…]`);
  process.exit(2);
}
ensurePnpm();
ensureInstall();
step(rest);
