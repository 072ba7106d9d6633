/**
 * HTML built safely: the `html` tag escapes every value it is given (text, numbers, arrays
 * of either) unless the value is itself Html, made by the tag. So a page assembled from
 * tenant data (object names, error messages, output contents) cannot be made to carry
 * markup: nothing reaches the page unescaped except the tag's own literal text.
 */

/** A piece of HTML made by the `html` tag (trusted: its literal parts are ours, its values escaped). */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** The tag: `html\`<td>${name}</td>\`` escapes `name`. undefined, null and false add nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) text += piece(values[i]) + (strings[i + 1] ?? '');
  return new Html(text);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** `text` safe in an element and in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c as keyof typeof ESCAPES]);
}

const ESCAPES = Object.freeze({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' });
