import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import {
  Errors,
  IS_PUBLIC,
  requestContext,
  REQUIRED_PERMISSIONS,
  RequestWithPrincipal,
  REQUIRES_RECENT_AUTHENTICATION,
} from '@identity/common';
import { grants, RbacService } from '@identity/rbac';
import { AccessTokenService, SessionsService } from '@identity/sessions';
import { ReauthenticationService, reauthenticationRequired } from './account/reauthentication.service';

/**
 * Global guard: every route needs a valid bearer access token unless marked @Public(). A token
 * whose session was revoked (logout, reuse detection, password change) or whose user was
 * deactivated is refused even before it expires. Routes with @RequirePermissions() also need
 * the caller's current roles to grant them; routes with @RequiresRecentAuthentication() a session
 * that authenticated within REAUTH_WINDOW (checked after permissions, so a caller without them
 * learns nothing about their session).
 */
/** What a route asks of its caller, read from its decorators. */
interface RouteRule {
  isPublic: boolean;
  permissions: string[];
  recentAuthentication: boolean;
}

@Injectable()
export class AccessTokenGuard implements CanActivate {
  /** Per controller class and handler: decorators do not change once the app is built. */
  private readonly rules = new WeakMap<object, Map<object, RouteRule>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
    private readonly sessions: SessionsService,
    private readonly rbac: RbacService,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.ruleOf(context);
    if (rule.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw Errors.unauthenticated();
    const claims = this.tokens.verify(token);
    if (!claims) throw Errors.invalidToken();
    const found = this.sessions.findUsable(claims.sid, claims.sub);
    const session = found instanceof Promise ? await found : found;
    if (!session) throw Errors.invalidToken('The session of this access token has ended.');
    request.principal = { userId: claims.sub, sessionId: claims.sid, roles: Array.isArray(claims.roles) ? claims.roles : [] };
    requestContext.identify(claims.sub, claims.sid);
    const required = rule.permissions;
    if (required.length) {
      // Roles in the token may be stale; permissions are checked against the current ones.
      const access = await this.rbac.access(claims.sub);
      request.principal.roles = access.roles;
      if (!grants(access.permissions, required)) throw Errors.forbidden(`This needs the permission(s): ${required.join(', ')}.`);
    }
    if (rule.recentAuthentication && !this.reauthentication.isRecent(session)) throw reauthenticationRequired();
    return true;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const [handler, controller] = [context.getHandler(), context.getClass()];
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new Map()));
    let rule = byHandler.get(handler);
    if (!rule) {
      const targets = [handler, controller];
      rule = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        permissions: this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_PERMISSIONS, targets) ?? [],
        recentAuthentication: this.reflector.getAllAndOverride<boolean>(REQUIRES_RECENT_AUTHENTICATION, targets) ?? false,
      };
      byHandler.set(handler, rule);
    }
    return rule;
  }
}

/** The JWT of an `Authorization: Bearer` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/.exec(header.trim());
  return match ? match[1] : null;
}
