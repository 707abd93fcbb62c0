"""The dependency audit run by CI (``.ci/audit.py``): what pip-audit's report gives."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def _dep(name, version="1.0", vulns=(), skipped=False):
    if skipped:
        return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} ({version})"}
    return {"name": name, "version": version, "vulns": list(vulns)}


def test_a_vulnerability_with_a_fix_fails_and_names_the_fix():
    report = {"dependencies": [_dep("flask"), _dep("jinja2", "3.1.2", [{"id": "GHSA-h5c8", "fix_versions": ["3.1.3"]}])]}
    status, lines = audit.verdict(report)
    assert status == 1
    assert any("jinja2 3.1.2 : GHSA-h5c8, corrigée en 3.1.3" in line for line in lines)


def test_a_vulnerability_without_a_fix_is_listed_and_does_not_fail():
    report = {"dependencies": [_dep("pdfminer", "1", [{"id": "PYSEC-1", "fix_versions": []}])]}
    status, lines = audit.verdict(report)
    assert status == 0 and any("PYSEC-1, sans version corrigée" in line for line in lines)


def test_nothing_checked_is_said_and_never_reported_as_clean():
    report = {"dependencies": [_dep("flask", skipped=True), _dep("numpy", skipped=True)]}
    status, lines = audit.verdict(report)
    assert status == 0
    assert "non effectué" in lines[0] and "Aucune vulnérabilité" not in " ".join(lines)


def test_a_partial_audit_names_what_was_not_checked():
    report = {"dependencies": [_dep("flask"), _dep("numpy", skipped=True)]}
    status, lines = audit.verdict(report)
    assert status == 0 and "1 vérifiées sur 2" in lines[0] and "numpy" in lines[1]
    assert lines[-1] == "Aucune vulnérabilité connue."


def test_the_command_exits_1_on_a_fixable_vulnerability(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": [_dep("urllib3", "1.0", [{"id": "CVE-1", "fix_versions": ["2.0"]}])]}))
    done = subprocess.run([sys.executable, str(ROOT / ".ci" / "audit.py"), str(report)], capture_output=True, text=True)
    assert done.returncode == 1 and "urllib3 1.0 : CVE-1, corrigée en 2.0" in done.stdout


def test_ci_runs_the_audit_after_the_tests():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.index("make test") < script.index(".ci/audit.py")
