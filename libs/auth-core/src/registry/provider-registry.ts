import { Inject, Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Errors, newId } from '@identity/common';
import { isUniqueViolation, PreparedStatement } from '@identity/database';
import { authCoreConfig } from '../auth-core.config';
import { AuthProviderEntity } from '../auth-provider.entity';
import { DEFAULT_PROVIDER_ROWS } from './default-providers';
import { LoginMethod, LoginMethodDescriptor, LoginMethodProvider, LoginMethodRequest, ProviderCapability } from './login-method';

interface RegisteredMethod {
  descriptor: LoginMethodDescriptor;
  instance: LoginMethodProvider;
}

function capabilitiesOf({ descriptor, instance }: RegisteredMethod): ProviderCapability[] {
  const enabled = instance.enabledCapabilities?.();
  return enabled ? descriptor.supports.filter((capability) => enabled.includes(capability)) : descriptor.supports;
}

/** A login method as an admin sees it. */
export interface LoginMethodStatus {
  row: AuthProviderEntity;
  mounted: boolean;
  configured: boolean;
}

/**
 * Knows every login method mounted in this process. It discovers them through the @LoginMethod
 * marker, so the core never imports a concrete provider. (The module graph was already checked
 * against the plug-in contract by assertPluginContract before the application was built.)
 *
 * A method is usable when it is mounted (declared by a loaded module and named by
 * AUTH_PROVIDERS: a module declaring several methods is loaded when any of them is enabled, and
 * only those are mounted), configured (its own settings) and enabled (the admin switch in
 * auth_providers.is_enabled, read from the database on each use so every instance agrees at once).
 */
@Injectable()
export class ProviderRegistry implements OnModuleInit {
  private readonly logger = new Logger(ProviderRegistry.name);
  private readonly methods = new Map<string, RegisteredMethod>();
  /** Every method declared by a controller's module, mounted or not, so requests can be attributed. */
  private readonly controllerMethods = new Map<Type, RegisteredMethod[]>();
  private rowIds = new Map<string, string>();
  /** The admin switch, read by every request of a login method (see PreparedStatement). */
  private readonly switchOf = new PreparedStatement((manager) =>
    manager.createQueryBuilder(AuthProviderEntity, 'provider').select(['provider.id', 'provider.isEnabled']).where('provider.name = :name'),
  );

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectRepository(AuthProviderEntity) private readonly rows: Repository<AuthProviderEntity>,
    @Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    const enabled = this.config.enabledProviders;
    for (const wrapper of this.discovery.getProviders({ metadataKey: LoginMethod.KEY })) {
      const descriptor = this.discovery.getMetadataByDecorator(LoginMethod, wrapper)!;
      const method = { descriptor, instance: wrapper.instance as LoginMethodProvider };
      if (enabled === null || enabled.includes(descriptor.id)) this.methods.set(descriptor.id, method);
      for (const controller of wrapper.host?.controllers.values() ?? []) {
        const type = controller.metatype as Type | null;
        if (type) this.controllerMethods.set(type, [...(this.controllerMethods.get(type) ?? []), method]);
      }
    }
    await this.syncRows();
  }

  /** Methods clients may use now: mounted, configured and enabled. */
  async available(): Promise<LoginMethodDescriptor[]> {
    const candidates = [...this.methods.values()].filter((method) => method.instance.isConfigured());
    if (candidates.length === 0) return [];
    const enabled = await this.rows.findBy({ name: In(candidates.map((method) => method.descriptor.id)), isEnabled: true });
    const names = new Set(enabled.map((row) => row.name));
    return candidates
      .filter((method) => names.has(method.descriptor.id))
      .map((method) => ({ ...method.descriptor, supports: capabilitiesOf(method) }));
  }

  get(id: string): LoginMethodDescriptor | undefined {
    return this.methods.get(id)?.descriptor;
  }

  /** Whether a mounted method supports a flow right now (its descriptor, narrowed by its settings). */
  supports(id: string, capability: ProviderCapability): boolean {
    const method = this.methods.get(id);
    return method !== undefined && capabilitiesOf(method).includes(capability);
  }

  /**
   * The login methods a request to this controller may be for: none for core routes, the one
   * method of a single-method module, or, on routes several methods share, the one that says the
   * request is its own (all of them when none or several do, e.g. for a malformed body).
   */
  methodsFor(controller: Type, request: LoginMethodRequest): string[] {
    const owners = this.controllerMethods.get(controller) ?? [];
    if (owners.length <= 1) return owners.map((owner) => owner.descriptor.id);
    const claiming = owners.filter((owner) => owner.instance.handles?.(request) === true);
    return (claiming.length === 1 ? claiming : owners).map((owner) => owner.descriptor.id);
  }

  /** Whether a mounted method may serve a request right now. */
  async isUsable(id: string): Promise<boolean> {
    if (!this.methods.get(id)?.instance.isConfigured()) return false;
    const row = await this.switchOf.entity<AuthProviderEntity>(this.rows.manager, 'provider', { name: id });
    return row?.isEnabled === true;
  }

  async statuses(): Promise<LoginMethodStatus[]> {
    const rows = await this.rows.find({ order: { name: 'ASC' } });
    return rows.map((row) => ({ row, mounted: this.methods.has(row.name), configured: this.isConfigured(row.name) }));
  }

  /** Flips the admin switch; returns the updated status, or null for an unknown provider. */
  async setEnabled(id: string, enabled: boolean): Promise<LoginMethodStatus | null> {
    const row = await this.rows.findOneBy({ name: id });
    if (!row) return null;
    row.isEnabled = enabled;
    row.isActive = enabled && this.isConfigured(id);
    await this.rows.update({ id: row.id }, { isEnabled: row.isEnabled, isActive: row.isActive });
    return { row, mounted: this.methods.has(id), configured: this.isConfigured(id) };
  }

  /** The `auth_providers.id` for a provider name. */
  rowId(id: string): string {
    const rowId = this.rowIds.get(id);
    if (!rowId) throw Errors.notFound(`auth provider ${id}`);
    return rowId;
  }

  private isConfigured(id: string): boolean {
    return this.methods.get(id)?.instance.isConfigured() ?? false;
  }

  /**
   * Upserts a row per known method. The admin switch (is_enabled) of an existing row is never
   * changed here: a restart must not undo an admin's decision.
   */
  private async syncRows(): Promise<void> {
    const known = new Map<string, Omit<LoginMethodDescriptor, 'supports'>>(DEFAULT_PROVIDER_ROWS.map((row) => [row.id, row]));
    for (const { descriptor } of this.methods.values()) known.set(descriptor.id, descriptor);
    const active: string[] = [];
    for (const descriptor of known.values()) {
      const facts = { displayName: descriptor.displayName, kind: descriptor.kind, description: descriptor.description ?? null };
      let row = await this.rows.findOneBy({ name: descriptor.id });
      if (!row) {
        try {
          row = { id: newId(), name: descriptor.id, ...facts, isEnabled: true, isActive: false } as AuthProviderEntity;
          await this.rows.insert(row);
        } catch (error) {
          // Another instance booting at the same time inserted it first.
          if (!isUniqueViolation(error)) throw error;
          row = await this.rows.findOneByOrFail({ name: descriptor.id });
        }
      }
      const isActive = row.isEnabled && this.isConfigured(descriptor.id);
      await this.rows.update({ id: row.id }, { ...facts, isActive });
      if (isActive) active.push(descriptor.id);
      this.rowIds.set(descriptor.id, row.id);
    }
    this.logger.log(`login methods available: ${active.join(', ') || 'none'}`);
  }
}
