/**
 * The route decorators of @nevertrust/nestjs, in Nest's own style: each records a requirement with
 * `SetMetadata` under one key, on a handler or on a controller, where {@link RequirementIndex} reads it
 * back with Nest's `Reflector`. They are legacy (`experimentalDecorators`) decorators, as Nest expects;
 * the TC39 decorators of the other adapters do not compile in a Nest application (TS1241).
 */
import { SetMetadata } from '@nestjs/common';
import {
  publicRoute,
  type Requirement,
  type RequirementLike,
  requireAnyScope,
  requireScopes,
} from '@nevertrust/core';
import { assertRequirement } from '@nevertrust/core/adapter';

/** The metadata key every decorator of this package writes: the list of requirements stated there. */
export const REQUIREMENTS_METADATA = 'nevertrust:requirements';

/** A decorator for a controller class or a handler method. */
export type RequirementDecorator = ClassDecorator & MethodDecorator;

/** The requirements already stated on `target` (several decorators on one handler add up). */
function statedOn(target: object): readonly Requirement[] {
  return (Reflect.getMetadata(REQUIREMENTS_METADATA, target) as Requirement[] | undefined) ?? [];
}

/** Adds `requirement` to what the class or method states; a bad requirement fails at class definition. */
function stating(requirement: RequirementLike, what: string): RequirementDecorator {
  const checked = assertRequirement(requirement, what);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = (descriptor?.value ?? target) as object;
    const decorate = SetMetadata(REQUIREMENTS_METADATA, [...statedOn(where), checked]);
    if (descriptor) decorate(target, _key as string | symbol, descriptor);
    else decorate(target as () => unknown);
  };
}

/**
 * The explicit public marker: the handler (or every handler of the controller) may be called without
 * credentials; invalid credentials are still refused. On a handler of a controller that states a
 * requirement, the controller's requirement still applies (they combine with `and`).
 *
 * @example
 * ```ts
 * @Get('health') @Public() health() { return { ok: true }; }
 * ```
 */
export function Public(): RequirementDecorator {
  return stating(publicRoute(), '@Public()');
}

/**
 * Requires every listed scope.
 *
 * @example
 * ```ts
 * @Post() @RequireScopes('orders:write') create(@Body() order: NewOrder) { … }
 * ```
 */
export function RequireScopes(...scopes: string[]): RequirementDecorator {
  return stating(requireScopes(...scopes), '@RequireScopes()');
}

/**
 * Requires at least one of the listed scopes.
 *
 * @example
 * ```ts
 * @Get() @RequireAnyScope('reports:read', 'admin') list() { … }
 * ```
 */
export function RequireAnyScope(...scopes: string[]): RequirementDecorator {
  return stating(requireAnyScope(...scopes), '@RequireAnyScope()');
}

/**
 * Any requirement of the policy language (`and(requireRoles('admin'), requireScopes('x'))`, one from
 * the policy table or configuration).
 *
 * @example
 * ```ts
 * @Delete(':id') @Requires(and(requireRoles('admin'), requireAuthentication({ maxAgeSeconds: 300 }))) remove() { … }
 * ```
 */
export function Requires(requirement: RequirementLike): RequirementDecorator {
  return stating(requirement, '@Requires()');
}
