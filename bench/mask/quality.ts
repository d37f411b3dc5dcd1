/**
 * Detection quality per entity type on the labelled corpus: span precision, recall and F2, ours against the peer,
 * plus false positives per MB of ordinary business prose.
 *
 * The match rule: a found span is a true positive when it has the truth span's type and
 * |intersection| / max(len(truth), len(found)) ≥ 0.9 — it covers at least 90% of the value and is at most ~11%
 * longer. Each truth span matches at most one found span and vice versa; identical found spans count once.
 * F2 weighs recall four times as much as precision (β = 2): a value left unmasked costs more than an extra mask.
 */
import { builtinEntityTypes, type EntityType } from '../../packages/mask/src/types.js';
import { defaultSeed, generateDocuments, type LabelledDocument, type LabelledSpan, ordinaryText } from './corpus.js';
import { type FoundSpan, PeerRedactor, peerTypes } from './peer.js';

export const overlapThreshold = 0.9;

export const matchRule =
  'a found span counts when its type is the truth span’s and |intersection| / max(len(truth), len(found)) ≥ 0.9';

/** |a ∩ b| / max(|a|, |b|): 1 for the same span, 0 for disjoint ones. */
export function overlapRatio(a: { start: number; end: number }, b: { start: number; end: number }): number {
  const intersection = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const longest = Math.max(a.end - a.start, b.end - b.start);
  return longest === 0 ? 0 : intersection / longest;
}

export function spansMatch(truth: FoundSpan, found: FoundSpan): boolean {
  return truth.type === found.type && overlapRatio(truth, found) >= overlapThreshold;
}

/** β = 2. Zero when both are zero. */
export function f2(precision: number, recall: number): number {
  const denominator = 4 * precision + recall;
  return denominator === 0 ? 0 : (5 * precision * recall) / denominator;
}

export interface TypeScore {
  truths: number;
  found: number;
  /** Found spans matched to a truth span (equal to the truth spans matched: matching is one to one). */
  matched: number;
  /** undefined when nothing of the type was found. */
  precision: number | undefined;
  /** undefined when the corpus holds nothing of the type. */
  recall: number | undefined;
  f2: number | undefined;
}

function score(truths: number, found: number, matched: number): TypeScore {
  const precision = found === 0 ? undefined : matched / found;
  const recall = truths === 0 ? undefined : matched / truths;
  return {
    truths,
    found,
    matched,
    precision,
    recall,
    f2: recall === undefined ? undefined : f2(precision ?? 0, recall),
  };
}

/** What one document's comparison left over: truth spans nobody found, found spans matching no truth. */
export interface Comparison {
  missed: LabelledSpan[];
  spurious: FoundSpan[];
}

/** Counts, per type, truth spans, found spans and matches over any number of documents. */
export class QualityTally {
  private readonly counts = new Map<EntityType, { truths: number; found: number; matched: number }>();

  private countsOf(type: EntityType) {
    let counts = this.counts.get(type);
    if (!counts) {
      counts = { truths: 0, found: 0, matched: 0 };
      this.counts.set(type, counts);
    }
    return counts;
  }

  add(truths: readonly LabelledSpan[], found: readonly FoundSpan[]): Comparison {
    const unique = new Map<string, FoundSpan>();
    for (const span of found) unique.set(`${span.type}\u0000${span.start}\u0000${span.end}`, span);
    const candidates = [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end);
    // Best overlaps first, so a near-duplicate cannot take a truth span from the exact one.
    const pairs: { truth: LabelledSpan; found: FoundSpan; ratio: number }[] = [];
    for (const span of candidates) {
      for (const truth of truths)
        if (spansMatch(truth, span)) pairs.push({ truth, found: span, ratio: overlapRatio(truth, span) });
    }
    pairs.sort((a, b) => b.ratio - a.ratio);
    const taken = new Set<LabelledSpan>();
    const matched = new Set<FoundSpan>();
    for (const { truth, found: span } of pairs) {
      if (taken.has(truth) || matched.has(span)) continue;
      taken.add(truth);
      matched.add(span);
    }
    const spurious: FoundSpan[] = [];
    for (const span of candidates) {
      const counts = this.countsOf(span.type);
      counts.found += 1;
      if (matched.has(span)) counts.matched += 1;
      else spurious.push(span);
    }
    for (const truth of truths) this.countsOf(truth.type).truths += 1;
    return { missed: truths.filter((truth) => !taken.has(truth)), spurious };
  }

  byType(type: EntityType): TypeScore {
    const { truths, found, matched } = this.counts.get(type) ?? { truths: 0, found: 0, matched: 0 };
    return score(truths, found, matched);
  }

  /** Micro-averaged over `types` (all types seen when omitted). */
  overall(types: Iterable<EntityType> = this.counts.keys()): TypeScore {
    let truths = 0;
    let found = 0;
    let matched = 0;
    for (const type of types) {
      const counts = this.counts.get(type);
      if (!counts) continue;
      truths += counts.truths;
      found += counts.found;
      matched += counts.matched;
    }
    return score(truths, found, matched);
  }

