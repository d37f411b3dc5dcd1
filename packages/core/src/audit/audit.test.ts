import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../digest/index.js';
import { type AuditEntry, chainEntries, entryHash, genesisHash, verifyChain } from './index.js';

const record = (i: number) => ({
  ts: new Date(Date.UTC(2026, 10, 22, 9, 0, 0, i)).toISOString(),
  type: i % 2 ? 'action.submitted' : 'action.approved',
  actionId: `act_${i}`,
  actor: { kind: 'agent' as const, id: 'etl', via: 'api' },
  data: { n: i, nested: { list: [1, 'two', null] } },
});

const genesis = { seq: 0, hash: genesisHash };

describe('audit chain', () => {
  it('hashes prev ‖ JCS(entry without hash), as DESIGN.md specifies', () => {
    const [first] = chainEntries([record(1)], genesis) as [AuditEntry];
    const { hash, ...unsigned } = first;
    const expected = createHash('sha256')
      .update('0'.repeat(64) + canonicalJson(unsigned))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(first).toMatchObject({ seq: 1, prev: '0'.repeat(64) });
  });

  it('links each entry to the one before and numbers them from the head', () => {
    const entries = chainEntries([record(1), record(2), record(3)], genesis);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[1]?.prev).toBe(entries[0]?.hash);
    expect(entries[2]?.prev).toBe(entries[1]?.hash);
    expect(verifyChain(entries)).toBeUndefined();
  });

  it('continues a chain from its head exactly as if chained in one batch', () => {
    const all = chainEntries([1, 2, 3, 4, 5].map(record), genesis);
    const firstBatch = chainEntries([1, 2].map(record), genesis);
    const last = firstBatch[1] as AuditEntry;
    const secondBatch = chainEntries([3, 4, 5].map(record), { seq: last.seq, hash: last.hash });
    expect([...firstBatch, ...secondBatch]).toEqual(all);
  });

  it('omits actionId when there is none (it is not hashed as undefined or null)', () => {
    const { actionId: _actionId, ...withoutAction } = record(1);
    const [entry] = chainEntries([withoutAction], genesis) as [AuditEntry];
    expect('actionId' in entry).toBe(false);
    expect(verifyChain([entry])).toBeUndefined();
  });

  describe('verification finds the first bad seq', () => {
    const chain = chainEntries(
      Array.from({ length: 20 }, (_, i) => record(i + 1)),
      genesis,
    );
    // Each tampering at index `at`, and the seq verification must report (a duplicate is itself valid, so an
    // insertion shows at the entry after it).
    const tamperings: Array<[string, (entries: AuditEntry[], at: number) => AuditEntry[], number]> = [
      ['a modified field', (e, at) => e.map((x, i) => (i === at ? { ...x, data: { ...x.data, n: -1 } } : x)), 1],
      ['a modified type', (e, at) => e.map((x, i) => (i === at ? { ...x, type: 'action.rejected' } : x)), 1],
      ['a deleted entry', (e, at) => e.filter((_, i) => i !== at), 1],
      ['an inserted copy', (e, at) => [...e.slice(0, at), { ...(e[at] as AuditEntry) }, ...e.slice(at)], 2],
      [
        'two swapped entries',
        (e, at) => e.map((x, i) => (i === at ? (e[at + 1] ?? x) : i === at + 1 ? (e[at] as AuditEntry) : x)),
        1,
      ],
    ];

    it.each(tamperings)('%s', (_name, tamper, offset) => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: chain.length - 2 }), (at) => {
          expect(verifyChain(tamper(chain, at))?.seq).toBe(at + offset);
        }),
      );
    });

    it('a truncated tail is not visible to the chain alone (checkpoints catch it, see docs/audit.md)', () => {
      expect(verifyChain(chain.slice(0, 10))).toBeUndefined();
    });

    it('a re-hashed modification still breaks at the next entry', () => {
      const at = 7;
      const modified = chain.map((entry, i) => {
        if (i !== at) return entry;
        const changed = { ...entry, data: { forged: true } };
        const { hash: _hash, ...unsigned } = changed;
        return { ...changed, hash: entryHash(unsigned) };
      });
      expect(verifyChain(modified)?.seq).toBe(at + 2);
    });
  });

  it('verifies any chain it builds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom('action.submitted', 'action.approved', 'grant.redeemed'),
            data: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))),
          }),
          { maxLength: 30 },
        ),
        (records) => {
          const entries = chainEntries(
            records.map((r, i) => ({ ...record(i), type: r.type, data: r.data })),
            genesis,
          );
          expect(verifyChain(entries)).toBeUndefined();
        },
      ),
    );
  });
});
