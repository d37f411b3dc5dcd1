import type { ActionService } from '../actions/service.js';
import type { Sweeper } from '../actions/sweeper.js';
import type { AuditSequencer } from '../audit/index.js';
import type { FileWitness, WitnessPump } from '../audit/witness.js';
import type { ChannelRegistry, MaskingRules } from '../channels/index.js';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/index.js';
import type { ActionEvents } from '../events/index.js';
import type { GrantSettings, KeyRing } from '../grants/index.js';
import type { Authenticator } from '../identity/index.js';
import type { OutboxPump } from '../outbox/index.js';
import type { PolicyHolder } from '../policy/index.js';
import type { Database } from '../store/database.js';
import type { Metrics } from './metrics.js';

/** Everything the routes use, built once at start-up. */
export interface ApiContext {
  database: Database;
  service: ActionService;
  events: ActionEvents;
  policy: PolicyHolder;
  keys: KeyRing;
  grants: GrantSettings;
  clock: Clock;
  sequencer: AuditSequencer;
  sweeper: Sweeper;
  witness: WitnessSetup;
  channels: ChannelSetup;
  metrics: Metrics;
  /** Resolves bearer tokens (agent keys, reviewer tokens, the admin token). */
  authenticator: Authenticator;
  /** Aborts when the server starts shutting down: long polls answer at once and event streams end. */
  shutdown: AbortSignal;
  version: string;
}

/** Where checkpoints are copied to outside the database; `file` is also read back by `/v1/audit/verify`. */
export interface WitnessSetup {
  pump: WitnessPump;
  file?: FileWitness;
}

/** The channels configured, their settings, and the outbox pump that delivers to them. */
export interface ChannelSetup {
  registry: ChannelRegistry;
  config: ServerConfig['channels'];
  redaction: MaskingRules;
  outbox: OutboxPump;
}
