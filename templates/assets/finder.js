// Which plan covers my town or council. The answers are written by the build (concordat/places.py)
// into places/finder.json; this only normalises what was typed by the same rule and shows them.
// On the search page it answers a search that names a place, above the results.
const form = document.querySelector("form[data-finder]");
const out = document.getElementById("finder-answer");
let data = null;

function load(url) {
  data ??= fetch(url).then((response) => response.json());
  return data;
}

function normalise(text, generic) {
  return text.toLocaleLowerCase("en-GB").replace(/[^\p{L}\p{N}]+/gu, " ").split(" ")
    .filter((word) => word && !generic.includes(word)).join(" ");
}

function paragraph(text) {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// The answers for what was typed: the place itself, or else the places whose names begin with it.
function lookUp(finder, typed, exactOnly) {
  const key = normalise(typed, finder.generic_words);
  if (!key) return null;
  if (finder.answers[key]) return finder.answers[key];
  if (exactOnly || key.length < 3) return [];
  return Object.keys(finder.answers).filter((name) => name.startsWith(key))
    .sort().slice(0, 8).flatMap((name) => finder.answers[name]);
}

function show(finder, typed, found, base, places) {
  const parts = [];
  for (const answer of found) {
    const p = paragraph(answer.text + " ");
    p.append(link(base + answer.url, `Read the ${answer.area} plan`));
    parts.push(p);
  }
  if (!found.length) {
    parts.push(paragraph(finder.miss.replace("{place}", typed.trim())));
    const ask = paragraph(finder.ask + " ");
    ask.append(link(`mailto:${finder.contact}`, finder.contact), ".");
    parts.push(ask);
    if (places) {
      const all = paragraph("");
      all.append(link(places, "See every place each plan covers"), ".");
      parts.push(all);
    }
  }
  out.replaceChildren(...parts);
}

if (form && out) {
  const input = form.elements.place;
  const base = form.dataset.base;
  const places = form.getAttribute("action");
  const onPlacesPage = new URL(places, location.href).pathname === location.pathname;
  input.addEventListener("focus", () => load(form.dataset.finder), { once: true });
  async function answer(typed) {
    const finder = await load(form.dataset.finder);
    const found = lookUp(finder, typed, false);
    if (found === null) {
      out.replaceChildren();
      return;
    }
    show(finder, typed, found, base, onPlacesPage ? null : places);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    answer(input.value);
  });
  const asked = new URLSearchParams(location.search).get("place");
  if (asked) {
    input.value = asked;
    answer(asked);
  }
} else if (out && out.dataset.finder) {
  // The search page: a search that names a place also says which plan covers it.
  const search = document.getElementById("search-form");
  const base = out.dataset.base;
  async function answer(typed) {
    const finder = await load(out.dataset.finder);
    const found = lookUp(finder, typed, true) || [];
    if (found.length) show(finder, typed, found, base, null);
    else out.replaceChildren();
  }
  search.elements.q.addEventListener("focus", () => load(out.dataset.finder), { once: true });
  search.addEventListener("submit", () => answer(search.elements.q.value));
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) answer(asked);
}
