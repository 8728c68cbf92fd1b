/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`): the functions with the most self
 * time and the most inclusive time, as shares of the sampled time.
 *
 * Usage: `node --import tsx src/profile-summary.ts <file.cpuprofile | directory> [top=30]`; for a directory
 * (one per server process, one profile per thread) the busiest profile — the main thread — is summarised.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self and inclusive time per function, as percentages, largest first. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly self: readonly (readonly [string, number])[];
  readonly inclusive: readonly (readonly [string, number])[];
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/**
 * Summarises a parsed CPU profile.
 *
 * @example
 * ```ts
 * const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), 30);
 * ```
 */
export function summariseProfile(profile: CpuProfile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const time = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...time.values()].reduce((sum, value) => sum + value, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, spent] of time) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(label(node), (self.get(label(node)) ?? 0) + spent);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const ancestor = byId.get(current);
      if (!ancestor) break;
      const name = label(ancestor);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + spent);
    }
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, spent]) => [name, (100 * spent) / total] as const);
  return { totalMs: total / 1000, self: ranked(self), inclusive: ranked(inclusive) };
}

/**
 * The profile of a file, or the busiest (least idle) profile of a directory: the main thread.
 *
 * @example
 * ```ts
 * summariseProfile(busiestProfile('results/profiles/koa-ES256-nevertrust-r1'), 30);
 * ```
 */
export function busiestProfile(path: string): CpuProfile {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(path, name))
    : [path];
  const profiles = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const idle = (profile: CpuProfile) => {
    const ids = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    return profile.samples.filter((id) => !ids.has(id)).length;
  };
  const [first] = profiles.sort((a, b) => idle(b) - idle(a));
  if (!first) throw new Error(`no .cpuprofile in ${path}`);
  return first;
}

const [path, top] = process.argv.slice(2);
if (path && import.meta.url.endsWith('profile-summary.ts')) {
  const summary = summariseProfile(busiestProfile(path), Number(top ?? 30));
  console.log(`sampled ${summary.totalMs.toFixed(0)} ms`);
  for (const [title, rows] of [
    ['self time', summary.self],
    ['inclusive time', summary.inclusive],
  ] as const) {
    console.log(`\n${title}:`);
    for (const [name, share] of rows) console.log(`${share.toFixed(1).padStart(6)} %  ${name}`);
  }
}
