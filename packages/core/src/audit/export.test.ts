import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../digest/index.js';
import { MerkleAccumulator } from '../merkle/index.js';
import { type Checkpoint, signCheckpoint } from './checkpoint.js';
import {
  type AuditEntry,
  auditLeaf,
  countEntryLines,
  type ExportHeader,
  ExportVerifier,
  entryHash,
  exportEntryLine,
  exportHeaderLine,
  genesisHash,
  inspectChunk,
  inspectLine,
  type LineFacts,
  parseWitness,
  publicKeysByKid,
  type SampleLog,
  sampleLog,
  signExportHeader,
  unpackFacts,
  type VerifyReport,
  verifyChain,
  verifyExportLines,
} from './index.js';

/** Verifies `lines`, re-inspecting only the lines that differ from the untouched log's (the suite runs thousands). */
function verifyWith(log: SampleLog, facts: LineFacts[], lines: string[], options = {}): VerifyReport {
  const verifier = new ExportVerifier(options);
  for (const [i, line] of lines.entries()) {
    verifier.accept(line === log.lines[i] ? (facts[i] as LineFacts) : inspectLine(line));
    if (verifier.failed) break;
  }
  return verifier.finish();
}

const entryOf = (line: string) => JSON.parse(line) as AuditEntry;
const lineOf = (entry: AuditEntry) => canonicalJson(entry);
/** The entry with `change` applied and its hash recomputed, as an attacker who knows the format would. */
const rehashed = (entry: AuditEntry, change: Partial<AuditEntry>) => {
  const { hash: _old, ...rest } = { ...entry, ...change };
  return { ...rest, hash: entryHash(rest) } as AuditEntry;
};

interface Tamper {
  name: string;
  /** The mutated export, or undefined when the tamper does not apply at this seq. */
  apply(lines: string[], at: (seq: number) => number, seq: number, log: SampleLog): string[] | undefined;
  /** The seq the verifier must name. */
  expected(seq: number, log: SampleLog): number | null;
}

const isCheckpointed = (seq: number, log: SampleLog) => log.checkpoints.some((c) => c.seq === seq);

const tampers: Tamper[] = [
  {
    name: 'modify a field',
    apply: (lines, at, seq) => {
      const entry = entryOf(lines[at(seq)] as string);
      return splice(lines, at(seq), 1, lineOf({ ...entry, actor: { ...entry.actor, id: 'mallory' } }));
    },
    expected: (seq) => seq,
  },
  {
    name: 'modify a field and recompute its hash',
    apply: (lines, at, seq) =>
      splice(lines, at(seq), 1, lineOf(rehashed(entryOf(lines[at(seq)] as string), { type: 'action.rejected' }))),
    // caught where the next thing vouches for this entry: its checkpoint, or else the next entry's prev
    expected: (seq, log) => (isCheckpointed(seq, log) ? seq : seq + 1),
  },
  {
    name: 'reformat a line (same content, not canonical)',
    apply: (lines, at, seq) =>
      splice(lines, at(seq), 1, JSON.stringify(entryOf(lines[at(seq)] as string), null, 1).replaceAll('\n', '')),
    expected: (seq) => seq,
  },
  {
    name: 'delete an entry',
    apply: (lines, at, seq) => splice(lines, at(seq), 1),
    expected: (seq) => seq,
  },
  {
    name: 'insert a duplicate of an entry',
    apply: (lines, at, seq) => splice(lines, at(seq) + 1, 0, lines[at(seq)] as string),
    expected: (seq) => seq,
  },
  {
    name: 'insert a forged entry with a correct hash and link',
    apply: (lines, at, seq, log) => {
      const before = entryOf(lines[at(seq)] as string);
      const forged = rehashed(before, { seq: seq + 1, prev: before.hash, type: 'action.approved' });
      return splice(lines, seq === log.entries.length ? lines.length : at(seq + 1), 0, lineOf(forged));
    },
    // the forged entry takes seq + 1; the real one then repeats it
    expected: (seq) => seq + 1,
  },
  {
    name: 'swap an entry with the next',
    apply: (lines, at, seq, log) => {
      if (seq >= log.entries.length || isCheckpointed(seq, log)) return undefined;
      const swapped = [...lines];
      [swapped[at(seq)], swapped[at(seq + 1)]] = [lines[at(seq + 1)] as string, lines[at(seq)] as string];
      return swapped;
    },
    expected: (seq) => seq,
  },
];

