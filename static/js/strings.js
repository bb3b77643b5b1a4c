// The sentences the page's scripts show, in the page's language. The portal renders them through
// gettext into <script type="application/json" id="rris-strings"> (a data block: the CSP allows
// it); a sentence missing there is taken from the English the script gives, else shown as its key
// (so the scripts also run outside a page: in the Node tests). A sentence may come as one form per
// plural category ({"one": ..., "few": ..., "other": ...}), chosen by Intl.PluralRules for {count}.

const STRINGS_ID = "rris-strings";

/** A translated sentence with its {placeholders} filled in. */
export function fill(template, values = {}) {
  let text = String(template);
  for (const [name, value] of Object.entries(values)) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

/** The page's translated sentences, or none outside a page (or when the block is absent or broken). */
export function pageStrings(doc = globalThis.document) {
  const block = doc ? doc.getElementById(STRINGS_ID) : null;
  if (!block) {
    return {};
  }
  try {
    return JSON.parse(block.textContent) || {};
  } catch {
    return {};
  }
}

/** The page's language (<html lang>), English outside a page. */
export function pageLanguage(doc = globalThis.document) {
  return (doc && doc.documentElement && doc.documentElement.lang) || "en";
}

/**
 * The locale the page writes dates in (<html data-formats>: its language as written where the
 * reader works, "en-150", "sr-Latn-ME"), else the page's language.
 */
export function pageFormats(doc = globalThis.document) {
  const root = doc && doc.documentElement;
  return (root && root.dataset && root.dataset.formats) || pageLanguage(doc);
}

/** t(key, values): the sentence `key` of `strings`, else of `english`, in `language`'s plural forms. */
export function translator(strings, english = {}, language = "en") {
  let plurals;
  return (key, values = {}) => {
    let sentence = strings[key] ?? english[key] ?? key;
    if (typeof sentence === "object" && sentence !== null) {
      plurals = plurals || new Intl.PluralRules(language);
      sentence = sentence[plurals.select(Number(values.count ?? 0))] ?? sentence.other ?? key;
    }
    return fill(sentence, values);
  };
}

/** A translator of this page's sentences, with `english` standing in for any the page lacks. */
export function strings(english = {}) {
  return translator(pageStrings(), english, pageLanguage());
}

/** The page's sentences, for scripts whose every sentence the page renders. */
export const t = strings();

/**
 * A wall-clock time the server gave without a zone ("2026-01-13T09:00", in the department's
 * zone), written the way `language` writes a day and a time (day before month, 24 hours...).
 */
export function localDateTime(text, language = pageFormats()) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text || "");
  if (!parts) {
    return text;
  }
  const [year, month, day, hour, minute] = parts.slice(1).map(Number);
  // Formatted in UTC from UTC fields: the wall-clock time stays exactly as given.
  return new Intl.DateTimeFormat(language, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, day, hour, minute)));
}
