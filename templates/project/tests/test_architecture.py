"""The package's shape: its layers and no import cycles (pyproject.toml, `[tool.importlinter]`).

import-linter reads the imports of every module without running them and checks the contracts;
a broken one names the import that breaks it.
"""

from importlinter.cli import lint_imports


def test_the_import_contracts_hold(capsys):
    status = lint_imports()
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report
