// Accessible search on Pagefind's JavaScript API: a real form, labelled filters, the outcome of
// each search announced once in a live region, results as a plain list of links.
const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const help = document.getElementById("search-help");
const moreWrap = document.getElementById("search-more-wrap");
const moreButton = document.getElementById("search-more");
const base = form.dataset.base;
const FILTERS = ["area", "theme", "organisation", "status"];
const FILTER_WORDS = { area: "in", theme: "in the theme", organisation: "led by", status: "with the status" };
const PAGE = 20;
const LONG = 120; // characters of a lead or timescale shown in a result
let pagefind = null;
let pending = [];

// Loaded once, from the first of: the search box getting focus (so the first search on a slow
// phone does not wait for it), or a search.
function engine() {
  pagefind ??= (async () => {
    const pf = await import(`${base}pagefind/pagefind.js`);
    await pf.options({ baseUrl: base });
    await pf.init();
    // A large site's actions are in several indexes (a few thousand pages each): search them as one.
    for (const folder of JSON.parse(form.dataset.moreIndexes || "[]")) {
      await pf.mergeIndex(`${base}${folder}`, { baseUrl: base });
    }
    return pf;
  })().catch((error) => {
    pagefind = null; // try again on the next search
    throw error;
  });
  return pagefind;
}

function readForm() {
  const data = new FormData(form);
  const filters = {};
  for (const name of FILTERS) {
    const value = data.get(name);
    if (value) filters[name] = value;
  }
  return { query: (data.get("q") || "").trim(), filters };
}

function fillForm(params) {
  form.elements.q.value = params.get("q") || "";
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value !== null) form.elements[name].value = value;
  }
  // The filters are folded away (so results show first on a phone), unless some are in use.
  if (FILTERS.some((name) => params.get(name))) form.querySelector(".filters-toggle").open = true;
}

// "Kent 2.33", "action 17 Nottingham", or "2.1" with an area chosen: an action's number within
// an area. Returns the number and the areas the other words name, or null.
const NUMBER = /^\d+(?:\.\d+)*[a-z]?$/i;
const NOISE = new Set(["action", "no", "number", "#"]);

function actionReference(query, filters) {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w && !NOISE.has(w));
  const numbers = words.filter((w) => NUMBER.test(w));
  if (numbers.length !== 1) return null;
  const rest = words.filter((w) => !NUMBER.test(w));
  const areas = [...form.elements.area.options].map((o) => o.value).filter(Boolean).filter((name) => {
    const nameWords = name.toLowerCase().split(/\s+/);
    return rest.every((w) => nameWords.some((n) => n.startsWith(w)));
  });
  if (filters.area) {
    return areas.includes(filters.area) ? { number: numbers[0], areas: [filters.area] } : null;
  }
  return rest.length && areas.length ? { number: numbers[0], areas } : null;
}

// Pagefind's excerpt is the page's text with "<" and ">" escaped and <mark> around each matching
// word; its index holds text, never markup. Rebuild it as text and <mark> elements, keeping
// every space, so that nothing from the index can become markup.
function excerptNode(excerpt) {
  const p = document.createElement("p");
  p.className = "result-excerpt";
  excerpt.split(/<\/?mark>/).forEach((part, i) => {
    const text = document.createTextNode(part.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
    if (i % 2 === 1) {
      const mark = document.createElement("mark");
      mark.appendChild(text);
      p.appendChild(mark);
    } else if (part) {
      p.appendChild(text);
    }
  });
  return p;
}

function shorten(text) {
  if (!text || text.length <= LONG) return text || "";
  return `${text.slice(0, LONG).replace(/\s+\S*$/, "")}…`;
}

// --- The words searched for ------------------------------------------------------------------
// Pagefind reads a query as lower-case words without punctuation ("A&E" is "ae"), stems each
// ("carers" is "carer") and matches every indexed word that begins with the stem, so "police"
// also finds "policy"; a word that begins no indexed word it answers with the longest indexed
// word that begins it ("Orpington" finds every "or", "polise" every "SPoA"). So each word is
// also looked up on its own with Pagefind's exact search (`"word"`: the same stem, nothing
// longer or shorter), and an action is a result only if it has every word. Pagefind still
// ranks them. One-letter words ("b", "a") are not searched for at all.
const DROPPED = /[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}+]/gu; // Pagefind's ("A/E" is "ae"), and "+" ("A+E")
const indexForm = (text) => text.toLowerCase().replace(DROPPED, "").replace(/\s+/g, " ").trim();
const glossary = () => JSON.parse(help.dataset.terms || "[]"); // [term, meaning, spellings]

