/** What a benchmark server is: one framework, one authentication variant, one algorithm. */
import type { Identity } from '../fixtures.js';
import type { BenchAlgorithm } from '../profiles.js';

/**
 * The frameworks measured.
 *
 * @example
 * ```ts
 * for (const framework of FRAMEWORKS) console.log(VARIANTS[framework]);
 * ```
 */
export const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'nest-express', 'nest-fastify'] as const;
/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * The variants per framework: no authentication, nevertrust, the reference verifier (bare `node:crypto`
 * verify + claim checks) and the framework's peers.
 *
 * @example
 * ```ts
 * VARIANTS.koa; // ['none', 'nevertrust', 'reference', 'koa-jwt + jwks-rsa']
 * ```
 */
export const VARIANTS: Readonly<Record<Framework, readonly string[]>> = {
  express: ['none', 'nevertrust', 'reference', 'express-oauth2-jwt-bearer', 'express-jwt + jwks-rsa'],
  koa: ['none', 'nevertrust', 'reference', 'koa-jwt + jwks-rsa'],
  fastify: ['none', 'nevertrust', 'reference', '@fastify/jwt'],
  hono: ['none', 'nevertrust', 'reference', 'hono/jwk'],
  // NestJS on each platform: the reference runs where NevertrustModule puts its adapter, in the platform.
  'nest-express': ['none', 'nevertrust', 'reference', '@nestjs/passport + passport-jwt + jwks-rsa'],
  'nest-fastify': ['none', 'nevertrust', 'reference', '@nestjs/passport + passport-jwt + jwks-rsa'],
};

/** Settings of one server process. */
export interface AppSettings {
  readonly framework: Framework;
  readonly variant: string;
  readonly alg: BenchAlgorithm;
  readonly identity: Identity;
  /** The public JWK of `alg`, for the variants configured with a static key. */
  readonly jwk: Record<string, unknown>;
}

/** A listening server. */
export interface RunningApp {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The response body of every variant: the same bytes whatever authenticated the request.
 *
 * @example
 * ```ts
 * res.json(BODY);
 * ```
 */
export const BODY = { ok: true } as const;
