// The scripts' sentences in the page's language (static/js/strings.js): the page's strings block
// first, the script's English next, the key last; plural forms by Intl.PluralRules; dates by Intl.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { localDateTime, pageFormats, pageLanguage, pageStrings, strings, t, translator } from "../../static/js/strings.js";

// A stand-in for the page: <html lang data-formats> and the strings block's text.
function page(lang, blockText, formats) {
  return {
    documentElement: { lang, dataset: formats ? { formats } : {} },
    getElementById: (id) => (id === "rris-strings" && blockText !== null ? { textContent: blockText } : null),
  };
}

describe("the page's sentences", () => {
  it("come from the strings block, then the script's English, then show the key", () => {
    const text = translator({ greet: "Zdravo, {name}!" }, { greet: "Hello, {name}!", bye: "Goodbye." });
    assert.equal(text("greet", { name: "Jelena" }), "Zdravo, Jelena!");
    assert.equal(text("bye"), "Goodbye.");
    assert.equal(text("missing_key"), "missing_key");
  });

  it("pick the plural form the page's language uses for the count", () => {
    const serbian = translator(
      { fits: { one: "{count} prevodilac odgovara.", few: "{count} prevodioca odgovaraju.", other: "{count} prevodilaca odgovara." } },
      {}, "sr-Latn",
    );
    assert.equal(serbian("fits", { count: 1 }), "1 prevodilac odgovara.");
    assert.equal(serbian("fits", { count: 3 }), "3 prevodioca odgovaraju.");
    assert.equal(serbian("fits", { count: 5 }), "5 prevodilaca odgovara.");
    assert.equal(serbian("fits", { count: 21 }), "21 prevodilac odgovara.");
    // A form the catalogue lacks falls back to "other".
    const arabic = translator({ fits: { one: "one", other: "{count} other" } }, {}, "ar");
    assert.equal(arabic("fits", { count: 2 }), "2 other");
  });

  it("are read from the page's block, and none from a missing or broken one", () => {
    assert.deepEqual(pageStrings(page("ps", '{"left": "تاسو له غونډې ووتلئ."}')), { left: "تاسو له غونډې ووتلئ." });
    assert.deepEqual(pageStrings(page("ps", "{not json")), {});
    assert.deepEqual(pageStrings(page("ps", null)), {});
    assert.deepEqual(pageStrings(undefined), {});
    assert.equal(pageLanguage(page("sr-Cyrl", null)), "sr-Cyrl");
    assert.equal(pageLanguage(undefined), "en");
  });

  it("outside a page (these tests) fall back to English, so the scripts' own tests keep working", () => {
    assert.equal(t("state_connected"), "state_connected");
    assert.equal(strings({ ok: "Fine." })("ok"), "Fine.");
  });
});

describe("a wall-clock time in the page's language", () => {
  it("puts the day before the month and uses a 24-hour clock where the language does", () => {
    const serbian = localDateTime("2026-01-13T09:00", "sr-Latn");
    assert.match(serbian, /13\. jan/);
    assert.match(serbian, /09:00/);
    assert.match(localDateTime("2026-01-13T17:30", "tr"), /17:30/);
    assert.match(localDateTime("2026-01-13T17:30", "en"), /05:30\s?PM/);
  });

  it("is written in the page's formats: English pages as English is written in Europe", () => {
    assert.equal(pageFormats(page("en", null, "en-150")), "en-150");
    assert.equal(pageFormats(page("sr-Latn", null, "sr-Latn-ME")), "sr-Latn-ME");
    assert.equal(pageFormats(page("tr", null)), "tr");  // a page that names none: its language
    assert.equal(pageFormats(undefined), "en");
    const english = localDateTime("2026-01-13T17:30", pageFormats(page("en", null, "en-150")));
    assert.match(english, /13 Jan/);
    assert.match(english, /17:30/);
  });

  it("keeps the time as given, whatever the computer's own zone", () => {
    assert.match(localDateTime("2026-03-29T02:30", "en-GB"), /02:30/);  // a DST gap in Europe: still 02:30
  });

  it("leaves anything that is not such a time as it is", () => {
    assert.equal(localDateTime("soon", "en"), "soon");
  });
});
