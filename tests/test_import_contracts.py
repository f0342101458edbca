"""The one-way import rules (pyproject's import-linter contracts) hold, and they can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_of_app(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_branch_keeps_every_contract() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("app/leads/models.py", "app.conversation"),
        ("app/calls/repository.py", "app.telephony"),
        ("app/campaigns/service.py", "app.flows"),
        ("app/conversation/agent.py", "app.flows"),
        ("app/conversation/policy.py", "app.telephony"),
        ("app/deps.py", "app.leads"),
        ("app/meetings/service.py", "app.calendars"),
        ("app/integrations/outbox.py", "app.calendars"),
        ("app/calendars/scheduler.py", "app.flows"),
    ],
)
def test_a_forbidden_import_breaks_the_lint(tmp_path: Path, module: str, forbidden: str) -> None:
    tree = _copy_of_app(tmp_path)
    target = tree / module
    target.write_text(target.read_text() + f"\nimport {forbidden}  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {forbidden}" in result.stdout


def test_a_domain_router_loads_no_provider_sdk() -> None:
    """The symptom the contract guards: importing a domain router pulled in OpenAI."""
    code = (
        "import sys, app.leads.router, app.calls.router, app.campaigns.router; "
        "print(sorted(m for m in sys.modules if m == 'openai' or m.startswith('app.conversation')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
