/**
 * `NevertrustModule`: registers the global guard (deny by default: every controller handler needs a
 * valid access token unless marked `@Public()`), the filter that writes the core's refusals, and the
 * platform adapter in front of the application. Options come as a value (`forRoot`) or from a factory
 * with injected providers, e.g. `ConfigService` (`forRootAsync`).
 */
import {
  type DynamicModule,
  type FactoryProvider,
  Global,
  Module,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { NevertrustOptions } from '@nevertrust/core';
import { NevertrustDenialFilter } from './denial-filter.js';
import { install, NevertrustInstallation } from './installation.js';
import { NevertrustGuard } from './nevertrust.guard.js';

/** The injection token of the module's options. */
export const NEVERTRUST_OPTIONS = Symbol('nevertrust.options');

/** `forRootAsync`: the options from a factory, with the providers it needs. */
export interface NevertrustAsyncOptions {
  /** Modules exporting what `inject` names (e.g. `ConfigModule`). */
  readonly imports?: ModuleMetadata['imports'];
  /** Builds the options; may be async. */
  readonly useFactory: (...args: never[]) => NevertrustOptions | Promise<NevertrustOptions>;
  /** The providers handed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
}

/** The module; import it once, in the root module. */
@Global()
@Module({})
export class NevertrustModule {
  /**
   * With options known up front. A mistake in them stops start-up, naming the option.
   *
   * @example
   * ```ts
   * @Module({ imports: [NevertrustModule.forRoot({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] })] })
   * export class AppModule {}
   * ```
   */
  static forRoot(options: NevertrustOptions): DynamicModule {
    return moduleWith({ provide: NEVERTRUST_OPTIONS, useValue: options }, []);
  }

  /**
   * With options from a factory.
   *
   * @example
   * ```ts
   * NevertrustModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ issuers: [{ issuer: config.getOrThrow('ISSUER'), audience: config.getOrThrow('AUDIENCE') }] }),
   * });
   * ```
   */
  static forRootAsync(options: NevertrustAsyncOptions): DynamicModule {
    const { imports = [], inject = [], useFactory } = options;
    const provider: FactoryProvider = {
      provide: NEVERTRUST_OPTIONS,
      useFactory: useFactory as (...args: unknown[]) => NevertrustOptions,
      inject,
    };
    return moduleWith(provider, imports);
  }
}

/** The dynamic module: the options provider, the installation, the global guard and filter. */
function moduleWith(options: Provider, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
  return {
    module: NevertrustModule,
    global: true,
    imports,
    providers: [
      options,
      {
        provide: NevertrustInstallation,
        useFactory: install,
        inject: [NEVERTRUST_OPTIONS, HttpAdapterHost, ModulesContainer],
      },
      {
        provide: APP_GUARD,
        useFactory: (installation: NevertrustInstallation) => new NevertrustGuard(installation),
        inject: [NevertrustInstallation],
      },
      {
        provide: APP_FILTER,
        useFactory: (host: HttpAdapterHost) => new NevertrustDenialFilter(host),
        inject: [HttpAdapterHost],
      },
    ],
    exports: [NevertrustInstallation],
  };
}
