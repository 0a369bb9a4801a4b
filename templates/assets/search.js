// Accessible search on Pagefind's JavaScript API: a real form, labelled filters,
// the number of results announced in a live region, results as a plain list of links.
const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreWrap = document.getElementById("search-more-wrap");
const moreButton = document.getElementById("search-more");
const base = form.dataset.base;
const FILTERS = ["area", "theme", "organisation", "status"];
const PAGE = 20;
let pagefind = null;
let pending = [];

async function engine() {
  if (!pagefind) {
    pagefind = await import(`${base}pagefind/pagefind.js`);
    await pagefind.options({ baseUrl: base });
    await pagefind.init();
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

// Excerpts come back as HTML with <mark> around matches; rebuild them from text so
// nothing but the highlight can ever reach the page.
function excerptNode(excerpt) {
  const p = document.createElement("p");
  const parts = excerpt.split(/<\/?mark>/);
  parts.forEach((part, i) => {
    const text = document.createTextNode(
      new DOMParser().parseFromString(part, "text/html").documentElement.textContent,
    );
    if (i % 2 === 1) {
      const mark = document.createElement("mark");
      mark.appendChild(text);
      p.appendChild(mark);
    } else {
      p.appendChild(text);
    }
  });
  return p;
}

async function showNext() {
  const batch = pending.splice(0, PAGE);
  const records = await Promise.all(batch.map((r) => r.data()));
  for (const record of records) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = record.url;
    a.textContent = record.meta.title || record.url;
    const h = document.createElement("h2");
    h.appendChild(a);
    li.appendChild(h);
    const facts = document.createElement("p");
    facts.className = "result-facts";
    const area = (record.filters.area || []).join(", ");
    const state = (record.filters.status || []).join(", ");
    facts.textContent = [area, state && `Status: ${state}`].filter(Boolean).join(" · ");
    li.appendChild(facts);
    li.appendChild(excerptNode(record.excerpt || ""));
    list.appendChild(li);
  }
  moreWrap.hidden = pending.length === 0;
}

async function run() {
  const { query, filters } = readForm();
  list.replaceChildren();
  moreWrap.hidden = true;
  if (!query && Object.keys(filters).length === 0) {
    status.textContent = "Type some words or choose a filter, then press Search.";
    return;
  }
  status.textContent = "Searching…";
  let search;
  try {
    const pf = await engine();
    search = await pf.search(query || null, { filters });
  } catch (error) {
    status.textContent = "Search could not load. Please try again, or browse the plans by area.";
    return;
  }
  pending = search.results.slice();
  const n = pending.length;
  const what = query ? ` for “${query}”` : "";
  const narrowed = Object.keys(filters).length ? " with the filters chosen" : "";
  await showNext();
  // Announce the count only once the results are on the page.
  status.textContent = n === 0
    ? `No actions found${what}${narrowed}.`
    : `${n} action${n === 1 ? "" : "s"} found${what}${narrowed}.`;
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
