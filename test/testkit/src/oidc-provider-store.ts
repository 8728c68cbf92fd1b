/**
 * The storage adapter of the test provider: plain in-process maps with expiry, owned by one launcher. It
 * outlives provider instances, so a "restart" of the provider (new signing keys, or coming back after an
 * outage) keeps its grants, sessions and issued tokens, as a real deployment with a database would.
 */

interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
}

/** Everything one launcher stores, across provider restarts. */
export interface ProviderStore {
  /** The adapter constructor for oidc-provider's `adapter` option. */
  readonly Adapter: new (
    model: string,
  ) => ProviderAdapter;
}

/** The oidc-provider adapter interface (see its `lib/adapters/memory_adapter.js`). */
export interface ProviderAdapter {
  upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void>;
  find(id: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined>;
  findByUid(uid: string): Promise<Record<string, unknown> | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

// Models whose entries belong to a grant and go when it is revoked.
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode']);
// A test provider never needs more; the bound keeps a long soak from growing without limit.
const MAX_ENTRIES = 20_000;

/**
 * Creates a store for one launcher.
 *
 * @example
 * ```ts
 * const store = createProviderStore();
 * new Provider(issuer, { adapter: store.Adapter });
 * ```
 */
export function createProviderStore(): ProviderStore {
  const entries = new Map<string, Entry>();
  const index = new Map<string, string>();
  const grants = new Map<string, Set<string>>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    if (entries.size < MAX_ENTRIES) return;
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
    // Still full: drop the oldest insertions first (Map iteration order).
    for (const key of entries.keys()) {
      if (entries.size < MAX_ENTRIES) break;
      entries.delete(key);
    }
  };

  class Adapter implements ProviderAdapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string): string {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
      sweep();
      const key = this.#key(id);
      entries.set(key, { payload, expiresAt: Date.now() + expiresIn * 1000 });
      if (this.#model === 'Session' && typeof payload.uid === 'string') index.set(`uid:${payload.uid}`, id);
      if (typeof payload.userCode === 'string') index.set(`userCode:${payload.userCode}`, id);
      if (GRANTABLE.has(this.#model) && typeof payload.grantId === 'string') {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        grants.set(payload.grantId, members);
      }
    }

    async find(id: string): Promise<Record<string, unknown> | undefined> {
      return live(this.#key(id))?.payload;
    }

    async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
      const id = index.get(`userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      const id = index.get(`uid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const entry = live(this.#key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      entries.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) entries.delete(key);
      grants.delete(grantId);
    }
  }

  return { Adapter };
}
