"""Mutation testing of the helpers (``make mutants``): how many deliberate bugs do the tests catch?

mutmut (pinned in requirements.txt) changes one operator, constant or call at a time in a module
(a *mutant*), runs the tests that cover the changed function, and counts the mutant as *killed* if a
test fails. The share of killed mutants measures what the tests check, not just what they run.

Each module is tested in its own scratch folder (``build/mutants/<module>/``: a copy of ``helpers/``,
the test files named below and ``pyproject.toml``, whose ``[tool.mutmut]`` table gives the shared
settings), with only the tests that concern it, one module after the other::

    python tools/mutants.py                  # every module, then the table
    python tools/mutants.py _args params     # some of them
    python tools/mutants.py --survivors      # also print each surviving mutant's diff

It prints one line per module: mutants, killed (a test failed or the run timed out), survived,
the score (killed / mutants) and the minutes it took, and writes the table and every survivor's diff
to ``build/mutants/report.md``. Exit status 1 if a module scores below ``--goal`` (default 85 %).
Not part of ``make test``: it takes minutes per module (``explore`` longest: TensorFlow).

A module too large to test whole (all of ``check`` is about 6100 mutants: hours on two cores) can be
measured on a sample::

    python tools/mutants.py check --sample 400            # 400 of its mutants, drawn with --seed 0

``--sample N`` tests N mutants drawn uniformly at random without replacement (``--seed``, default 0),
and the score printed is that of the sample, an estimate of the whole module's, with a 95 % Wilson
interval for a binomial proportion (``[low, high]``; its width shrinks as ``1/sqrt(N)``). The report
says which rows are samples. Without ``--sample`` every mutant is tested.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "mutants"
MUTMUT = Path(sys.executable).parent / "mutmut"

#: module -> (the files mutated, relative to the repository; the tests that concern them).
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "_args": (["helpers/_args.py"], ["tests/test_args.py"]),
    "params": (["helpers/params.py"], ["tests/test_params.py"]),
    "nn": (["helpers/nn.py"], ["tests/test_nn.py", "tests/test_check_math.py"]),
    "scale": (["helpers/scale.py"], ["tests/test_scale.py"]),
    "check": (["helpers/check/*"], [
        "tests/test_args.py", "tests/test_check.py", "tests/test_check_concepts.py", "tests/test_check_math.py",
        "tests/test_check_optim.py", "tests/test_params.py",
        "tests/test_efficiency.py::test_attention_bytes_checker", "tests/test_efficiency.py::test_int8_checker",
        "tests/test_efficiency.py::test_moe_parameters_checker", "tests/test_interpret.py::test_ig_checker",
        "tests/test_privacy.py::test_clip_checker", "tests/test_scale.py::test_checkers_of_the_chapter",
        "tests/test_scale.py::test_checkers_params_for_loss_and_chinchilla_bill",
        "tests/test_worked.py::test_precision_recall_checker",
        "tests/test_worked.py::test_standardiser_checker_accepts_right_answers_and_explains_mistakes",
    ]),
    "explore": (["helpers/explore.py"], ["tests/test_explore.py"]),
}
# The checkers' shared core alone (all of helpers/check is about 6100 mutants: hours on two cores).
MODULES["check_core"] = (["helpers/check/_core.py"], MODULES["check"][1])


#: The fuzz cases of tests/test_fuzz.py (argument checks, independent properties of the results) that
#: concern each module, by the prefix of their test ids: they run with the module's own tests.
FUZZ_PREFIXES: dict[str, tuple[str, ...]] = {
    "_args": ("_args.",), "params": ("params.",), "nn": ("nn.",), "scale": ("scale.",), "check": ("check.",),
    "explore": ("explore.",), "check_core": ("check.",),
}


def _fuzz_ids(name: str) -> list[str]:
    """The ids of ``name``'s fuzz cases (``tests/test_fuzz.py::test_fuzz[params.dense_params]``...), collected
    from the repository's test file, xfail cases left out (they fail by design)."""
    prefixes = FUZZ_PREFIXES.get(name, ())
    if not prefixes:
        return []
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/test_fuzz.py", "-m", "not xfail"], cwd=ROOT, text=True, capture_output=True)
    ids = re.findall(r"^(tests/test_fuzz\.py::test_fuzz\[(.+?)\])$", out.stdout, re.M)
    return [node for node, case in ids if case.startswith(prefixes) and case not in _xfail_cases()]


