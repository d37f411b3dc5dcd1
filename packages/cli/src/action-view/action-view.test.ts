import { describe, expect, it } from 'vitest';
import { actionFixture } from '../testing/fake-api.js';
import { age, decisionText, relative, stillNeeded } from './index.js';

const decision = actionFixture().decision;

describe('age and relative', () => {
  it.each([
    [0, '0s'],
    [42_400, '42s'],
    [59_600, '1m'],
    [29 * 60_000 + 59_900, '30m'],
    [29 * 60_000 + 29_000, '29m'],
    [59 * 60_000 + 40_000, '1h'],
    [90 * 60_000, '2h'],
    [47 * 3_600_000, '47h'],
    [47 * 3_600_000 + 40 * 60_000, '2d'],
    [10 * 86_400_000, '10d'],
  ])('%i ms is %s, rounded to the nearest unit', (ms, text) => {
    expect(age(ms)).toBe(text);
  });

  it('reads a 30-minute expiry as "in 30m" right after submission, and the past as "… ago"', () => {
    const now = new Date('2026-01-31T09:00:00.000Z');
    expect(relative('2026-01-31T09:30:00.000Z', new Date(now.getTime() + 150))).toBe('in 30m');
    expect(relative('2026-01-31T09:30:00.000Z', new Date(now.getTime() + 1_500))).toBe('in 30m');
    expect(relative('2026-01-31T08:55:00.000Z', now)).toBe('5m ago');
    expect(relative('not a date', now)).toBe('unknown');
  });
});

describe('decisionText', () => {
  it('names the rule after a reason that does not', () => {
    expect(decisionText(actionFixture())).toBe('require_approval — PII exports need two stewards (rule pii-export)');
    const two = actionFixture({ decision: { ...decision, rules: ['pii-export', 'prod-export'] } });
    expect(decisionText(two)).toBe('require_approval — PII exports need two stewards (rules pii-export, prod-export)');
  });

  it('does not repeat rules the reason already names (the server’s own reasons do)', () => {
    const named = actionFixture({
      decision: { ...decision, rules: ['prod-export'], reason: 'approval required by rule prod-export' },
    });
    expect(decisionText(named)).toBe('require_approval — approval required by rule prod-export');
    const both = actionFixture({
      decision: {
        ...decision,
        rules: ['pii-export', 'prod-export'],
        reason: 'approval required by rules pii-export, prod-export',
      },
    });
    expect(decisionText(both)).toBe('require_approval — approval required by rules pii-export, prod-export');
  });

  it('names the rule when the reason only contains its id inside another word', () => {
    const partly = actionFixture({
      decision: { ...decision, rules: ['prod-export'], reason: 'like non-prod-export, but stricter' },
    });
    expect(decisionText(partly)).toBe('require_approval — like non-prod-export, but stricter (rule prod-export)');
  });

  it('shows the default decision as it is', () => {
    const byDefault = actionFixture({
      decision: { ...decision, rules: [], reason: 'no rule matched; the default decision (require_approval) applies' },
    });
    expect(decisionText(byDefault)).toBe(
      'require_approval — no rule matched; the default decision (require_approval) applies',
    );
  });
});

describe('stillNeeded', () => {
  it('lists what each unmet requirement lacks, with its groups (and escalation groups once escalated)', () => {
    const action = actionFixture({
      approval: {
        requirements: [
          {
            rule: 'pii-export',
            groups: ['data-stewards'],
            quorum: 2,
            approvals: ['alice@example.com'],
            escalated: false,
          },
          {
            rule: 'prod-export',
            groups: ['platform-oncall'],
            quorum: 1,
            approvals: [],
            escalated: true,
            escalate: { afterMs: 3_600_000, to: ['security'] },
          },
          { rule: 'done', groups: ['ops'], quorum: 1, approvals: ['carol@example.com'], escalated: false },
        ],
        expiresAt: '2026-01-31T09:30:00.000Z',
      },
    });
    expect(stillNeeded(action)).toBe(
      'pii-export 1 more of [data-stewards]; prod-export 1 more of [platform-oncall, security]',
    );
  });
});
