// Output names: the same rules as the server (HighlightEditList.validateOutputName), checked
// before sending, and a proposal that no output or running job uses yet.

const encoder = new TextEncoder();

/** null when `name` is a valid output name, else the reason, worded for the user. */
export function outputNameProblem(name) {
  if (typeof name !== 'string' || name.length === 0) return 'enter an output name';
  if (name.includes('/') || name.includes('\\')) return 'the name must not contain / or \\';
  if (name.includes('..')) return 'the name must not contain ..';
  if (name.startsWith('.')) return 'the name must not start with a dot';
  if (encoder.encode(name).length > 200) return 'the name is longer than 200 bytes';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name must not contain control characters';
  if (!/\.(f4v|mp4)$/i.test(name)) return 'the name must end in .f4v or .mp4';
  return null;
}

/** null when valid and unused, else the reason. `taken` holds existing outputs and names of unfinished jobs. */
export function outputNameError(name, taken) {
  const problem = outputNameProblem(name);
  if (problem) return problem;
  if (taken.has(name)) return `${name} exists already`;
  return null;
}

/** The first free `<base>-<n>.f4v`, n from 1. */
export function proposeOutputName(taken, base = 'highlight') {
  const stem = sanitizeStem(base) || 'highlight';
  for (let n = 1; ; n++) {
    const candidate = `${stem}-${n}.f4v`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A stem usable in a file name: letters, digits, - and _ only, at most 60 characters. */
export function sanitizeStem(text) {
  return String(text ?? '').replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}