function splice(lines: readonly string[], start: number, remove: number, ...insert: string[]): string[] {
  const copy = [...lines];
  copy.splice(start, remove, ...insert);
  return copy;
}

/** Every seq of a small log; for a big one, the edges, every checkpoint's neighbourhood sample and 40 seeded picks. */
function seqsToTamper(count: number): number[] {
  if (count <= 300) return Array.from({ length: count }, (_, i) => i + 1);
  const picks = new Set([1, 2, 99, 100, 101, 199, 200, 201, count - 1, count]);
  let seed = 7;
  while (picks.size < 50) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    picks.add(1 + (seed % count));
  }
  return [...picks].sort((a, b) => a - b);
}

describe('audit export verification: the tamper suite', () => {
  for (const count of [1, 2, 99, 100, 101, 250, 10_000]) {
    describe(`a log of ${count} entries`, () => {
      const log = sampleLog(count);
      const facts = log.lines.map((line) => inspectLine(line));
      const lineOfSeq = new Map<number, number>();
      log.lines.forEach((line, i) => {
        if (i > 0 && !line.startsWith('{"checkpoint"')) lineOfSeq.set(entryOf(line).seq, i);
      });
      const at = (seq: number) => lineOfSeq.get(seq) as number;

      it('verifies untouched, with the header’s keys or pinned ones', () => {
        const report = verifyWith(log, facts, log.lines);
        expect(report.failure).toBeUndefined();
        expect(report).toMatchObject({
          ok: true,
          entries: count,
          checkpoints: log.checkpoints.length,
          trust: 'header',
        });
        expect(report.head.seq).toBe(count);
        const pinned = verifyExportLines(log.lines, { keys: publicKeysByKid(log.keys) });
        expect(pinned).toMatchObject({ ok: true, trust: 'pinned', entries: count });
      });

      for (const tamper of tampers) {
        it(`fails naming the first bad seq: ${tamper.name}`, () => {
          let tried = 0;
          for (const seq of seqsToTamper(count)) {
            const lines = tamper.apply(log.lines, at, seq, log);
            if (!lines) continue;
            tried += 1;
            const report = verifyWith(log, facts, lines);
            expect(report.ok, `${tamper.name} at ${seq}`).toBe(false);
            expect(report.failure?.seq, `${tamper.name} at ${seq}: ${report.failure?.reason}`).toBe(
              tamper.expected(seq, log),
            );
          }
          if (count > 1) expect(tried).toBeGreaterThan(0);
        });
      }

      it('fails when the tail after any checkpoint is cut off', () => {
        for (const checkpoint of log.checkpoints.filter((c) => c.seq < count)) {
          const cut = log.lines.findIndex((line) => line.startsWith('{"checkpoint"') && line.includes(checkpoint.sig));
          const report = verifyWith(log, facts, log.lines.slice(0, cut + 1));
          expect(report.failure?.seq, report.failure?.reason).toBe(checkpoint.seq + 1);
          expect(report.failure?.reason).toContain('truncated');
        }
      });

      it('fails on a forged, swapped or foreign checkpoint signature, naming its seq', () => {
        const other = generateKeyPairSync('ed25519').privateKey;
        for (const [n, checkpoint] of log.checkpoints.entries()) {
          const i = log.lines.findIndex((line) => line.includes(checkpoint.sig));
          const donor = log.checkpoints[(n + 1) % log.checkpoints.length] ?? checkpoint;
          const variants = [
            {
              ...checkpoint,
              sig: `${checkpoint.sig.slice(0, 10)}${checkpoint.sig[10] === 'A' ? 'B' : 'A'}${checkpoint.sig.slice(11)}`,
            },
            { ...checkpoint, sig: donor.sig === checkpoint.sig ? 'A'.repeat(86) : donor.sig },
            signCheckpoint({ ...checkpoint }, other),
            { ...signCheckpoint({ ...checkpoint, kid: 'someone-else' }, other) },
            { ...checkpoint, root: donor.root === checkpoint.root ? '0'.repeat(64) : donor.root },
          ];
          for (const variant of variants) {
            const report = verifyWith(log, facts, splice(log.lines, i, 1, JSON.stringify({ checkpoint: variant })));
            expect(report.failure?.seq, report.failure?.reason).toBe(checkpoint.seq);
          }
        }
      });

      it('fails when an attacker re-hashes everything after an entry but cannot sign', () => {
        const from = Math.max(1, Math.floor(count / 2));
        const lines = [...log.lines];
        let prev = entryOf(lines[at(from)] as string).prev;
        for (let seq = from; seq <= count; seq++) {
          const entry = rehashed(entryOf(lines[at(seq)] as string), { prev, ...(seq === from && { type: 'forged' }) });
          lines[at(seq)] = lineOf(entry);
          prev = entry.hash;
        }
        const report = verifyWith(log, facts, lines);
        const firstCheckpoint = log.checkpoints.find((c) => c.seq >= from)?.seq;
        expect(report.failure?.seq, report.failure?.reason).toBe(firstCheckpoint);
      });
    });
  }
});

