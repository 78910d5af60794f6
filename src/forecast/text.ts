/**
 * Forecast wording shared by the people-facing outputs (table; markdown can use it too). Pure.
 */
import type { KeyForecast } from '../model/types.js';
import { fmtRate } from './forecast.js';
import { fmtDays } from './severity.js';
import { duration } from '../report/units.js';

/** Lines for a table cell: days left, date, rate, the fix's estimate, and the rule that set the severity. */
export function forecastLines(fc: KeyForecast): string[] {
  const fix = fc.migrationDays ? `fix ≤ ${duration(fc.migrationDays.high * 86_400)}` : undefined;
  const rule = fc.rule === 'migration' ? 'by migration rule' : undefined;
  switch (fc.status) {
    case 'exhausted':
      return ['none left'];
    case 'unknown':
      return [`unknown (${fc.observations} obs.)`, ...(fix ? [fix] : [])];
    case 'not-growing':
      return ['not growing', ...(fix ? [fix] : [])];
    case 'ok':
      return [`${fmtDays(fc.daysLeft!)} days`, fc.date ?? 'after 9999', `${fmtRate(fc.idsPerDay!)}/day`, ...(fix ? [fix] : []), ...(rule ? [rule] : [])];
  }
}

/** One line: "12.0 days left (2024-03-05) at 60,000,000 ids/day; widening takes ≤ 0.35 days". */
export function forecastSummary(fc: KeyForecast): string {
  const fix = fc.migrationDays ? `; widening takes ≤ ${duration(fc.migrationDays.high * 86_400)}` : '';
  switch (fc.status) {
    case 'exhausted':
      return 'no ids left';
    case 'unknown':
      return `forecast unknown (${fc.observations} usable observation${fc.observations === 1 ? '' : 's'})${fix}`;
    case 'not-growing':
      return `not growing over ${fc.windowDays} days${fix}`;
    case 'ok':
      return `${fmtDays(fc.daysLeft!)} days left (${fc.date ?? 'after 9999'}) at ${fmtRate(fc.idsPerDay!)} ids/day${fix}`;
  }
}
