"""The content schemas as other tools read them: an independent JSON Schema validator that
reads YAML 1.2, as editors' IDEs do, must agree with the build about every content file.

check-jsonschema (python-jsonschema with ruamel.yaml) ignores keywords it does not know,
such as our `errorMessage`, as JSON Schema 2020-12 allows; the metaschema check confirms the
schemas are valid with it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from concordat.errors import ContentErrors
from concordat.pipeline import load_site
from concordat.schema_check import SCHEMA_DIR

from .conftest import FIXTURES, ROOT, make_project

CONTENT = ROOT / "content"
FILES = {
    "area": sorted((CONTENT / "areas").glob("*.yaml")) + [FIXTURES / "example-area.yaml"],
    "organisations": [CONTENT / "organisations.yaml", FIXTURES / "organisations.yaml"],
    "site": [CONTENT / "site.yaml"],
    "themes": [CONTENT / "themes.yaml"],
}


def check_jsonschema(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_the_schemas_are_valid_json_schemas():
    result = check_jsonschema("--check-metaschema", *sorted(SCHEMA_DIR.glob("*.schema.json")))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("schema", sorted(FILES))
def test_every_content_file_passes_an_independent_yaml_1_2_validator(schema):
    result = check_jsonschema("--schemafile", SCHEMA_DIR / f"{schema}.schema.json", *FILES[schema])
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_value_only_yaml_1_2_reads_as_a_number_fails_both_checks(tmp_path):
    """The Bromley case: `id: 3e-1` is text to YAML 1.1 but 0.3 to YAML 1.2. Both must refuse it."""
    text = (FIXTURES / "example-area.yaml").read_text(encoding="utf-8").replace("- id: 1-2", "- id: 3e-1")
    project = make_project(tmp_path / "p", text)
    area = project.content / "areas" / "exampleshire.yaml"
    independent = check_jsonschema("--schemafile", SCHEMA_DIR / "area.schema.json", area)
    assert independent.returncode == 1 and "0.3 is not of type 'string'" in independent.stdout
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    [error] = caught.value.errors
    assert "'3e-1' without quotes is read as a number by editors" in str(error)
    area.write_text(text.replace("- id: 3e-1", '- id: "3e-1"'), encoding="utf-8")
    assert check_jsonschema("--schemafile", SCHEMA_DIR / "area.schema.json", area).returncode == 0
    load_site(project)
