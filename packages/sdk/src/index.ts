/**
 * `@countersign/sdk`: the client agents, executors, reviewers' tools and the `countersign` CLI use to talk to a
 * Countersign server. Dependency-light: global `fetch`, types (only) from `@countersign/core`, and `jose` for
 * executors that verify grants offline.
 */
export type {
  Action,
  ActionStatus,
  Outcome,
  RequirementProgress,
  Review,
  ReviewInput,
  SubmittedActionInput,
  Verdict,
} from '@countersign/core';
export * from './client/index.js';
export {
  type ApiIssue,
  CountersignApiError,
  CountersignConnectionError,
  isCountersignApiError,
} from './errors/index.js';
export {
  actionDigest,
  canonicalJson,
  type ExecutedAction,
  type GrantClaims,
  GrantError,
  type GrantErrorCode,
  grantType,
  isGrantError,
  redeemAndCheck,
  type VerifyGrantOptions,
  verifyGrantOffline,
} from './executor/index.js';
