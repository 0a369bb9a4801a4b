"""What a change does to the plans, for whoever reviews it: `build.py diff` (`diff.py` works it out,
with `names.py` for organisations and glossary terms; `report.py` tells it), a preview that opens
from a folder (`offline_copy.py`), and CODEOWNERS (`codeowners.py`)."""

from .codeowners import CODEOWNERS, CODEOWNERS_COMMAND, codeowners, codeowners_errors, write_codeowners
from .diff import DEFAULT_BASE, WORKING_TREE, Review, ReviewError, changed_files, merge_base_of, review
from .names import NameChange
from .offline_copy import offline_copy
from .report import PAGES_LISTED, as_json, as_markdown, as_text

__all__ = ["CODEOWNERS", "CODEOWNERS_COMMAND", "DEFAULT_BASE", "PAGES_LISTED", "WORKING_TREE", "NameChange", "Review",
           "ReviewError", "as_json", "as_markdown", "as_text", "changed_files", "codeowners", "codeowners_errors",
           "merge_base_of", "offline_copy", "review", "write_codeowners"]