  types(): EntityType[] {
    return [...this.counts.keys()];
  }
}

/** A detector under test: finds typed spans in a text. */
export interface Finder {
  name: string;
  find(text: string): FoundSpan[];
}

export interface Example {
  text: string;
  context: string;
  note?: string;
}

export interface FinderResult {
  tally: QualityTally;
  missed: Map<EntityType, Example[]>;
  spurious: Map<EntityType, Example[]>;
  /** Hard negatives that some found span overlaps, by kind: [flagged, total]. */
  negativesFlagged: Map<string, [number, number]>;
  /** Found spans on ordinary text, by type. */
  ordinaryFound: Map<EntityType, Example[]>;
  ordinaryCount: number;
  seconds: number;
}

const exampleLimit = 4;

function contextOf(text: string, start: number, end: number): string {
  const before = text.slice(Math.max(0, start - 30), start);
  const after = text.slice(end, end + 20);
  const clip = (s: string) => JSON.stringify(s).slice(1, -1);
  const value = text.slice(start, end);
  return `${clip(before)}[${clip(value.length > 90 ? `${value.slice(0, 87)}…` : value)}]${clip(after)}`;
}

function remember(map: Map<EntityType, Example[]>, type: EntityType, example: Example, limit = exampleLimit): void {
  const list = map.get(type) ?? [];
  if (list.length < limit) list.push(example);
  map.set(type, list);
}

/** Runs `finder` over the labelled documents and the ordinary text, keeping counts and a few examples. */
export function evaluate(finder: Finder, documents: readonly LabelledDocument[], ordinary: string): FinderResult {
  const tally = new QualityTally();
  const missed = new Map<EntityType, Example[]>();
  const spurious = new Map<EntityType, Example[]>();
  const negativesFlagged = new Map<string, [number, number]>();
  const started = performance.now();
  for (const document of documents) {
    const found = finder.find(document.text);
    const comparison = tally.add(document.spans, found);
    for (const truth of comparison.missed) {
      const near = found.find((span) => span.start < truth.end && truth.start < span.end);
      remember(missed, truth.type, {
        text: document.text.slice(truth.start, truth.end),
        context: contextOf(document.text, truth.start, truth.end),
        ...(near ? { note: `found ${near.type} ${JSON.stringify(document.text.slice(near.start, near.end))}` } : {}),
      });
    }
    for (const span of comparison.spurious) {
      const near = document.spans.find((truth) => truth.start < span.end && span.start < truth.end);
      const negative = document.negatives.find((n) => n.start < span.end && span.start < n.end);
      remember(spurious, span.type, {
        text: document.text.slice(span.start, span.end),
        context: contextOf(document.text, span.start, span.end),
        ...(near ? { note: `truth ${near.type}` } : negative ? { note: `hard negative ${negative.kind}` } : {}),
      });
    }
    for (const negative of document.negatives) {
      const counts = negativesFlagged.get(negative.kind) ?? [0, 0];
      counts[1] += 1;
      if (found.some((span) => span.start < negative.end && negative.start < span.end)) counts[0] += 1;
      negativesFlagged.set(negative.kind, counts);
    }
  }
  const ordinaryFound = new Map<EntityType, Example[]>();
  let ordinaryCount = 0;
  // Scanned in paragraphs, as a pipeline would see records.
  for (const paragraph of ordinary.split('\n\n')) {
    for (const span of finder.find(paragraph)) {
      ordinaryCount += 1;
      remember(ordinaryFound, span.type, { text: paragraph.slice(span.start, span.end), context: '' }, 1_000_000);
    }
  }
  return {
    tally,
    missed,
    spurious,
    negativesFlagged,
    ordinaryFound,
    ordinaryCount,
    seconds: (performance.now() - started) / 1000,
  };
}

const fixed = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));

function row(label: string, ours: TypeScore, peer: TypeScore, peerDetects: boolean): string {
  const cells = (s: TypeScore, detects: boolean) =>
    detects || s.found > 0
      ? `${fixed(s.precision).padStart(6)} ${fixed(s.recall).padStart(6)} ${fixed(s.f2).padStart(6)}`
      : `${'—'.padStart(6)} ${fixed(s.truths > 0 ? 0 : undefined).padStart(6)} ${fixed(s.truths > 0 ? 0 : undefined).padStart(6)}`;
  return `  ${label.padEnd(20)} ${String(ours.truths).padStart(6)} │ ${cells(ours, true)} │ ${cells(peer, peerDetects)}`;
}

export interface QualityOptions {
  documents?: number;
  ordinaryBytes?: number;
  seed?: number;
  /** Print examples of misses and false positives for every type below this F2 (or precision). */
  exampleBelow?: number;
}

