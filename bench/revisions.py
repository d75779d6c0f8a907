"""What each change bought: the same scenarios timed for several revisions, side by side.

    python bench/revisions.py 4613442 62912a8 HEAD        # any git revisions of this repository
    python bench/revisions.py --quick main perf

Each revision's ``hotfix_guard`` package is exported (``git archive``) under
bench/.work/revs/ and run by the bench's venv interpreter through a copy of pip's console
script wrapper (``import re, sys``, then ``main()``), so only the package differs. The
scenarios are bench/run.py's rows 1a, 2a and 3; every round runs every revision once,
in rotating order. Needs bench/run.py to have been run once (the venv and repositories).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import run
from run import Cmd, fmt_ms, med, ratio

# pip's wrapper calls the function pyproject.toml names: main() until 449bf19, entry() since
WRAPPER = ("import re, sys; sys.path.insert(0, sys.argv.pop(1)); from hotfix_guard import cli; "
           "sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0]); "
           "sys.exit(cli.entry() if hasattr(cli, 'entry') else cli.main())")


def export(rev: str) -> tuple[str, str]:
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=run.ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    where = os.path.join(run.WORK, "revs", sha)
    if not os.path.isdir(os.path.join(where, "hotfix_guard")):
        os.makedirs(where, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "hotfix_guard"], cwd=run.ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", where], input=archive, check=True)
    subject = subprocess.run(["git", "log", "-1", "--format=%s", sha], cwd=run.ROOT, capture_output=True,
                             text=True).stdout.strip()
    return where, f"{sha} {subject[:60]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revs", nargs="+")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--real", action="store_true",
                        help="also a clean hotfix at pre-commit in the real clone of the last `run.py --repo`")
    args = parser.parse_args(argv)
    rounds = args.rounds or (10 if args.quick else 25)
    run.ENV.update(run.bench_env())
    small, large = run.ensure_repo("small"), run.ensure_repo("large")
    trees = [export(r) for r in args.revs]
    py = os.path.join(run.BIN, "python")
    push = os.path.join(run.WORK, f"pre-push-{os.path.basename(large['path'])}.txt")
    branch = large["range"]
    tip = run.synth.git(large["path"], "rev-parse", f"refs/heads/{branch}").strip()
    with open(push, "w") as fh:
        fh.write(f"refs/heads/{branch} {tip} refs/heads/{branch} {run.ZERO}\n")
    scenarios = [
        ("1a non-hotfix branch, small repo, pre-commit", small["feature_worktree"], ["check", "--stage", "pre-commit"],
         None),
        ("2a clean hotfix, small repo, pre-commit", small["path"], ["check", "--stage", "pre-commit"], None),
        ("3 pre-push, 200-commit range, large repo", large["path"], ["check", "--stage", "pre-push"], push),
    ]
    if args.real:
        stamps = sorted((f for f in os.listdir(run.WORK) if f.startswith("repo-real-")),
                        key=lambda f: os.path.getmtime(os.path.join(run.WORK, f)))
        if not stamps:
            raise SystemExit("bench: no real clone yet: run bench/run.py --repo PATH first")
        real = run.json.loads(run._stamp(stamps[-1]))
        scenarios.append((f"2b clean hotfix, real repo ({real['source']}), pre-commit", real["path"],
                          ["check", "--stage", "pre-commit"], None))
    out = [f"revisions compared ({rounds} rounds, interleaved; CPU = user+sys of the process and its git "
           f"children; ratio = per-round median against python -I -c pass)", ""]
    for title, cwd, argv_, stdin in scenarios:
        base = Cmd("python -I -c pass", [py, "-I", "-c", "pass"], cwd)
        cmds = [base] + [Cmd(label, [py, "-c", WRAPPER, tree, *argv_], cwd, stdin=stdin) for tree, label in trees]
        for c in cmds:
            run.probe(c)
        print(f"bench: {title}", file=sys.stderr)
        run.measure(cmds, rounds, 2)
        out += [f"### {title}", "", "| revision | wall | CPU | x pass (wall) | x pass (CPU) | git calls | result |",
                "|---|---:|---:|---:|---:|---:|---|"]
        for c in cmds:
            cells = [c.label, fmt_ms(med(c.wall)), fmt_ms(med(c.cpu))]
            if c is base:
                cells += ["1.00", "1.00", "", ""]
            else:
                cells += [f"{ratio(c, base):.2f}", f"{ratio(c, base, metric='cpu'):.2f}", str(c.git_calls),
                          c.output[:50].replace("|", "\\|")]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
