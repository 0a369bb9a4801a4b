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

async function engine() {
  if (!pagefind) {
    pagefind = await import(`${base}pagefind/pagefind.js`);
    await pagefind.options({ baseUrl: base });
    await pagefind.init();
    // A large site's actions are in several indexes (a few thousand pages each): search them as one.
    for (const folder of JSON.parse(form.dataset.moreIndexes || "[]")) {
      await pagefind.mergeIndex(`${base}${folder}`, { baseUrl: base });
    }
  }
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

function resultItem(record) {
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
  if (record.excerpt) li.appendChild(excerptNode(record.excerpt));
  return li;
}

async function showNext() {
  const batch = pending.splice(0, PAGE);
  const records = await Promise.all(batch.map((r) => r.data()));
  list.append(...records.map(resultItem));
  moreWrap.hidden = pending.length === 0;
}

// --- When nothing is found ------------------------------------------------------------------

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

const plain = (text) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

// The query with each word that is one slip away from a glossary term ("CAHMS") replaced by
// the term; or, when nothing was found, the term whose meaning the query spells out. Pagefind
// answers a word it does not know with the words that begin it ("AHMP" finds every "a"), so a
// close term is offered even when there are results. Null if no term is close.
const squash = (text) => plain(text).replace(/ /g, "");

function glossarySuggestion(query, nothingFound) {
  const terms = JSON.parse(help.dataset.terms || "[]").filter(([term]) => squash(term).length >= 3);
  if (nothingFound) {
    const spelledOut = terms.find(([, meaning]) => plain(meaning) === plain(query));
    if (spelledOut) return spelledOut[0];
  }
  let changed = false;
  const words = query.split(/\s+/).map((word) => {
    const w = squash(word);
    if (w.length < 3 || terms.some(([term]) => squash(term) === w)) return word;
    let best = null;
    let bestDistance = w.length <= 5 ? 1 : 2;
    for (const [term] of terms) {
      const d = distance(w, squash(term));
      if (d <= bestDistance && (!best || d < bestDistance)) {
        best = term;
        bestDistance = d;
      }
    }
    if (!best) return word;
    changed = true;
    return best;
  });
  return changed ? words.join(" ") : null;
}

// Below the status: a close glossary term, and when nothing was found, ways to widen the search.
function showHelp(query, filters, suggestion, nothingFound) {
  help.replaceChildren();
  const options = document.createElement("ul");
  const add = (...nodes) => {
    const li = document.createElement("li");
    li.append(...nodes);
    options.appendChild(li);
  };
  if (suggestion) add("Did you mean ", searchLink(suggestion, { q: suggestion }), "?");
  if (nothingFound) {
    if (filters.area) add(searchLink("Search all areas", { area: "" }));
    if (Object.keys(filters).some((name) => name !== "area")) {
      add(searchLink("Clear the filters", Object.fromEntries(FILTERS.map((name) => [name, ""]))));
    }
    add(query ? "Try fewer words, other words or another spelling." : "Try some words.");
    const lead = document.createElement("p");
    lead.textContent = "You could:";
    help.appendChild(lead);
  }
  if (!options.children.length) return;
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
  status.textContent = ""; // so that the same outcome twice is announced twice, and only once
  let message;
  try {
    if (!query && Object.keys(filters).length === 0) {
      message = "Type some words or choose a filter, then press Search.";
      return;
    }
    let results;
    try {
      const pf = await engine();
      const search = await pf.search(query || null, { filters });
      results = search.results;
      const ref = actionReference(query, filters);
      if (ref) {
        // The action with that number in that area comes first.
        const exact = [];
        for (const area of ref.areas) {
          const found = await pf.search(null, { filters: { ...filters, area, number: ref.number } });
          exact.push(...found.results);
        }
        const ids = new Set(exact.map((r) => r.id));
        results = [...exact, ...results.filter((r) => !ids.has(r.id))];
      }
    } catch (error) {
      message = "Search could not load. Please try again, or browse the plans by area.";
      return;
    }
    pending = results.slice();
    const n = pending.length;
    await showNext();
    const suggestion = query ? glossarySuggestion(query, n === 0) : null;
    showHelp(query, filters, suggestion, n === 0);
    message = n === 0
      ? `No actions found${describe(query, filters)}.`
      : `${n} action${n === 1 ? "" : "s"} found${describe(query, filters)}.`;
    if (suggestion) message += ` Did you mean ${suggestion}?`;
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
  run();
});

moreButton.addEventListener("click", async () => {
  const first = list.children.length;
  await showNext();
  const link = list.children[first]?.querySelector("a");
  if (link) link.focus();
});

const params = new URLSearchParams(location.search);
fillForm(params);
if ([...params.values()].some(Boolean)) run();