/** Scores our default scanner and the peer on the same corpus and prints the table. */
export async function runQuality(options: QualityOptions = {}): Promise<void> {
  const { documents: count = 3_000, ordinaryBytes = 4 << 20, seed = defaultSeed, exampleBelow = 0.95 } = options;
  const { defaultScanner } = await import('../../packages/mask/src/detectors/index.js');
  const documents = generateDocuments(count, seed);
  const ordinary = ordinaryText(ordinaryBytes, seed + 1);
  const labelledBytes = documents.reduce((sum, d) => sum + Buffer.byteLength(d.text), 0);
  const ordinaryMb = Buffer.byteLength(ordinary) / 1_048_576;

  const scanner = defaultScanner();
  const peer = new PeerRedactor();
  const ours = evaluate({ name: 'countersign', find: (text) => scanner.scan(text) }, documents, ordinary);
  const theirs = evaluate({ name: '@redactpii/node', find: (text) => peer.spans(text) }, documents, ordinary);

  console.log(
    `mask quality: ${count.toLocaleString('en-US')} labelled documents (${(labelledBytes / 1_048_576).toFixed(1)} MB, seed ${seed}), ` +
      `${ordinaryMb.toFixed(1)} MB of ordinary prose`,
  );
  console.log(`  match rule: ${matchRule}; F2 = 5PR/(4P+R)`);
  console.log(`  ${''.padEnd(20)} ${''.padStart(6)} │ ${'countersign'.padEnd(20)} │ @redactpii/node (default rules)`);
  console.log(
    `  ${'type'.padEnd(20)} ${'truth'.padStart(6)} │ ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F2'.padStart(6)} │ ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F2'.padStart(6)}`,
  );
  for (const type of builtinEntityTypes) {
    console.log(row(type, ours.tally.byType(type), theirs.tally.byType(type), peerTypes.has(type)));
  }
  const extra = ours.tally.types().filter((type) => !(builtinEntityTypes as readonly string[]).includes(type));
  for (const type of extra) console.log(row(type, ours.tally.byType(type), theirs.tally.byType(type), false));
  console.log(row('all types (micro)', ours.tally.overall(), theirs.tally.overall(), true));
  console.log(row("peer's 5 types", ours.tally.overall(peerTypes), theirs.tally.overall(peerTypes), true));

  const perMb = (n: number) => (n / ordinaryMb).toFixed(1);
  console.log(
    `  false positives on ordinary text: countersign ${perMb(ours.ordinaryCount)}/MB, @redactpii/node ${perMb(theirs.ordinaryCount)}/MB (MB = 2^20 bytes of UTF-8)`,
  );
  for (const [name, result] of [
    ['countersign', ours],
    ['@redactpii/node', theirs],
  ] as const) {
    if (result.ordinaryCount === 0) continue;
    const byType = [...result.ordinaryFound].map(([type, found]) => {
      const samples = [...new Set(found.map((f) => f.text))].slice(0, 3).map((t) => JSON.stringify(t));
      return `${type} ${found.length} (e.g. ${samples.join(', ')})`;
    });
    console.log(`    ${name}: ${byType.join('; ')}`);
  }
  for (const [name, result] of [
    ['countersign', ours],
    ['@redactpii/node', theirs],
  ] as const) {
    const flagged = [...result.negativesFlagged].filter(([, [hit]]) => hit > 0);
    let hits = 0;
    let total = 0;
    for (const [, [hit, all]] of result.negativesFlagged) {
      hits += hit;
      total += all;
    }
    console.log(
      `  hard negatives touched by a found span, ${name}: ${hits}/${total}${flagged.length ? ` (${flagged.map(([kind, [hit, all]]) => `${kind} ${hit}/${all}`).join(', ')})` : ''}`,
    );
  }
  if (theirs.tally.overall().found === 0 || peer.unaligned > 0) {
    console.log(`  peer outputs that could not be aligned with their input: ${peer.unaligned}`);
  }
  console.log(
    `  scan time over the labelled corpus: countersign ${ours.seconds.toFixed(2)} s, peer ${theirs.seconds.toFixed(2)} s`,
  );

  const weak = builtinEntityTypes.filter((type) => {
    const s = ours.tally.byType(type);
    return (s.f2 ?? 1) < exampleBelow || (s.precision ?? 1) < exampleBelow;
  });
  if (weak.length > 0) {
    console.log(`\n  countersign: types below ${exampleBelow} F2 or precision, with examples ([value] in context)`);
    for (const type of weak) {
      const s = ours.tally.byType(type);
      console.log(
        `  ${type}: P ${fixed(s.precision)} R ${fixed(s.recall)} (${s.found} found, ${s.matched}/${s.truths} matched)`,
      );
      for (const example of ours.missed.get(type) ?? [])
        console.log(`    missed   ${example.context}${example.note ? `  ← ${example.note}` : ''}`);
      for (const example of ours.spurious.get(type) ?? [])
        console.log(`    spurious ${example.context}${example.note ? `  ← ${example.note}` : ''}`);
    }
  }
}
