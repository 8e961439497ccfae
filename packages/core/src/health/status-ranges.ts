/** @module Matching a probe's status against the resolved `healthCheck.status` ranges. */

export function statusAccepted(status: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}

/** `200-399,418` for messages: the ranges as a user would write them. */
export function formatStatusRanges(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)).join(',');
}
