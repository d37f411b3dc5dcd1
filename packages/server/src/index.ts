/**
 * `@countersign/server`: the approval service. Start it with {@link startServer}; everything else here is for
 * tests, tools and embedding.
 */
export { ActionService } from './actions/service.js';
export { type AuditEntry, entryHash, genesisHash, verifyChain } from './audit/index.js';
export { type Clock, systemClock } from './clock.js';
export {
  ConfigError,
  type ConfigSources,
  environmentVariables,
  resolveServerConfig,
  type ServerConfig,
  type ServerConfigInput,
  serverConfigSchema,
} from './config/index.js';
export { type GrantClaims, grantType } from './grants/index.js';
export { type RunningServer, type StartOptions, serverVersion, startServer } from './server.js';
export { type Database, openDatabase, type StoreTarget } from './store/database.js';