// What is searched for: the query's index words, with "A and E", "A & E" and "A+E" as "ae" (as
// "A&E" is), and, as phrases, the glossary meanings it writes out ("accident and emergency"):
// an action must have the phrase, which the index gives every action that uses the term
// (concordat/search.py, other_names), as it gives the term to those that write it out. The
// term is ranked on too, so that actions using the abbreviation rank beside those spelling it.
function searchWords(query) {
  let q = ` ${indexForm(query.replace(/\s+[&+/]\s+/g, " and "))} `;
  q = q.replace(/ (\p{L}) and (\p{L})(?= )/gu, " $1$2");
  const spelled = glossary().flatMap(([term, , spellings]) => spellings.map((s) => [s, indexForm(term)]))
    .filter(([spelling]) => q.includes(` ${spelling} `));
  return {
    words: q.split(" ").filter((w) => w.length > 1),
    phrases: spelled.map(([spelling]) => spelling),
    terms: spelled.map(([, term]) => term),
  };
}

// For each word or phrase, the actions that have it (result id -> where in the action's text).
async function lookUp(pf, words) {
  const found = new Map();
  for (const word of new Set(words)) {
    const search = await pf.search(`"${word}"`);
    found.set(word, new Map(search.results.map((r) => [r.id, r.words])));
  }
  return found;
}

// The word as the reader typed it, for messages ("Orpington", not "orpington").
function asTyped(query, word) {
  return query.split(/\s+/).find((typed) => indexForm(typed) === word) || word;
}

// --- Results ------------------------------------------------------------------------------

// Pagefind's own excerpt marks every word its search matched, "policy" too in a search for
// "police". Where the exact words are known, the excerpt is made here instead, the way Pagefind
// makes it: the 30 words of the action's text with the most of them, each of them marked.
const EXCERPT = 30;

function exactExcerptNode(content, marked) {
  const words = content.split(/\s+/);
  const hits = [...marked].filter((at) => at < words.length).sort((a, b) => a - b);
  let start = 0;
  if (words.length > EXCERPT && hits.length) {
    let best = -1;
    for (const first of hits) {
      const from = Math.max(0, Math.min(first - 2, words.length - EXCERPT));
      const count = hits.filter((at) => at >= from && at < from + EXCERPT).length;
      if (count > best) [best, start] = [count, from];
    }
  }
  const p = document.createElement("p");
  p.className = "result-excerpt";
  const shown = words.slice(start, start + EXCERPT);
  shown.forEach((word, i) => {
    if (i) p.append(" ");
    if (marked.has(start + i)) {
      const mark = document.createElement("mark");
      mark.textContent = word;
      p.appendChild(mark);
    } else {
      p.append(word);
    }
  });
  return p;
}

function resultItem(record, marked) {
  const meta = record.meta;
  const li = document.createElement("li");
  const h = document.createElement("h2");
  const a = document.createElement("a");
  a.href = record.url;
  const ref = document.createElement("span");
  ref.className = "result-ref";
  ref.textContent = meta.number ? `${meta.area} · ${meta.label || `Action ${meta.number}`}` : meta.area || "";
  a.append(ref, " ", meta.title || record.url);
  h.appendChild(a);
  li.appendChild(h);
  const facts = document.createElement("ul");
  facts.className = "result-facts";
  for (const [label, value] of [["Status", meta.status], ["Lead", meta.lead], ["Timescale", meta.timescale]]) {
    if (!value) continue;
    const item = document.createElement("li");
    item.textContent = `${label}: ${shorten(value)}`;
    facts.appendChild(item);
  }
  li.appendChild(facts);
  if (marked && record.content) li.appendChild(exactExcerptNode(record.content, marked));
  else if (record.excerpt) li.appendChild(excerptNode(record.excerpt));
  return li;
}

// The words each query word matched exactly, for the search shown: word -> Map(result id ->
// where in the action's text), and the forms found there ("police", "Police/SEPT.").
let exactWords = null;
let exactForms = new Set();