def _xfail_cases() -> set[str]:
    """The cases tests/test_fuzz.py marks xfail (in other helpers' modules)."""
    text = (ROOT / "tests" / "test_fuzz.py").read_text(encoding="utf-8")
    block = text.split("XFAIL: dict[str, str] = {", 1)[1].split("}.items()}", 1)[0]
    return set(re.findall(r'^    "([^"]+)":', block, re.M))


def _config(only: list[str], tests: list[str]) -> str:
    """``pyproject.toml`` for the scratch folder: the repository's, with this module's selection."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    base = tomllib.loads(text).get("tool", {}).get("mutmut", {})
    settings = dict(base, only_mutate=only, pytest_add_cli_args_test_selection=tests)
    body = "\n".join(f"{key} = {json.dumps(value)}" for key, value in settings.items())
    # Drop the repository's [tool.mutmut] table (up to the next table) and append this one.
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    return text.rstrip() + "\n\n[tool.mutmut]\n" + body + "\n"


def _prepare(name: str) -> Path:
    only, tests = MODULES[name]
    tests = tests + _fuzz_ids(name)
    work = OUT / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "helpers", work / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "tests").mkdir()
    for f in {"tests/conftest.py", *(t.split("::")[0] for t in tests)}:  # test_fuzz.py too, if it has cases
        shutil.copy2(ROOT / f, work / f)
    (work / "pyproject.toml").write_text(_config(only, tests), encoding="utf-8")
    return work


def _mutmut(work: Path, *args: str, log=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", CI="")
    return subprocess.run([str(MUTMUT), *args], cwd=work, env=env, text=True,
                          stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT)


def wilson_interval(killed: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion: ``killed`` successes out of ``n`` trials;
    the default ``z`` gives a 95 % interval. ``(0.0, 1.0)`` when ``n`` is 0."""
    if n < 0 or not 0 <= killed <= n:
        raise ValueError(f"killed must be from 0 to n, got killed={killed}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


#: Run in the scratch folder: generate the mutants (as ``mutmut run`` does first) and print their names.
_LIST_MUTANTS = """
import json, os, sys
from mutmut.__main__ import create_mutants
from mutmut.mutation.data import SourceFileMutationData
from mutmut.utils.file_utils import copy_src_dir, walk_mutatable_files
os.makedirs("mutants", exist_ok=True)
copy_src_dir()
create_mutants(int(sys.argv[1]))
names = []
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    names += list(data.exit_code_by_key)
print(json.dumps(names))
"""


def _mutant_names(work: Path, jobs: int) -> list[str]:
    """Every mutant of the scratch folder's module (generated in ``mutants/``, which is then removed so that
    ``mutmut run`` starts as it would without a sample)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", CI="")
    out = subprocess.run([sys.executable, "-c", _LIST_MUTANTS, str(jobs)], cwd=work, env=env, text=True,
                         capture_output=True)
    if out.returncode != 0:
        raise SystemExit(f"could not list the mutants of {work}:\n{out.stderr[-3000:]}")
    names = json.loads(out.stdout.strip().splitlines()[-1])
    shutil.rmtree(work / "mutants")
    return sorted(names)


def run_module(name: str, jobs: int, sample: int | None = None, seed: int = 0) -> dict:
    work = _prepare(name)
    picked: list[str] = []
    population = None
    if sample is not None:
        everything = _mutant_names(work, jobs)
        population = len(everything)
        picked = sorted(random.Random(seed).sample(everything, min(sample, population)))
    start = time.perf_counter()
    with open(work / "mutmut.log", "w") as log:
        _mutmut(work, "run", "--max-children", str(jobs), *picked, log=log)
    minutes = (time.perf_counter() - start) / 60
    if sample is not None:
        return _sampled_row(name, work, picked, population, minutes)
    _mutmut(work, "export-cicd-stats")
    stats_file = work / "mutants" / "mutmut-cicd-stats.json"
    if not stats_file.exists():
        tail = (work / "mutmut.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"mutmut found no results for {name}; the end of {work / 'mutmut.log'}:\n{tail}")
    stats = json.loads(stats_file.read_text())
    results = _mutmut(work, "results").stdout
    survivors = re.findall(r"^\s*(\S+): (survived|no tests)", results, re.M)
    diffs = {m: _mutmut(work, "show", m).stdout for m, _ in survivors}
    killed = stats["killed"] + stats["timeout"] + stats["segfault"]
    total = stats["total"] - stats["skipped"]
    return {"module": name, "total": total, "killed": killed, "survived": total - killed,
            "score": killed / total if total else 1.0, "minutes": minutes, "diffs": diffs}


def _sampled_row(name: str, work: Path, picked: list[str], population: int, minutes: float) -> dict:
    """The row of a sampled run: the sampled mutants' results (killed: killed, timed out or crashed;
    skipped ones left out, as in a full run), with the Wilson interval of the score."""
    status = dict(re.findall(r"^\s*(\S+): (.+?)\s*$", _mutmut(work, "results", "--all", "true").stdout, re.M))
    missing = [m for m in picked if status.get(m, "not checked") == "not checked"]
    if missing:
        tail = (work / "mutmut.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"mutmut left {len(missing)} sampled mutants of {name} untested (first: {missing[0]}); "
                         f"the end of {work / 'mutmut.log'}:\n{tail}")
    tested = [m for m in picked if status[m] != "skipped"]
    killed = sum(status[m] in ("killed", "timeout", "segfault", "caught by type check") for m in tested)
    survivors = [m for m in tested if status[m] in ("survived", "no tests", "suspicious")]
    diffs = {m: _mutmut(work, "show", m).stdout for m in survivors}
    n = len(tested)
    return {"module": name, "total": n, "killed": killed, "survived": n - killed,
            "score": killed / n if n else 1.0, "minutes": minutes, "diffs": diffs,
            "population": population, "interval": wilson_interval(killed, n)}


def _sample_note(row: dict) -> str:
    """`` (sample of N of M mutants; 95 % interval a-b)`` for a sampled row, else nothing."""
    if "interval" not in row:
        return ""
    low, high = row["interval"]
    return f" (sample of {row['total']} of {row['population']} mutants; 95 % interval {low:.1%} to {high:.1%})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants run at once")
    parser.add_argument("--goal", type=float, default=0.85, help="least share of killed mutants per module")
    parser.add_argument("--survivors", action="store_true", help="print every surviving mutant's diff")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="test only N mutants per module, drawn at random (score: an estimate, with a 95 %% "
                             "interval); default: every mutant")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample's draw (default 0)")
    args = parser.parse_args(argv)
    if args.sample is not None and args.sample < 1:
        parser.error(f"--sample must be at least 1, got {args.sample}")
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"{'module':<10}{'mutants':>9}{'killed':>8}{'survived':>10}{'score':>8}{'minutes':>9}", flush=True)
    for name in names:
        row = run_module(name, args.jobs, args.sample, args.seed)
        rows.append(row)
        print(f"{name:<10}{row['total']:>9}{row['killed']:>8}{row['survived']:>10}{row['score']:>8.1%}"
              f"{row['minutes']:>9.1f}{_sample_note(row)}", flush=True)
        if args.survivors:
            for diff in row["diffs"].values():
                print(diff)
    lines = ["# Mutation testing (tools/mutants.py)", "", "| module | mutants | killed | survived | score |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['module']} | {r['total']} | {r['killed']} | {r['survived']} | {r['score']:.1%}"
              f"{_sample_note(r)} |" for r in rows]
    for r in rows:
        lines += ["", f"## Surviving mutants of {r['module']}", ""]
        lines += [f"```diff\n{d.strip()}\n```" for d in r["diffs"].values()] or ["none"]
    (OUT / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Survivors' diffs: {OUT / 'report.md'}")
    low = [r["module"] for r in rows if r["score"] < args.goal]
    if low:
        print(f"Below the goal of {args.goal:.0%}: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
