export { ScheduleError } from './errors.js';
export { isValidTimeZone } from './zone.js';
export { nextSlots, slotsAfter, SLOT_LIST_LIMIT, SEARCH_LIMIT_MONTHS } from './slots.js';
export type { ScheduleSpec } from './slots.js';
export { checkSchedule } from './check.js';
export { describeSchedule } from './describe.js';
export {
  planSlots,
  DEFAULT_ON_TIME_WINDOW_MS,
  MAX_CATCH_UP_LIMIT,
  MIN_TICK_INTERVAL_MINUTES,
  MISSED_COUNT_CAP,
  MISSED_COUNT_SPAN_DAYS,
  MISSED_LIST_LIMIT,
} from './plan.js';
export type { SlotPlan, SlotPlanInput } from './plan.js';