// Where a result's excerpt is to mark: the words Pagefind matched that are exact matches.
// (Pagefind's exact search gives a word's first place in each action, so the forms found at
// those places, on every result shown so far, say which of its other matches are exact.)
function exactMarks(batch, records) {
  const texts = records.map((record) => record.content.split(/\s+/));
  batch.forEach((result, i) => {
    for (const places of exactWords.values()) {
      for (const at of places.get(result.id) || []) exactForms.add(indexForm(texts[i][at] || ""));
    }
  });
  return records.map((record, i) => {
    const marked = new Set(record.locations.filter((at) => exactForms.has(indexForm(texts[i][at] || ""))));
    return marked.size === record.locations.length ? null : marked; // null: Pagefind's excerpt is right
  });
}

async function showNext() {
  const batch = pending.splice(0, PAGE);
  const records = await Promise.all(batch.map((r) => r.data()));
  const marks = exactWords ? exactMarks(batch, records) : [];
  list.append(...records.map((record, i) => resultItem(record, marks[i])));
  moreWrap.hidden = pending.length === 0;
}

// --- When nothing is found, or a word is in no action -----------------------------------------

function searchLink(text, changes) {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value) params.set(key, value); else params.delete(key);
  }
  const a = document.createElement("a");
  a.href = `${location.pathname}?${params}`;
  a.textContent = text;
  return a;
}

// Optimal string alignment distance: a typing slip (one letter wrong, missing, extra or two
// swapped) costs 1.
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

// The words the plans use, most used first (written by the build: search/words.txt), fetched
// only when a search has a word no action uses.
let vocabulary = null;
function plansWords() {
  vocabulary ||= fetch(`${base}search/words.txt`)
    .then((response) => (response.ok ? response.text() : ""))
    .then((text) => text.split("\n").filter(Boolean))
    .catch(() => []);
  return vocabulary;
}

// The closest glossary term ("CAHMS": CAMHS) or, failing that, the closest word the plans use,
// most used first ("polise": police): one slip away for a short word, two for a longer one.
function closest(word, words) {
  const limit = word.length <= 5 ? 1 : 2;
  const best = (candidates) => {
    let found = null;
    let foundDistance = limit + 1;
    for (const [candidate, key] of candidates) {
      if (Math.abs(key.length - word.length) >= foundDistance || key === word) continue;
      const d = distance(word, key);
      if (d < foundDistance) [found, foundDistance] = [candidate, d];
    }
    return found;
  };
  const terms = glossary().map(([term]) => [term, indexForm(term)]).filter(([, key]) => key.length >= 3);
  return best(terms) || best(words.map((w) => [w, w]));
}

async function suggestion(query, unknown) {
  const words = await plansWords();
  let changed = false;
  const suggested = query.split(/\s+/).map((typed) => {
    const word = indexForm(typed);
    if (!unknown.includes(word) || word.length < 3) return typed;
    const close = closest(word, words);
    if (!close) return typed;
    changed = true;
    return close;
  });
  return changed ? suggested.join(" ") : null;
}

