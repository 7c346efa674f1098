/**
 * The only ways this webview builds DOM: elements with attributes from a fixed list and text through
 * textContent. Trace text (addresses, options, payload, notes) is untrusted; it never goes through
 * innerHTML, an event-handler attribute, `style` or `href`.
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Attributes this file may set; anything else is a programming error. */
const SAFE_ATTRIBUTES = new Set([
  'class',
  'id',
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'dx',
  'dy',
  'd',
  'points',
  'width',
  'height',
  'rx',
  'ry',
  'viewBox',
  'xmlns',
  'transform',
  'text-anchor',
  'dominant-baseline',
  'data-line',
  'data-row',
  'data-index',
  'data-kind',
  'data-key',
  'tabindex',
  'role',
  'title',
  'value',
  'type',
  'selected',
  'for',
  'aria-label',
  'aria-pressed',
  'aria-live',
  'aria-hidden',
  'aria-expanded',
  'aria-selected',
  // Presentation attributes of the exported SVG (resolved theme colours, never trace text).
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'opacity',
]);

export type Attrs = Record<string, string | number | undefined>;

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (!SAFE_ATTRIBUTES.has(k)) throw new Error(`attribute ${k} is not allowed`);
    el.setAttribute(k, typeof v === 'number' ? String(Math.round(v * 100) / 100) : v);
  }
}

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  parent?: Element,
  text?: string,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  if (text !== undefined) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  parent?: Element,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  if (text !== undefined) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

export function clear(el: Element): void {
  while (el.lastChild) el.removeChild(el.lastChild);
}
