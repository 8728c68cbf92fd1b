/**
 * @nevertrust/nestjs — zero-trust access-token verification for NestJS, on `@nestjs/platform-express` and
 * `@nestjs/platform-fastify`. It translates; the core decides: a global guard, Nest-style decorators, and
 * the platform's nevertrust adapter in front of the application, so every request is decided before any
 * of the application's code runs and refusals are the core's RFC 6750 responses.
 *
 * @example
 * ```ts
 * @Module({ imports: [NevertrustModule.forRoot({ issuers: [{ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }] })], controllers: [OrdersController] })
 * export class AppModule {}
 *
 * @Controller('orders')
 * export class OrdersController {
 *   @Get() @RequireScopes('orders:read') list(@CurrentPrincipal() principal: Principal) { … }
 * }
 * ```
 *
 * @packageDocumentation
 */

// Everything an application uses from the core (requirement builders, types, errors), so that installing
// the module alone is enough.
export * from '@nevertrust/core';
export { coverage, type NestApplicationLike } from './coverage.js';
export { CurrentPrincipal, type CurrentPrincipalOptions } from './current-principal.js';
export {
  Public,
  REQUIREMENTS_METADATA,
  RequireAnyScope,
  type RequirementDecorator,
  RequireScopes,
  Requires,
} from './decorators.js';
export { DenialWritten, NevertrustDenialFilter } from './denial-filter.js';
export { NevertrustInstallation } from './installation.js';
export { NevertrustGuard } from './nevertrust.guard.js';
export { NEVERTRUST_OPTIONS, type NevertrustAsyncOptions, NevertrustModule } from './nevertrust.module.js';
export { RequirementIndex } from './requirement-index.js';
