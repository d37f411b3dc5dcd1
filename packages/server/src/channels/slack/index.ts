/**
 * The Slack channel: approval requests posted as Block Kit messages with Approve / Reject buttons and kept up to
 * date with `chat.update` (`SlackChannel`), and the interactivity endpoint their clicks arrive at
 * (`slackInteractions`, `POST /v1/channels/slack/interactions`). Setting the app up: `docs/channels.md`.
 * A local Slack Web API for tests lives in `./testing.ts`.
 */
export { approvalMessage, rejectModalIds, slackButtons, slackMetadataTypes } from './blocks.js';
export { SlackChannel, type SlackConfig, type SlackMessageRef } from './channel.js';
export { slackInteractions, slackInteractionsPath } from './interactions.js';
export { slackSignature, slackSignatureProblem, slackSignatureToleranceSeconds } from './signature.js';
