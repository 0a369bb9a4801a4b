// Concordat Plans: fragments in bundles (concordat/search/bundles.py). The build puts the pages'
// fragment files together, a few to a file, so a national site stays within a host's file limit.
// A bundle begins with a line of its fragments' lengths, then the fragments as Pagefind wrote
// them; each page's hash names its bundle and its place there: "en_AbC12x3" is the fourth
// fragment ("3") of fragment/en_AbC12x.pf_bundle. Pagefind asks for fragment/en_AbC12x3.pf_fragment;
// this answers with that fragment, loading each bundle once. Every other request goes out as it
// came (and so does a fragment's, from an index without bundles). The build puts this at the
// start of pagefind.js and pagefind-worker.js, so it runs wherever Pagefind's search does.
(() => {
  if (globalThis.concordatFragmentBundles) return;
  const fetchFile = globalThis.fetch.bind(globalThis);
  const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const FRAGMENT = /^(.*\/fragment\/)(.+)(.)\.pf_fragment$/;
  const bundles = new Map(); // bundle URL -> its fragments (a promise)

  async function read(url) {
    const response = await fetchFile(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const newline = bytes.indexOf(10);
    const lengths = new TextDecoder().decode(bytes.subarray(0, newline)).split(" ").map(Number);
    let start = newline + 1;
    return lengths.map((length) => bytes.slice(start, (start += length)));
  }

  function load(url) {
    if (!bundles.has(url)) {
      const fragments = read(url);
      fragments.catch(() => bundles.delete(url)); // the next search tries again
      bundles.set(url, fragments);
    }
    return bundles.get(url);
  }

  globalThis.concordatFragmentBundles = bundles;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const page = FRAGMENT.exec(url);
    if (!page) return fetchFile(input, init);
    const [, folder, name, place] = page;
    const fragment = await load(`${folder}${name}.pf_bundle`).then((all) => all[DIGITS.indexOf(place)], () => null);
    return fragment ? new Response(fragment) : fetchFile(input, init);
  };
})();
