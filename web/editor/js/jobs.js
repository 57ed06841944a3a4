// The jobs panel: every export job of this node (all editors see all jobs), with its state,
// a progress bar, cancel, and, once done, play and download.

import { actionButton, element } from './dom.js';

const ACTIVE = new Set(['queued', 'waiting', 'running']);

/** Output names of unfinished jobs (taken for new exports). */
export function activeOutputs(jobs) {
  return jobs.filter((j) => ACTIVE.has(j.state)).map((j) => j.output);
}

export class JobsPanel {
  /** `actions`: {cancel(id), play(output), downloadURL(output)} */
  constructor(list, actions) {
    this.list = list;
    this.actions = actions;
  }

  render(jobs) {
    const key = JSON.stringify(jobs.map((j) => [j.id, j.state, Math.round(j.progress * 100), j.error]));
    if (this.list.dataset.key === key) return;
    this.list.dataset.key = key;
    this.list.replaceChildren(...jobs.slice().reverse().map((job) => this.row(job)));
  }

  row(job) {
    const url = job.state === 'done' ? this.actions.downloadURL(job.output) : null;
    return element('li', { dataset: { id: job.id, state: job.state } },
      element('span', { className: 'title' }, `#${job.id} ${job.output} `,
        element('span', { className: `state ${job.state}`, textContent: job.state === 'waiting' ? 'waiting for live' : job.state })),
      element('span', { className: 'actions' },
        ACTIVE.has(job.state) ? actionButton('Cancel', 'cancel', () => this.actions.cancel(job.id)) : null,
        job.state === 'done' ? actionButton('Play', 'play', () => this.actions.play(job.output)) : null,
        url ? element('a', { href: url, download: job.output, textContent: 'Download', className: 'download' }) : null),
      element('progress', { max: 1, value: job.state === 'done' ? 1 : job.progress }),
      job.error ? element('span', { className: 'error', textContent: job.error }) : null);
  }
}
