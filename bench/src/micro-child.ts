/** One micro case in a process of its own, pinned to the server core; the parent asks for each sample. */
import { readFileSync } from 'node:fs';
import { serveParent } from './child.js';
import { dpopCase } from './dpop-case.js';
import type { Identity, TokenSet } from './fixtures.js';
import { introspectionCase } from './introspection-case.js';
import { MICRO_CASES, microCases } from './micro.js';
import { certificateBoundCase } from './mtls-case.js';
import type { BenchAlgorithm, Profile } from './profiles.js';
import type { RedisCaseName } from './redis-case.js';
import { type CaseSampler, createCaseSampler, type MicroCase } from './sampler.js';

let sampler: CaseSampler | undefined;
/** Commands the case's Redis client has sent so far (Redis cases only). */
let sentCommands: (() => number) | undefined;

/** The case named `name`: the ones with costly set-up are built alone. */
async function chooseCase(
  alg: BenchAlgorithm,
  name: string,
  identity: Identity,
  jwk: Record<string, unknown>,
  tokens: TokenSet,
  redisPort: number | undefined,
): Promise<MicroCase | undefined> {
  // Only the Redis stage passes a port; the other cases never load ioredis (a smaller, faster child).
  if (redisPort !== undefined) {
    const { redisCase } = await import('./redis-case.js');
    const built = await redisCase(name as RedisCaseName, identity, tokens.same, redisPort);
    sentCommands = built.sent;
    return built.case;
  }
  switch (name) {
    // As many proofs as fresh tokens: the same budget as the miss case.
    case MICRO_CASES.dpop:
      return (await dpopCase(name, identity, tokens.dpop, tokens.fresh.length)).case;
    case MICRO_CASES.certificateBound:
      return (await certificateBoundCase(name, identity, tokens.certificateBound)).case;
    case MICRO_CASES.introspectionCold:
    case MICRO_CASES.introspectionCached: {
      const mode = name === MICRO_CASES.introspectionCold ? 'cold' : 'cached';
      return (await introspectionCase(name, mode, identity, identity.introspection, tokens.opaque)).case;
    }
    default:
      return (await microCases(alg, identity, jwk, tokens)).cases.find((c) => c.name === name);
  }
}

serveParent(async (message) => {
  switch (message.type) {
    case 'setup': {
      const { alg, name, identity, jwk, tokenFile, settings, redisPort } = message as unknown as {
        alg: BenchAlgorithm;
        name: string;
        identity: Identity;
        jwk: Record<string, unknown>;
        tokenFile: string;
        settings: Profile['micro'];
        /** Set for the Redis cases: the parent's redis-server. */
        redisPort?: number;
      };
      const tokens = JSON.parse(readFileSync(tokenFile, 'utf8')) as TokenSet;
      const chosen = await chooseCase(alg, name, identity, jwk, tokens, redisPort);
      if (!chosen) throw new Error(`no micro case named ${name}`);
      sampler = createCaseSampler(chosen, settings);
      return {};
    }
    case 'sent':
      return { sent: sentCommands?.() ?? 0 };
    case 'warmup':
      await sampler?.warmUp();
      return {};
    case 'sample':
      if (!sampler) throw new Error('sample before setup');
      return { sample: await sampler.sample(), sent: sentCommands?.() ?? 0 };
    default:
      throw new Error(`unknown message ${String(message.type)}`);
  }
});
