import { DynamicModule, ForwardReference, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { LoginMethod, LoginMethodDescriptor, PROVIDER_CAPABILITIES } from './login-method';

type ModuleEntry = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

const PROVIDER_ID = /^[a-z][a-z0-9_]{1,48}$/;
/** Provider routes live under /auth (sign-in flows) or /me (the provider's own account routes). */
const PROVIDER_ROUTE_PREFIXES = ['auth/', 'me/'];

interface Route {
  method: string;
  path: string;
  owner: string;
}

/** What the plug-in contract demands of a descriptor; an empty list means it complies. */
export function contractProblems(descriptor: LoginMethodDescriptor | undefined): string[] {
  if (!descriptor) return ['missing @LoginMethod descriptor'];
  const problems: string[] = [];
  if (!PROVIDER_ID.test(descriptor.id ?? '')) problems.push(`id "${descriptor.id}" must be snake_case`);
  if (!descriptor.displayName?.trim()) problems.push('displayName is required');
  if (!['password', 'otp', 'oauth', 'id-token'].includes(descriptor.kind))
    problems.push(`kind "${descriptor.kind}" is not one of password, otp, oauth, id-token`);
  if (!descriptor.supports?.length) problems.push('supports must list at least one capability');
  if (descriptor.supports?.some((capability) => !(PROVIDER_CAPABILITIES as readonly string[]).includes(capability))) {
    problems.push(`supports has an unknown capability: ${descriptor.supports.join(', ')}`);
  }
  return problems;
}

/**
 * Checks the application's module graph before anything starts (no connection is opened yet):
 * every login method's descriptor complies, no two methods share an id, methods that share a
 * module's routes can each recognise their own requests, provider routes stay under /auth and
 * /me, and no two routes anywhere collide. Throws naming the culprits.
 */
export function assertPluginContract(imports: ModuleEntry[], controllers: Type[] = []): void {
  const modules = collectModules(imports);
  const seenIds = new Set<string>();
  const problems: string[] = [];
  for (const module of modules) {
    const methods = module.providers.map(loginMethodOf).filter((method): method is DeclaredMethod => method !== undefined);
    // Routes shared by several methods are attributed per request, which only the methods can do.
    const sharesRoutes = methods.length > 1 && module.controllers.length > 0;
    for (const { descriptor, type } of methods) {
      const own = contractProblems(descriptor);
      if (seenIds.has(descriptor.id)) own.push(`provider id "${descriptor.id}" is declared twice`);
      seenIds.add(descriptor.id);
      if (sharesRoutes && typeof type.prototype.handles !== 'function')
        own.push("shares its module's routes with another method but does not implement handles(request)");
      for (const route of module.controllers.flatMap(routesOf)) {
        if (!PROVIDER_ROUTE_PREFIXES.some((prefix) => route.path.startsWith(prefix)))
          own.push(`route ${route.method} /${route.path} is outside /auth and /me`);
      }
      if (own.length) problems.push(`login method ${descriptor.id}: ${own.join('; ')}`);
    }
  }
  const routes = new Map<string, string>();
  for (const controller of [...controllers, ...modules.flatMap((module) => module.controllers)]) {
    for (const route of routesOf(controller)) {
      const key = `${route.method} /${route.path}`;
      const previous = routes.get(key);
      if (previous && previous !== route.owner) problems.push(`route ${key} is declared by both ${previous} and ${route.owner}`);
      routes.set(key, route.owner);
    }
  }
  if (problems.length) throw new Error(`login method plug-in contract violated:\n  ${problems.join('\n  ')}`);
}

interface ModuleParts {
  providers: unknown[];
  controllers: Type[];
}

function collectModules(entries: ModuleEntry[], seen = new Set<unknown>()): ModuleParts[] {
  const found: ModuleParts[] = [];
  for (const entry of entries) {
    // Async and forward-referenced modules cannot be inspected statically; none provides a login method.
    if (!entry || seen.has(entry) || entry instanceof Promise || 'forwardRef' in entry) continue;
    seen.add(entry);
    const type = typeof entry === 'function' ? entry : entry.module;
    const dynamic: Partial<DynamicModule> = typeof entry === 'function' ? {} : entry;
    const metadata = (key: string) => (Reflect.getMetadata(key, type) ?? []) as unknown[];
    found.push({
      providers: [...metadata(MODULE_METADATA.PROVIDERS), ...(dynamic.providers ?? [])],
      controllers: [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic.controllers ?? [])] as Type[],
    });
    found.push(...collectModules([...metadata(MODULE_METADATA.IMPORTS), ...(dynamic.imports ?? [])] as ModuleEntry[], seen));
  }
  return found;
}

interface DeclaredMethod {
  descriptor: LoginMethodDescriptor;
  type: Type;
}

function loginMethodOf(provider: unknown): DeclaredMethod | undefined {
  const type = typeof provider === 'function' ? provider : (provider as { useClass?: unknown })?.useClass;
  if (typeof type !== 'function') return undefined;
  const descriptor: LoginMethodDescriptor | undefined = Reflect.getMetadata(LoginMethod.KEY, type);
  return descriptor ? { descriptor, type: type as Type } : undefined;
}

function joinPath(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');
}

/** The routes a controller declares, as `METHOD path` without the global prefix. */
export function routesOf(controller: Type): Route[] {
  const bases = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
  const routes: Route[] = [];
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = controller.prototype[name];
    if (name === 'constructor' || typeof handler !== 'function') continue;
    const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
    const paths = Reflect.getMetadata(PATH_METADATA, handler);
    if (method === undefined || paths === undefined) continue;
    for (const base of bases) {
      for (const path of [paths].flat() as string[])
        routes.push({ method: RequestMethod[method], path: joinPath(base, path), owner: `${controller.name}.${name}` });
    }
  }
  return routes;
}
