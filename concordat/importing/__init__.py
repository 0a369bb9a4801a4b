"""`python build.py import`: a local plan's Word or Excel file in, an area file an editor can review out.

In the order the work is done: `command` runs it; `files` reads the document (after
`file_checks`, with `word` or `excel`) into `tables`; `reader` turns it into the sections and
actions of `imported`, with `headings`, `table_reader`, `columns`, `glossary`, `rag`, `themes`,
`leads` and `ids`, noting in `report` what the editor should check; `yaml_out` writes the area
file, `hand_edits` keeps an editor's changes on `--update`, and `yaml_update` puts a published
spreadsheet's actions back. The build itself uses only `rag` (`check` reads back the `rag` the
import wrote); the published spreadsheet's reader checks its file with `file_checks`. This file
imports nothing, so neither pulls in the rest.
"""
