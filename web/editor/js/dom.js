// One helper to build elements without innerHTML (no markup from data, CSP-friendly).

/** `element('span', {className: 'x', dataset: {id: '1'}, title: 't'}, 'text', child)`. */
export function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onClick') node.addEventListener('click', value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A button that does `onClick`, named by `data-action` for tests and styles. */
export function actionButton(text, action, onClick, { title, disabled = false } = {}) {
  return element('button', { type: 'button', textContent: text, title, disabled, dataset: { action }, onClick });
}
