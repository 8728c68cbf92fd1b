/** Where and how a benchmark ran: the context every figure needs. */
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { versionOf } from './peers.js';
import type { Profile } from './profiles.js';

/** Machine and run description, stored with the figures. */
export interface RunInfo {
  readonly profile: Profile['name'];
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverageStart: string;
  readonly loadAverageEnd: string;
  readonly pinning: string;
  readonly connections: number;
  readonly settings: string;
  readonly versions: string;
}

/**
 * The 1-minute load average, as text.
 *
 * @example
 * ```ts
 * loadAverage(); // '0.42'
 * ```
 */
export function loadAverage(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}

/**
 * Describes the machine and the run.
 *
 * @example
 * ```ts
 * const info = describeRun(profile, started, loadAtStart, pinning.note);
 * ```
 */
export function describeRun(
  profile: Profile,
  startedAt: Date,
  loadAverageStart: string,
  pinning: string,
): RunInfo {
  const list = cpus();
  const versions = [
    ['express', undefined],
    ['koa', undefined],
    ['fastify', undefined],
    ['hono', undefined],
    ['@hono/node-server', undefined],
    ['autocannon', undefined],
    ['jose', undefined],
    ['express-oauth2-jwt-bearer', undefined],
    ['express-jwt', undefined],
    ['jwks-rsa', undefined],
    ['koa-jwt', undefined],
    ['@fastify/jwt', undefined],
    ['@nestjs/core', undefined],
    ['@nestjs/passport', undefined],
    ['passport-jwt', undefined],
    ['fast-jwt', '@fastify/jwt'],
    ['jsonwebtoken', 'express-jwt'],
  ] as const;
  return {
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    cpuModel: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.versions.node,
    loadAverageStart,
    loadAverageEnd: loadAverage(),
    pinning,
    connections: profile.http.connections,
    settings:
      `${profile.http.rounds} round(s) × ${profile.http.windowMs} ms per token mode (warm-up ${profile.http.warmupMs} ms), ` +
      `HTTP with ${profile.http.algorithms.join(' and ')}, ` +
      `micro ${profile.micro.samples} samples × ≤${profile.micro.sampleMs} ms per case, ` +
      `${profile.freshTokens} fresh tokens per algorithm`,
    versions: versions.map(([name, via]) => `${name} ${versionOf(name, via)}`).join(', '),
  };
}
