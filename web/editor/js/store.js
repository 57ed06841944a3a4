// This browser's own edit list, kept in localStorage so that a reload loses nothing. Several
// editors (browsers) each keep their own; every one sees all jobs through the API.
import { parseStoredList, storedList } from './editlist.js';

const KEY = 'lsc.editList';

export function loadEditList(storage = localStorage) {
  return parseStoredList(storage.getItem(KEY) ?? '');
}

export function saveEditList(items, storage = localStorage) {
  storage.setItem(KEY, storedList(items));
}
