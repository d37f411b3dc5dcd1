/**
 * The grant a server mints when an action is approved (DESIGN.md, grants): a JWT signed with Ed25519, of this type,
 * carrying these claims. The server signs them; executors verify them (the SDK).
 */

/** The JWT `typ` of a grant. */
export const grantType = 'countersign-grant+jwt';

/** The claims of a grant. */
export interface GrantClaims {
  /** The issuing server (`COUNTERSIGN_ISSUER`, `countersign` by default). */
  iss: string;
  /** The agent the action was approved for. */
  sub: string;
  aud: string;
  /** The grant's id; redeeming marks it used. */
  jti: string;
  iat: number;
  exp: number;
  /** The approved action the grant is bound to. */
  act: {
    id: string;
    action: string;
    resource: { type: string; id: string };
    environment: string;
    /** `sha256:…` of the approved `{action, resource, environment, params}`. */
    digest: string;
  };
  /** Who approved (empty when the policy allowed the action outright). */
  apr: string[];
}