function quoteWords(words) {
  const quoted = words.map((w) => `“${w}”`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
}

// Below the status: a spelling close to a word no action uses, and ways to widen the search.
function showHelp(query, filters, { suggested = null, unknown = [], nothingFound = false } = {}) {
  help.replaceChildren();
  const options = document.createElement("ul");
  const add = (...nodes) => {
    const li = document.createElement("li");
    li.append(...nodes);
    options.appendChild(li);
  };
  if (suggested) add("Did you mean ", searchLink(suggested, { q: suggested }), "?");
  if (unknown.length) {
    const rest = query.split(/\s+/).filter((typed) => !unknown.includes(indexForm(typed))).join(" ");
    if (searchWords(rest).words.length) add(searchLink(`Search for “${rest}” only`, { q: rest }));
    add("Try another word or spelling.");
  } else if (nothingFound) {
    if (filters.area) add(searchLink("Search all areas", { area: "" }));
    if (Object.keys(filters).some((name) => name !== "area")) {
      add(searchLink("Clear the filters", Object.fromEntries(FILTERS.map((name) => [name, ""]))));
    }
    add(query ? "Try fewer words, other words or another spelling." : "Try some words.");
  }
  if (!options.children.length) return;
  if (nothingFound) {
    const lead = document.createElement("p");
    lead.textContent = "You could:";
    help.appendChild(lead);
  }
  help.appendChild(options);
  help.hidden = false;
}

function describe(query, filters) {
  const what = query ? ` for “${query}”` : "";
  const narrowed = Object.entries(filters).map(([name, value]) => ` ${FILTER_WORDS[name]} ${value}`).join(",");
  return `${what}${narrowed}`;
}

async function run() {
  const { query, filters } = readForm();
  list.replaceChildren();
  list.setAttribute("aria-busy", "true");
  help.hidden = true;
  moreWrap.hidden = true;
  exactWords = null;
  status.textContent = ""; // so that the same outcome twice is announced twice, and only once
  let message;
  try {
    if (!query && Object.keys(filters).length === 0) {
      message = "Type some words or choose a filter, then press Search.";
      return;
    }
    const { words, phrases, terms } = query ? searchWords(query) : { words: [], phrases: [], terms: [] };
    if (query && !words.length) {
      message = `No actions found for “${query}”: one letter on its own is not searched for. Type a word.`;
      return;
    }
    let results;
    let unknown = [];
    try {
      const pf = await engine();
      const ref = actionReference(query, filters);
      if (ref) {
        // "Kent 2.33": the action with that number in that area first, then what the words find.
        results = (await pf.search(query, { filters })).results;
        const exact = [];
        for (const area of ref.areas) {
          const found = await pf.search(null, { filters: { ...filters, area, number: ref.number } });
          exact.push(...found.results);
        }
        const ids = new Set(exact.map((r) => r.id));
        results = [...exact, ...results.filter((r) => !ids.has(r.id))];
      } else if (words.length) {
        const found = await lookUp(pf, words);
        unknown = words.filter((word) => found.get(word).size === 0);
        results = [];
        if (!unknown.length) {
          const search = await pf.search([...words, ...terms].join(" "), { filters });
          const inPhrase = await lookUp(pf, phrases);
          results = search.results.filter((r) => words.every((word) => found.get(word).has(r.id))
            && phrases.every((phrase) => inPhrase.get(phrase).has(r.id)));
          exactWords = found;
          exactForms = new Set(words);
        }
      } else {
        results = (await pf.search(null, { filters })).results;
      }
    } catch (error) {
      message = "Search could not load. Please try again, or browse the plans by area.";
      return;
    }
    pending = results.slice();
    const n = pending.length;
    await showNext();
    if (unknown.length) {
      const typed = unknown.map((word) => asTyped(query, word));
      const suggested = await suggestion(query, unknown);
      showHelp(query, filters, { suggested, unknown, nothingFound: true });
      const uses = `no action uses the word${typed.length > 1 ? "s" : ""} ${quoteWords(typed)}.`;
      // Only words no action uses: say just that (no filter could help).
      message = unknown.length === new Set(words).size ? `N${uses.slice(1)}` : `No actions found${describe(query, filters)}: ${uses}`;
      if (suggested) message += ` Did you mean ${suggested}?`;
    } else {
      showHelp(query, filters, { nothingFound: n === 0 });
      message = n === 0
        ? `No actions found${describe(query, filters)}.`
        : `${n} action${n === 1 ? "" : "s"} found${describe(query, filters)}.`;
    }
  } finally {
    list.removeAttribute("aria-busy");
    // Announce the outcome once, when the results are on the page.
    status.textContent = message;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams(new FormData(form));
  for (const [key, value] of [...params]) if (!value) params.delete(key);
  history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  run().then(outcomeInView);
});

// On a small screen or with large text, bring the outcome into view: otherwise Search seems to do nothing.
function outcomeInView() {
  if (status.getBoundingClientRect().bottom > window.innerHeight) status.scrollIntoView({ block: "start" });
}

moreButton.addEventListener("click", async () => {
  const first = list.children.length;
  await showNext();
  const link = list.children[first]?.querySelector("a");
  if (link) link.focus();
});

form.elements.q.addEventListener("focus", () => engine().catch(() => {}), { once: true });
// While a word is typed, fetch the part of the index it is in.
form.elements.q.addEventListener("input", () => {
  const typed = form.elements.q.value.trim();
  if (typed) engine().then((pf) => pf.preload(typed)).catch(() => {});
});

const params = new URLSearchParams(location.search);
fillForm(params);
if ([...params.values()].some(Boolean)) run().then(outcomeInView);
