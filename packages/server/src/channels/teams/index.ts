/**
 * Microsoft Teams: approval requests as Adaptive Cards with Universal Actions, posted and updated through the Bot
 * Connector API ({@link TeamsChannel}), and the bot's messaging endpoint where card refreshes and Approve / Reject
 * clicks arrive with a Bot Framework JWT ({@link teamsRoutes}). Setup: docs/channels.md, "Microsoft Teams".
 *
 * `./testing.js` (not re-exported here) is a local Bot Framework for tests: OpenID metadata, JWKS, token endpoint and
 * Bot Connector API.
 */
export {
  BotFrameworkTokenClient,
  BotTokenVerifier,
  botFrameworkIssuer,
  checkActivityOrigin,
  type VerifiedBotToken,
} from './auth.js';
export { approvalCard, type CardNotice, type CardOptions } from './card.js';
export { defaultTokenUrl, TeamsChannel, type TeamsConfig, type TeamsMessageRef } from './channel.js';
export { teamsMessagesPath, teamsRoutes } from './routes.js';
