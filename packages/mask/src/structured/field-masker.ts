import { applyOperator, type MaskContext, maskSpans, type OperatorConfig } from '../operators/index.js';
import type { ColumnOperatorConfig } from '../policy/index.js';
import type { EntityType, Scanner, Span } from '../types.js';
import type { ColumnStats, ReportBuilder } from './report.js';

/** How one column (CSV) or field path (JSONL) is masked, with its report statistics at hand. */
export interface ColumnPlan {
  readonly name: string;
  readonly operator: Readonly<ColumnOperatorConfig>;
  /** The entity type the whole value is known to be (a typed `replace` rule, or a classified column). */
  readonly type: EntityType | undefined;
  readonly stats: ColumnStats;
}

/** Masks values column by column and records what it did in the report. */
export class FieldMasker {
  constructor(
    readonly scanner: Scanner,
    readonly findings: Readonly<OperatorConfig>,
    readonly context: MaskContext,
    readonly report: ReportBuilder,
  ) {}

  plan(name: string, operator: Readonly<ColumnOperatorConfig>, type?: EntityType): ColumnPlan {
    const ruleType = operator.operator === 'replace' ? operator.type : undefined;
    return { name, operator, type: ruleType ?? type, stats: this.report.column(name, operator.operator) };
  }

  /** Masks one value of `plan`'s column; `undefined` means drop it. Empty values stay empty. */
  mask(plan: ColumnPlan, value: string): string | undefined {
    const operator = plan.operator;
    if (operator.operator === 'drop') return undefined;
    if (value.length === 0) return value;
    if (operator.operator === 'scan') return this.maskFound(plan, value, this.scanner.scan(value));
    const stats = plan.stats;
    stats.values++;
    if (operator.operator === 'keep') return value;
    const out = applyOperator(value, operator, this.context, plan.type);
    if (out === undefined) return undefined;
    if (out !== value) stats.masked++;
    if (plan.type !== undefined) this.report.addTyped(stats, plan.name, plan.type, out);
    return out;
  }

  /** True when values of `plan` are scanned (callers batch those through `scanMany`). */
  scans(plan: ColumnPlan): boolean {
    return plan.operator.operator === 'scan';
  }

  /** Masks a scanned value given its findings (from `scanMany`). */
  maskFound(plan: ColumnPlan, value: string, spans: readonly Span[]): string {
    const stats = plan.stats;
    stats.values++;
    if (spans.length === 0) return value;
    const masked = maskSpans(value, spans, this.findings, this.context);
    this.report.addFindings(stats, plan.name, masked.spans, masked.text);
    if (masked.text !== value) stats.masked++;
    return masked.text;
  }

  /** Counts a value left as it is (a short number, a boolean under `scan`). */
  count(plan: ColumnPlan): void {
    plan.stats.values++;
  }
}
