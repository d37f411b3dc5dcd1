/**
 * `@countersign/core`: Countersign's pure domain. Schemas, the action lifecycle, the policy language and decision
 * engine, digests. No I/O: callers pass in clocks, ids and policy text, and get values back.
 */
export * from './audit/index.js';
export * from './digest/index.js';
export * from './duration/index.js';
export * from './errors/index.js';
export * from './grants/index.js';
export * from './lifecycle/index.js';
export * from './merkle/index.js';
export * from './policy/index.js';
export * from './schemas/index.js';
