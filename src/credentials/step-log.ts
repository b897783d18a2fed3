/** Step-by-step verification bookkeeping shared by the credential formats (`verify --explain`). */
import type { ReasonCode } from '../shared/reasons.js';
import type { VerifyStep } from './types.js';

/**
 * Collects verification steps and the distinct failure reasons they imply, in order.
 * One per verify call.
 */
export class StepLog {
  readonly steps: VerifyStep[] = [];
  readonly failures: ReasonCode[] = [];

  pass(step: string, detail?: string): void {
    this.steps.push(detail === undefined ? { step, ok: true } : { step, ok: true, detail });
  }

  /**
   * A passed step made once ahead (a frozen module constant, passStep()): formats whose usual steps
   * never change text record them without making the same object on every scan.
   */
  passed(step: Readonly<VerifyStep>): void {
    this.steps.push(step);
  }

  fail(step: string, reason: ReasonCode, detail: string): void {
    this.steps.push({ step, ok: false, detail });
    if (!this.failures.includes(reason)) this.failures.push(reason);
  }

  get ok(): boolean {
    return this.failures.length === 0;
  }
}

/** A frozen passed step with a fixed text, for StepLog.passed(). */
export function passStep(step: string, detail?: string): Readonly<VerifyStep> {
  return Object.freeze(detail === undefined ? { step, ok: true } : { step, ok: true, detail });
}