describe('the export header', () => {
  const log = sampleLog(120);
  const { sig: _sig, ...header } = JSON.parse(log.lines[0] as string).header;

  it('is signed: any change to the range it vouches for fails the export', () => {
    for (const change of [{ end: { ...header.end, seq: 119 } }, { range: { since: null, until: '2026-01-06' } }]) {
      const lines = splice(log.lines, 0, 1, exportHeaderLine({ ...header, sig: _sig, ...change }));
      const report = verifyExportLines(lines);
      expect(report).toMatchObject({ ok: false, failure: { seq: null, line: 1 } });
      expect(report.failure?.reason).toContain('header signature is invalid');
    }
  });

  it('must come first, be known, and be trusted when keys are pinned', () => {
    expect(verifyExportLines(log.lines.slice(1)).failure?.reason).toContain('does not start with its header');
    expect(verifyExportLines([]).failure?.reason).toContain('empty');
    const unknown = splice(log.lines, 0, 1, exportHeaderLine({ ...header, sig: _sig, format: 'v0' } as never));
    expect(verifyExportLines(unknown).failure?.reason).toContain('unknown export format');
    const stranger = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const pinned = verifyExportLines(log.lines, { keys: publicKeysByKid([{ ...stranger, kid: 'pinned' }]) });
    expect(pinned.failure?.reason).toContain('not trusted');
  });

  it('an attacker holding the key can re-sign a shorter log; only a witness copy exposes it', () => {
    const witness = log.checkpoints;
    const cut = log.lines.findIndex((line) => line.includes(log.checkpoints[0]?.sig as string));
    const end = entryOf(log.lines[cut - 1] as string);
    const resigned = signExportHeader(
      { ...header, end: { seq: end.seq, hash: end.hash, root: log.checkpoints[0]?.root as string } },
      log.privateKey,
    );
    const lines = [exportHeaderLine(resigned), ...log.lines.slice(1, cut + 1)];
    expect(verifyExportLines(lines).ok).toBe(true);
    const report = verifyExportLines(lines, { witness });
    expect(report.failure?.seq).toBe(101);
    expect(report.failure?.reason).toContain('truncated');
  });

  it('a witness catches a history rewritten and re-signed by the key holder', () => {
    const lines = [...log.lines];
    const tree = new MerkleAccumulator();
    let prev = genesisHash;
    let last: AuditEntry | undefined;
    for (const [i, line] of lines.entries()) {
      if (i === 0) continue;
      if (line.startsWith('{"checkpoint"')) {
        const { checkpoint } = JSON.parse(line);
        const root = tree.root().toString('hex');
        lines[i] = JSON.stringify({ checkpoint: signCheckpoint({ ...checkpoint, hash: prev, root }, log.privateKey) });
        continue;
      }
      const entry = rehashed(entryOf(line), { prev, ...(entryOf(line).seq === 50 && { type: 'action.rejected' }) });
      lines[i] = lineOf(entry);
      tree.push(auditLeaf(entry));
      prev = entry.hash;
      last = entry;
    }
    const end = { seq: last?.seq as number, hash: prev, root: tree.root().toString('hex') };
    lines[0] = exportHeaderLine(signExportHeader({ ...header, end }, log.privateKey));
    expect(verifyExportLines(lines).ok).toBe(true);
    const witness = parseWitness(log.checkpoints.map((c) => JSON.stringify(c)).join('\n'));
    const report = verifyExportLines(lines, { witness });
    expect(report.failure?.seq).toBe(100);
    expect(report.failure?.reason).toContain('witness');
    expect(verifyExportLines(log.lines, { witness })).toMatchObject({
      ok: true,
      witness: { checkpoints: 2, matched: 2, outside: 0 },
    });
  });
});

