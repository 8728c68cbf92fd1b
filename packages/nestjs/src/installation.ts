/**
 * The one nevertrust installation of a Nest application: the guard, the requirement index shared by the
 * request hook and the Nest guard, and the platform adapter in front of the application. Created while
 * Nest creates the application (a provider factory), so the platform adapter is in place before Nest
 * registers body parsers, middleware and routes.
 */
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { type HttpAdapterHost, type ModulesContainer, Reflector } from '@nestjs/core';
import type { CoverageReport, Guard, NevertrustOptions } from '@nevertrust/core';
import { type DenialMode, resolveAdapterOptions } from '@nevertrust/core/adapter';
import { assertPlatform, installPlatform, type Platform } from './platforms.js';
import { RequirementIndex } from './requirement-index.js';
import { stampRoutes } from './route-stamps.js';

/**
 * What `NevertrustModule` installed; inject it (or `app.get(NevertrustInstallation)`) to reach the guard,
 * e.g. to `ready()` it before listening.
 */
export class NevertrustInstallation implements OnModuleInit, OnModuleDestroy {
  /** The guard deciding every request. */
  readonly guard: Guard;
  /** How refusals leave: written (`'respond'`) or raised (`'error'`). */
  readonly denials: DenialMode;
  /** What each handler requires (controller and handler requirements combined). */
  readonly requirements: RequirementIndex;
  readonly #platform: Platform;
  readonly #ownsGuard: boolean;

  constructor(
    guard: Guard,
    denials: DenialMode,
    ownsGuard: boolean,
    index: RequirementIndex,
    platform: Platform,
  ) {
    this.guard = guard;
    this.denials = denials;
    this.#ownsGuard = ownsGuard;
    this.requirements = index;
    this.#platform = platform;
  }

  /** Nest calls it once the routes are registered. */
  onModuleInit(): void {
    this.#platform.routesRegistered();
  }

  /** Closes the guard when the module created it (not one passed as `{ guard }`). */
  async onModuleDestroy(): Promise<void> {
    if (this.#ownsGuard) await this.guard.close();
  }

  /** Every route the platform's router holds, with its requirement. */
  coverage(): CoverageReport {
    return this.#platform.coverage();
  }
}

/**
 * Validates the options (a mistake stops start-up, naming the option), stamps every controller route
 * with its requirement and installs the platform adapter.
 *
 * @example
 * ```ts
 * { provide: NevertrustInstallation, useFactory: install, inject: [NEVERTRUST_OPTIONS, HttpAdapterHost, ModulesContainer] }
 * ```
 */
export async function install(
  options: NevertrustOptions,
  host: HttpAdapterHost,
  modules: ModulesContainer,
): Promise<NevertrustInstallation> {
  const adapter = host.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
  const type = adapter?.getType();
  // Before the guard exists (it starts fetching keys): an application on another platform fails here.
  assertPlatform(type);
  const settings = resolveAdapterOptions(options, type === 'fastify' ? 'flag' : 'handler');
  const index = new RequirementIndex(new Reflector());
  stampRoutes(modules, index, String(type));
  const platform = await installPlatform(adapter as NonNullable<typeof adapter>, settings);
  return new NevertrustInstallation(settings.guard, settings.denials, settings.ownsGuard, index, platform);
}
