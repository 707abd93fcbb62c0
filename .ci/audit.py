"""Audit the installed dependencies with pip-audit; fail on a known vulnerability that has a fix.

    .venv/bin/python .ci/audit.py            # run by .ci/run after the tests
    .venv/bin/python .ci/audit.py report.json  # read a report pip-audit already wrote

pip-audit asks PyPI (or OSV) about each installed version. A dependency it could not ask
about is *skipped*, and pip-audit then says "No known vulnerabilities found" all the
same: offline, every dependency is skipped and the audit passes without having looked at
anything. This wrapper reads pip-audit's JSON report and says what was checked:

- exit 1 when a vulnerability with a fixed version is found (the dependency to raise and
  the version that fixes it are listed);
- a vulnerability without a fix is listed, and does not fail;
- when no dependency could be checked (the vulnerability service is unreachable: the CI
  machine of this project reaches PyPI's package index but not its per-version JSON) it
  says so plainly — « audit non effectué » — and exits 0, as there is nothing to act on; a
  partial audit names what was not checked.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_pip_audit() -> tuple[dict | None, str]:
    """pip-audit's JSON report of this interpreter's environment (None: pip-audit failed)."""
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
               "--vulnerability-service", "pypi", "--timeout", "20"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, str(error)
    try:
        return json.loads(done.stdout), done.stderr
    except json.JSONDecodeError:
        return None, (done.stderr or done.stdout).strip()[-2000:]


def verdict(report: dict) -> tuple[int, list[str]]:
    """(exit status, French lines) for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    lines, fixable = [], []
    for dependency in checked:
        for vuln in dependency.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            where = f"{dependency['name']} {dependency.get('version', '?')} : {vuln.get('id', '?')}"
            if fixes:
                fixable.append(f"  - {where}, corrigée en {', '.join(fixes)}")
            else:
                lines.append(f"  - {where}, sans version corrigée à ce jour (signalée, n'échoue pas)")
    if not checked:
        return 0, [f"Audit des dépendances non effectué : aucune des {len(dependencies)} dépendances n'a pu être "
                   "vérifiée (service de vulnérabilités injoignable depuis cette machine). Rien n'a été contrôlé."]
    head = [f"Audit des dépendances : {len(checked)} vérifiées sur {len(dependencies)}."]
    if skipped:
        head.append(f"  Non vérifiées ({len(skipped)}) : " + ", ".join(sorted(d["name"] for d in skipped)))
    if fixable:
        return 1, head + ["Vulnérabilités connues avec une version corrigée : mettez à jour ces dépendances."] + fixable + lines
    return 0, head + (["Vulnérabilités sans correctif :"] + lines if lines else ["Aucune vulnérabilité connue."])


def main(argv: list[str]) -> int:
    if argv:
        report, detail = json.loads(Path(argv[0]).read_text()), ""
    else:
        report, detail = run_pip_audit()
    if report is None:
        print(f"Audit des dépendances non effectué : pip-audit n'a pas rendu de rapport ({detail}).")
        return 0
    status, lines = verdict(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