describe('sampleLog', () => {
  it('writes each entry exactly as exportEntryLine does, chained', () => {
    const log = sampleLog(250);
    const entryLines = log.lines.filter((line, i) => i > 0 && !line.startsWith('{"checkpoint"'));
    expect(entryLines).toEqual(log.entries.map((entry) => exportEntryLine(entry)));
    expect(verifyChain(log.entries)).toBeUndefined();
  });
});

describe('inspectLine', () => {
  it('tells entries, checkpoints, headers and junk apart', () => {
    const log = sampleLog(3, { every: 2 });
    expect(log.lines.map((line) => inspectLine(line).kind)).toEqual([
      'header',
      'entry',
      'entry',
      'checkpoint',
      'entry',
      'checkpoint',
    ]);
    expect(inspectLine('not json')).toMatchObject({ kind: 'invalid' });
    expect(inspectLine('{"seq":1}')).toMatchObject({ kind: 'invalid' });
    expect(inspectLine('{"checkpoint":[]}')).toMatchObject({ kind: 'invalid' });
  });

  it('accepts the canonical form of data with integer-like keys, which JavaScript enumerates first', () => {
    const [entry] = sampleLog(1).entries as [AuditEntry];
    const odd = rehashed(entry, { data: { '10': 'ten', '9': 'nine', b: { '2': 1, a: 2 } } });
    expect(inspectLine(lineOf(odd))).toMatchObject({ kind: 'entry', seq: 1 });
    expect(inspectLine(lineOf(odd))).not.toHaveProperty('problem');
  });
});

describe('inspectChunk', () => {
  it('packs exactly what inspectLine finds, line by line, for workers to hand back', () => {
    const log = sampleLog(230);
    const lines = [...log.lines];
    const odd = entryOf(lines[5] as string);
    lines[5] = lineOf({ ...odd, type: 'tampered' });
    lines[9] = 'garbage';
    lines.splice(12, 0, '');
    lines[20] = `${lines[20]}\r`;
    const text = `${lines.join('\n')}\n`;
    for (const canonical of [true, false]) {
      const packed = inspectChunk(Buffer.from(text), { canonical });
      expect(packed.count).toBe(lines.length);
      const notes = new Map(packed.notes);
      const unpacked = Array.from({ length: packed.count }, (_, i) => unpackFacts(packed, i, notes));
      const expected = lines.map((line) =>
        line === '' ? undefined : inspectLine(line.replace(/\r$/, ''), { canonical }),
      );
      const plain = (facts: LineFacts | undefined) =>
        facts?.kind === 'entry' ? { ...facts, leaf: Buffer.from(facts.leaf).toString('hex') } : facts;
      expect(unpacked.map(plain)).toEqual(expected.map(plain));
      expect(unpacked[5]).toMatchObject({ kind: 'entry', problem: 'hash does not match the entry' });
      expect(unpacked[9]).toMatchObject({ kind: 'invalid' });
    }
  });

  it('without the canonical check, still fails every changed line (the hash covers its bytes)', () => {
    const log = sampleLog(120);
    const entry = entryOf(log.lines[7] as string);
    const reformatted = JSON.stringify(entry, null, 1).replaceAll('\n', '');
    expect(inspectLine(reformatted, { canonical: false })).toMatchObject({ problem: expect.any(String) });
    expect(inspectLine(lineOf({ ...entry, ts: '2026-01-01T00:00:00.000Z' }), { canonical: false })).toMatchObject({
      problem: 'hash does not match the entry',
    });
    expect(inspectLine(log.lines[7] as string, { canonical: false })).not.toHaveProperty('problem');
  });
});

