/**
 * The conformance API as a Nest application, built the way a Nest user would: controllers with the
 * module's decorators (`@Public()`, `@RequireScopes()`, `@RequireAnyScope()`), the application's own
 * middleware (`MiddlewareConsumer`) and parameter decorator where Express has `router.use` and
 * `router.param`, and an exception filter as the application's own 404. What Nest applications mount on
 * the platform itself (a proxy, static files, a sub-application) is mounted in `apps.ts`.
 */
import {
  type ArgumentsHost,
  Catch,
  Controller,
  createParamDecorator,
  Delete,
  type ExceptionFilter,
  type ExecutionContext,
  Get,
  HttpCode,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  NotFoundException,
  Post,
  Req,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import {
  CurrentPrincipal,
  NevertrustModule,
  type NevertrustOptions,
  type Principal,
  Public,
  RequireAnyScope,
  RequireScopes,
} from '@nevertrust/nestjs';

/** Records that application code ran for the request with this `x-case` header. */
export type RanRecorder = (caseId: string | undefined) => void;

interface AnyRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly params?: Record<string, string>;
}
const caseOf = (request: AnyRequest) => request.headers['x-case'] as string | undefined;

/** Express and Fastify responses: `status`/`code`, then `json`/`send`. */
interface AnyResponse {
  status?: (code: number) => AnyResponse;
  code?: (code: number) => AnyResponse;
  json?: (body: unknown) => void;
  send(body: unknown): void;
}

/** The root module of the conformance API on Nest; `ran` records every piece of application code. */
export function apiModule(options: NevertrustOptions, ran: RanRecorder) {
  const reply = (request: AnyRequest, principal: Principal | undefined) => {
    ran(caseOf(request));
    return { subject: principal?.subject ?? null };
  };
  // Application code that runs while Nest resolves a handler's parameters (Express: `router.param`).
  const OrderId = createParamDecorator((_data: unknown, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<AnyRequest>();
    ran(caseOf(request));
    return request.params?.id;
  });

  @Controller()
  class RootController {
    @Get('health')
    @Public()
    health(@Req() request: AnyRequest, @CurrentPrincipal({ optional: true }) principal?: Principal) {
      return reply(request, principal);
    }
    @Post('graphql')
    @HttpCode(200)
    graphql(@Req() request: AnyRequest, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
  }

  @Controller('api')
  class ApiController {
    @Get('status')
    @Public()
    status(@Req() request: AnyRequest, @CurrentPrincipal({ optional: true }) principal?: Principal) {
      return reply(request, principal);
    }
    @Get('me')
    me(@Req() request: AnyRequest, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
    @Get('orders')
    @RequireScopes('orders:read')
    list(@Req() request: AnyRequest, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
    @Post('orders')
    @HttpCode(200)
    @RequireScopes('orders:write')
    create(@Req() request: AnyRequest, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
    @Get('orders/:id')
    @RequireScopes('orders:read')
    one(@Req() request: AnyRequest, @OrderId() _id: string, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
    @Delete('orders/:id')
    @RequireScopes('orders:admin')
    remove(@Req() request: AnyRequest, @OrderId() id: string, @CurrentPrincipal() principal: Principal) {
      ran(caseOf(request));
      return { deleted: id, subject: principal.subject ?? null };
    }
    @Get('reports')
    @RequireAnyScope('reports:read', 'admin')
    reports(@Req() request: AnyRequest, @CurrentPrincipal() principal: Principal) {
      return reply(request, principal);
    }
  }

  /** The application's own answer to a request no route takes. */
  @Catch(NotFoundException)
  class NotFoundFilter implements ExceptionFilter {
    catch(_exception: NotFoundException, host: ArgumentsHost) {
      const http = host.switchToHttp();
      ran(caseOf(http.getRequest<AnyRequest>()));
      const response = http.getResponse<AnyResponse>();
      const answer = response.code ? response.code(404) : (response.status?.(404) as AnyResponse);
      if (answer.json) answer.json({ error: 'not_found' });
      else answer.send({ error: 'not_found' });
    }
  }

  @Module({
    imports: [NevertrustModule.forRoot(options)],
    // The API's routes first, as the other apps register them (strict mode names the first bare route).
    controllers: [ApiController, RootController],
    providers: [{ provide: APP_FILTER, useClass: NotFoundFilter }],
  })
  class ApiModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer
        .apply((request: AnyRequest, _response: unknown, next: () => void) => {
          ran(caseOf(request));
          next();
        })
        .forRoutes('api/{*path}');
    }
  }
  return ApiModule;
}
