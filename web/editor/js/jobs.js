// The jobs panel: every export job of this node (all editors see all jobs), with its state,
// a progress bar, cancel, and, once done, play and download.

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
    const li = document.createElement('li');
    li.dataset.id = job.id;
    li.dataset.state = job.state;
    const title = document.createElement('span');
    title.className = 'title';
    const state = document.createElement('span');
    state.className = `state ${job.state}`;
    state.textContent = job.state === 'waiting' ? 'waiting for live' : job.state;
    title.append(`#${job.id} ${job.output} `, state);
    const actions = document.createElement('span');
    actions.className = 'actions';
    if (ACTIVE.has(job.state)) {
      actions.append(button('Cancel', 'cancel', () => this.actions.cancel(job.id)));
    }
    if (job.state === 'done') {
      actions.append(button('Play', 'play', () => this.actions.play(job.output)));
      const url = this.actions.downloadURL(job.output);
      if (url) {
        const a = document.createElement('a');
        a.href = url;
        a.download = job.output;
        a.textContent = 'Download';
        a.className = 'download';
        actions.append(a);
      }
    }
    li.append(title, actions);
    const progress = document.createElement('progress');
    progress.max = 1;
    progress.value = job.state === 'done' ? 1 : job.progress;
    li.append(progress);
    if (job.error) {
      const error = document.createElement('span');
      error.className = 'error';
      error.textContent = job.error;
      li.append(error);
    }
    return li;
  }
}

function button(text, name, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.dataset.action = name;
  b.addEventListener('click', onClick);
  return b;
}
