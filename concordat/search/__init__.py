"""Stage 7, index: a Pagefind search index over the action pages.

Only action pages are indexed (the glob), so every result is one action. Of each page only
what the action says is indexed (its `data-pagefind-body` parts: action, outcomes, lead as
written, progress, updates), so excerpts never show labels or page furniture; the result's
area, number, first words, status, lead and timescale are `data-pagefind-meta`, and
`data-pagefind-filter` elements give the area, theme, organisation and status filters.

  words      what is indexed beside the page's words (`other_names`), and the vocabulary
  indexing   running Pagefind (the `pagefind[bin]` package's binary), then the steps below
  metadata   Pagefind's metadata and filter files, rewritten in a stable order
  bundles    the pages' fragment files put together a few to a file, and read back
  checks     every file of an index read back before it is published
"""

from .bundles import FRAGMENTS_PER_BUNDLE, bundle_fragments, page_fragments
from .checks import SearchIndexError, check_index, disk_full
from .indexing import UNUSED_BUNDLE_FILES, build_search_index, finish_search_index, start_search_index
from .metadata import make_index_reproducible
from .words import index_words, other_names, spellings, vocabulary

__all__ = [
    "FRAGMENTS_PER_BUNDLE", "UNUSED_BUNDLE_FILES", "SearchIndexError", "build_search_index", "bundle_fragments",
    "check_index", "disk_full", "finish_search_index", "index_words", "make_index_reproducible", "other_names",
    "page_fragments", "spellings", "start_search_index", "vocabulary",
]
