"""`astra-guard gatekeeper export`: write (or check) the Gatekeeper side of the policy."""

from __future__ import annotations

import sys
from pathlib import Path

from astra_guard.config import load_config
from astra_guard.gatekeeper.export import plan_export, stale_files, write_export
from astra_guard.scan import ScanOptions, catalog_for, rule_params


def run_export(out_dir: Path, enforcement: str, check: bool, config_path: Path | None,
               policy_dirs: tuple[Path, ...] = ()) -> int:
    root = Path.cwd()
    config = load_config(config_path, root)
    catalog = catalog_for(config, root, ScanOptions(policy_dirs=policy_dirs))
    params = {m.id: rule_params(m, config, ScanOptions(), "") for m in catalog}
    plan = plan_export(catalog, params, enforcement)
    templates = sum(1 for rel in plan.files if rel.startswith("templates/"))
    if check:
        stale = stale_files(plan, out_dir)
        if stale:
            print(f"{out_dir} is stale; run `astra-guard gatekeeper export --output-dir {out_dir}`:", file=sys.stderr)
            for rel in stale:
                print(f"  {rel}", file=sys.stderr)
            return 1
        print(f"{out_dir} is up to date ({templates} templates).")
        return 0
    write_export(plan, out_dir)
    print(f"Exported {templates} ConstraintTemplates and their Constraints to {out_dir} (enforcementAction: {enforcement}).")
    if plan.ci_only:
        print(f"CI only ({len(plan.ci_only)} rules, not exported):")
        for rule_id, reason in sorted(plan.ci_only.items()):
            print(f"  {rule_id}: {reason}")
    return 0
