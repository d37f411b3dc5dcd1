import { CountersignError } from '@countersign/core';
import { and, eq, inArray } from 'drizzle-orm';
import { type AuditActor, appendAuditRecords } from '../audit/index.js';
import type { Db } from '../store/database.js';
import { reviewerLinks } from '../store/schema.js';

/**
 * Links between chat identities and reviewers: a click in Slack or Teams counts as a review only when the clicking
 * user is linked to a reviewer (explicitly, or by email lookup when configured). Linking and unlinking are audited.
 */
export type LinkChannel = 'slack' | 'teams';
export const linkChannels: readonly LinkChannel[] = ['slack', 'teams'];

/** The form each channel's user ids take: Slack member ids, Teams users' Entra ID (AAD) object ids. */
const externalIdPatterns: Record<LinkChannel, { pattern: RegExp; hint: string }> = {
  slack: {
    pattern: /^[UW][A-Z0-9]{2,20}$/,
    hint: 'a Slack member id such as U024BE7LH (profile → ⋮ → Copy member ID)',
  },
  teams: {
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    hint: 'the user’s Microsoft Entra ID object id (a GUID)',
  },
};

export interface ReviewerLink {
  channel: LinkChannel;
  externalId: string;
  reviewer: string;
  createdAt: string;
}

/** Refuses an external id that is not of its channel's form, with what to give instead. */
export function checkExternalId(channel: LinkChannel, externalId: string): string {
  const { pattern, hint } = externalIdPatterns[channel];
  const id = channel === 'teams' ? externalId.toLowerCase() : externalId;
  if (!pattern.test(id)) {
    throw new CountersignError('validation_failed', `${externalId} is not a ${channel} user id: give ${hint}`, {
      issues: [{ path: channel, message: `expected ${hint}` }],
    });
  }
  return id;
}

/** The reviewer linked to a chat user, if any. */
export async function reviewerFor(db: Db, channel: LinkChannel, externalId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ reviewer: reviewerLinks.reviewer })
    .from(reviewerLinks)
    .where(
      and(
        eq(reviewerLinks.channel, channel),
        eq(reviewerLinks.externalId, channel === 'teams' ? externalId.toLowerCase() : externalId),
      ),
    );
  return row?.reviewer;
}

/** The chat users linked to any of `reviewers` (Teams cards list who may see their buttons). */
export async function linkedUsers(db: Db, channel: LinkChannel, reviewers: readonly string[]): Promise<ReviewerLink[]> {
  if (reviewers.length === 0) return [];
  const rows = await db
    .select()
    .from(reviewerLinks)
    .where(and(eq(reviewerLinks.channel, channel), inArray(reviewerLinks.reviewer, [...reviewers])));
  return rows.map(linkOfRow);
}

export async function linksOf(db: Db, reviewer: string): Promise<ReviewerLink[]> {
  const rows = await db.select().from(reviewerLinks).where(eq(reviewerLinks.reviewer, reviewer));
  return rows.map(linkOfRow);
}

/**
 * Links a chat user to `reviewer` (replacing the reviewer it was linked to before), audited as `reviewer.linked`
 * in the same transaction. Call inside a transaction.
 */
export async function linkReviewer(
  tx: Db,
  link: { channel: LinkChannel; externalId: string; reviewer: string },
  actor: AuditActor,
  now: Date,
): Promise<ReviewerLink> {
  const externalId = checkExternalId(link.channel, link.externalId);
  const [previous] = await tx
    .select({ reviewer: reviewerLinks.reviewer })
    .from(reviewerLinks)
    .where(and(eq(reviewerLinks.channel, link.channel), eq(reviewerLinks.externalId, externalId)));
  await tx
    .insert(reviewerLinks)
    .values({ channel: link.channel, externalId, reviewer: link.reviewer, createdAt: now })
    .onConflictDoUpdate({
      target: [reviewerLinks.channel, reviewerLinks.externalId],
      set: { reviewer: link.reviewer, createdAt: now },
    });
  await appendAuditRecords(tx, [
    {
      ts: now,
      type: 'reviewer.linked',
      actor,
      data: {
        reviewer: link.reviewer,
        channel: link.channel,
        externalId,
        ...(previous && previous.reviewer !== link.reviewer && { replaced: previous.reviewer }),
      },
    },
  ]);
  return { channel: link.channel, externalId, reviewer: link.reviewer, createdAt: now.toISOString() };
}

/** Removes a link (audited as `reviewer.unlinked`); false when there was none. Call inside a transaction. */
export async function unlinkReviewer(
  tx: Db,
  link: { channel: LinkChannel; externalId: string; reviewer: string },
  actor: AuditActor,
  now: Date,
): Promise<boolean> {
  const externalId = link.channel === 'teams' ? link.externalId.toLowerCase() : link.externalId;
  const removed = await tx
    .delete(reviewerLinks)
    .where(
      and(
        eq(reviewerLinks.channel, link.channel),
        eq(reviewerLinks.externalId, externalId),
        eq(reviewerLinks.reviewer, link.reviewer),
      ),
    )
    .returning({ reviewer: reviewerLinks.reviewer });
  if (removed.length === 0) return false;
  await appendAuditRecords(tx, [
    { ts: now, type: 'reviewer.unlinked', actor, data: { reviewer: link.reviewer, channel: link.channel, externalId } },
  ]);
  return true;
}

function linkOfRow(row: typeof reviewerLinks.$inferSelect): ReviewerLink {
  return {
    channel: row.channel,
    externalId: row.externalId,
    reviewer: row.reviewer,
    createdAt: row.createdAt.toISOString(),
  };
}
