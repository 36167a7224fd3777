import {createCalendar, destroyCalendar, DayGrid, Interaction, List, ResourceTimeGrid, TimeGrid} from '@event-calendar/core';
export function create(target, options) {
  return createCalendar(target, [DayGrid, Interaction, List, ResourceTimeGrid, TimeGrid], options);
}
export {destroyCalendar as destroy};