describe('chunked verification (what the CLI spreads over worker threads)', () => {
  /** Splits the export into chunks of about `size` bytes at line ends and verifies them as the CLI's pool does. */
  function verifyChunked(text: string, size: number, options: { witness?: Checkpoint[] } = {}): VerifyReport {
    const bytes = Buffer.from(text);
    const headerEnd = bytes.indexOf(10);
    const header = (JSON.parse(bytes.toString('utf8', 0, headerEnd)) as { header: ExportHeader }).header;
    const keys = publicKeysByKid(header.keys);
    const rootsAt = new Set((options.witness ?? []).map((c) => c.seq));
    const verifier = new ExportVerifier(options.witness ? { witness: options.witness } : {});
    let firstLeaf = header.start.seq;
    for (let from = 0; from < bytes.length; ) {
      let end = Math.min(bytes.length, from + size);
      if (end < bytes.length) end = bytes.lastIndexOf(10, end - 1) + 1;
      if (end <= from) end = bytes.indexOf(10, from) + 1 || bytes.length;
      const chunk = bytes.subarray(from, end);
      verifier.acceptPacked(inspectChunk(chunk, { canonical: false, firstLeaf, keys, rootsAt }));
      firstLeaf += countEntryLines(chunk);
      from = end;
      if (verifier.failed) break;
    }
    return verifier.finish();
  }

  const log = sampleLog(1_000);
  const text = `${log.lines.join('\n')}\n`;

  it('gives the sequential verdict for every chunk size, untouched and tampered', () => {
    const sequential = verifyExportLines(log.lines);
    for (const size of [1, 700, 4_096, 65_536, 1 << 22]) {
      const chunked = verifyChunked(text, size);
      expect(chunked, `chunks of ${size}`).toEqual(sequential);
    }
    const lines = [...log.lines];
    const victim = entryOf(lines[433] as string);
    lines[433] = lineOf(rehashed(victim, { type: 'forged' }));
    const cpIndex = lines.findIndex((line, i) => i > 500 && line.startsWith('{"checkpoint"'));
    const tampered = `${lines.join('\n')}\n`;
    const expected = verifyExportLines(lines);
    expect(expected.failure?.seq).toBe(victim.seq + 1);
    for (const size of [1, 700, 65_536]) expect(verifyChunked(tampered, size)).toEqual(expected);
    const badRoot = [...log.lines];
    const cp = JSON.parse(badRoot[cpIndex] as string).checkpoint as Checkpoint;
    badRoot[cpIndex] = JSON.stringify({ checkpoint: signCheckpoint({ ...cp, root: '0'.repeat(64) }, log.privateKey) });
    for (const size of [1, 700, 65_536]) {
      expect(verifyChunked(`${badRoot.join('\n')}\n`, size).failure).toMatchObject({ seq: cp.seq });
    }
    const badSig = [...log.lines];
    badSig[cpIndex] = JSON.stringify({ checkpoint: { ...cp, sig: 'A'.repeat(86) } });
    expect(verifyChunked(`${badSig.join('\n')}\n`, 4_096).failure).toMatchObject({ seq: cp.seq });
  });

  it('checks witness copies at their seqs inside chunks', () => {
    const witness = log.checkpoints.map((c) => ({ ...c }));
    expect(verifyChunked(text, 4_096, { witness })).toMatchObject({ ok: true, witness: { matched: 11 } });
    const other = sampleLog(1_000);
    const mismatched = [{ ...(other.checkpoints[3] as Checkpoint), kid: log.kid }];
    expect(verifyChunked(text, 4_096, { witness: mismatched }).failure).toMatchObject({ seq: 400 });
  });
});
