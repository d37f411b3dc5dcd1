/**
 * `@countersign/sdk`: the client agents, executors, reviewers' tools and the `countersign` CLI use to talk to a
 * Countersign server. Dependency-light: global `fetch`, and types (only) from `@countersign/core`.
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
