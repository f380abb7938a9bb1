"""Sample efficiency: regret against epochs spent, rung's optimisers against their peers.

Problems with a fidelity in epochs and a known optimum (``benchmarks/_se/functions.py``,
``benchmarks/_se/curves.py``): multi-fidelity Branin, Hartmann-3 and Hartmann-6, a mixed
categorical/continuous Branin, three learning-curve problems (mixed space; conditional space;
curves that cross) and a tabular benchmark of 360 MLPs really trained on digits
(``benchmarks/make_digits_table.py``). Budget unit: the epoch; a job that continues a
configuration pays only its extra epochs. Budgets are multiples of R, the largest budget of one
configuration (``max_epochs``, 81 everywhere): 30x R is the cost of 30 full trainings. The regret
convention is in ``benchmarks/_se/problem.py``.

Run (65 to 80 minutes on 2 cores; the Gaussian-process optimisers take most of it)::

    .venv/bin/python benchmarks/sample_efficiency.py              # 20 seeds, 30x R
    .venv/bin/python benchmarks/sample_efficiency.py --quick      # 3 seeds, 2 problems, 3x R

With ``--runs FILE`` every finished run is appended to FILE (JSON lines) and the runs already
there are not run again: an interrupted benchmark resumes, and ``--rerun "rung BOHB"``
re-measures one optimiser while the tables and the plot still show every optimiser: its old runs
leave FILE when it starts (a rerun cut short and resumed without ``--rerun`` does not mix old
and new runs), and FILE keeps one line per run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # two processes share two cores; small matrices anyway
os.environ.setdefault("KERAS_BACKEND", "torch")  # keras-tuner imports Keras
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _args import at_least, positive_float  # noqa: E402
from _se.registry import (  # noqa: E402
    ALL_PROBLEMS,
    EXTRA_PROBLEMS,
    OPTIMIZERS,
    PROBLEMS,
    Result,
    Task,
    libraries,
    prepare_worker,
    run_task,
)
from _se.report import REFERENCE, Summary, summarise  # noqa: E402
from _se.store import RunStore  # noqa: E402
from _se.tables import ranks_table, regret_tables, speedup_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MARKS = (1.0, 3.0, 10.0, 30.0)
GP_FAMILY = ("rung GP-BO", "keras-tuner BO", "Optuna GP")
COST_ORDER = ("keras-tuner BO", "Optuna GP", "keras-tuner Hyperband", "rung GP-BO")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=None,
                        help="how many seeds (default 20; --quick: 3)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the seeds are FIRST_SEED ... FIRST_SEED + SEEDS - 1")
    parser.add_argument("--budget", type=float, default=None,
                        help="in multiples of R (default 30; --quick: 3)")
    parser.add_argument("--gp-budget", type=positive_float, default=None,
                        help=f"budget cap of {', '.join(GP_FAMILY)} (default: --budget); their "
                             "regret is held at its last value beyond it")
    parser.add_argument("--problems", nargs="+", choices=list(ALL_PROBLEMS), default=None,
                        metavar="PROBLEM", help=f"default all: {', '.join(PROBLEMS)}; "
                        f"run only when named: {', '.join(EXTRA_PROBLEMS)} (--quick: "
                        "branin lc_crossing)")
    parser.add_argument("--optimizers", nargs="+", choices=list(OPTIMIZERS),
                        default=list(OPTIMIZERS))
    parser.add_argument("--workers", type=at_least(1), default=2,
                        help="processes running the runs (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 3 seeds, branin and lc_crossing, 3x R, where "
                             "--seeds, --budget and --problems are not given")
    parser.add_argument("--json", type=Path, help="write the summary numbers here")
    parser.add_argument("--markdown", type=Path, help="write the tables here")
    parser.add_argument("--plot", type=Path, default=None,
                        help="where the PNG goes (default: docs/img/sample_efficiency.png; with "
                             "--quick, sample_efficiency_quick.png in the temporary directory, "
                             "so a smoke run never replaces the published figure)")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--runs", type=Path,
                        help="JSON-lines file of finished runs: reused, and new ones appended")
    parser.add_argument("--rerun", nargs="+", default=[], choices=list(OPTIMIZERS),
                        metavar="OPTIMIZER", help="with --runs: run these optimizers again")
    args = parser.parse_args(argv)
    quick = args.quick
    args.seeds = (3 if quick else 20) if args.seeds is None else args.seeds
    args.budget = (3.0 if quick else 30.0) if args.budget is None else args.budget
    if args.problems is None:
        args.problems = ["branin", "lc_crossing"] if quick else list(PROBLEMS)
    if args.seeds < 1 or args.budget < 1:
        parser.error(f"--seeds and --budget must be >= 1, got {args.seeds} and {args.budget}")
    if args.first_seed < 0:
        parser.error(f"--first-seed must be >= 0, got {args.first_seed}")
    if args.rerun and args.runs is None:
        parser.error("--rerun needs --runs FILE (the runs to keep)")
    if REFERENCE not in args.optimizers:  # the tables measure everyone against its median
        print(f"--optimizers: adding {REFERENCE!r}, the reference of the time-to-reach table")
        args.optimizers = [REFERENCE, *args.optimizers]
    return args


def tasks(args: argparse.Namespace) -> list[Task]:
    gp = args.budget if args.gp_budget is None else min(args.gp_budget, args.budget)
    out = [Task(p, o, seed, gp if o in GP_FAMILY else args.budget)
           for p in args.problems for o in args.optimizers
           for seed in range(args.first_seed, args.first_seed + args.seeds)]
    rank = {o: i for i, o in enumerate(COST_ORDER)}
    return sorted(out, key=lambda t: rank.get(t.optimizer, len(rank)))  # slowest first


def execute(todo: list[Task], workers: int, store: RunStore | None = None) -> list[Result]:
    """Run ``todo`` on ``workers`` processes; with a ``store``, each run is added to it as it
    finishes."""
    results: list[Result] = []
    if not todo:
        return results
    start = time.perf_counter()
    modules = libraries(t.optimizer for t in todo)  # a worker imports only what its runs need
    with multiprocessing.get_context("spawn").Pool(workers, prepare_worker, (modules,)) as pool:
        for i, result in enumerate(pool.imap_unordered(run_task, todo), 1):
            results.append(result)
            if store is not None:
                store.add(result)
            if result.error:
                print(f"  ! {result.task}: {result.error}", flush=True)
            if i % max(1, len(todo) // 10) == 0:
                print(f"  {i}/{len(todo)} runs, {time.perf_counter() - start:.0f} s", flush=True)
    return results


def hyperband_iteration() -> float:
    """The epochs of one Hyperband iteration (R = 81, eta = 3, with continuation), in R."""
    from rung.oracles import HyperbandOracle

    plan = HyperbandOracle(objective="loss", max_epochs=81, factor=3).budget()
    return float(plan.epochs or 0) / 81


def cpu_table(results: list[Result], optimizers: list[str]) -> str:
    out = ["| optimizer | CPU s per run (mean) | jobs per run (mean) |", "| --- | ---: | ---: |"]
    for o in optimizers:
        mine = [r for r in results if r.task.optimizer == o]
        out.append(f"| {o} | {sum(r.seconds for r in mine) / len(mine):.2f} | "
                   f"{sum(r.jobs for r in mine) / len(mine):.0f} |")
    return "\n".join(out) + "\n"


def to_json(s: Summary, args: argparse.Namespace) -> dict[str, object]:
    marks = [m for m in MARKS if m <= args.budget]
    return {
        "seeds": args.seeds, "first_seed": args.first_seed, "budget_r": args.budget,
        "problems": s.problems,
        "regret": {p: {o: {f"{m:g}": s.at(p, o, m).tolist() for m in marks}
                       for o in s.optimizers} for p in s.problems},
        "target": s.target,
        "speedup": {o: {p: s.speedup(p, o) for p in s.problems} for o in s.optimizers},
        "geomean_speedup": {o: s.geomean_speedup(o) for o in s.optimizers},
        "reached": {o: s.reached(o) for o in s.optimizers},
        "mean_rank": {f"{m:g}": r for m, r in s.ranks.items()},
    }


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    todo = tasks(args)
    seeds = (f"{args.seeds} seeds" if args.first_seed == 0 else
             f"{args.seeds} seeds ({args.first_seed}-{args.first_seed + args.seeds - 1})")
    print(f"{len(args.problems)} problems x {len(args.optimizers)} optimizers x {seeds}, "
          f"budget {args.budget:g}x R (R = 81 epochs; one Hyperband iteration, eta = 3, "
          f"costs {hyperband_iteration():.2f} R); {args.workers} processes", flush=True)
    start = time.perf_counter()
    store = RunStore(args.runs, args.rerun) if args.runs else None
    if store and args.rerun:
        store.compact(drop=[t for t in todo if t.optimizer in store.rerun])
    kept = [store.get(t) for t in todo if t in store] if store else []
    if kept:
        print(f"  {len(kept)} runs taken from {args.runs}", flush=True)
    fresh = execute([t for t in todo if not store or t not in store], args.workers, store)
    if store:
        store.compact()
    results = kept + fresh
    wall = time.perf_counter() - start
    s = summarise(results, args.optimizers, args.budget, MARKS)
    text = "\n".join([
        f"### Regret at {', '.join(f'{m:g}x' for m in MARKS if m <= args.budget)} R: median "
        "(25th-75th percentile)\n",
        regret_tables(s, MARKS), "### Speed-up over random search\n", speedup_table(s),
        "### Mean rank\n", ranks_table(s) if s.ranks else "(no mark at 10x R or more)\n",
        "### Cost\n", cpu_table(results, args.optimizers),
        f"{len(fresh)} runs in {wall:.0f} s wall on {args.workers} processes"
        + (f" ({len(kept)} more taken from {args.runs})" if kept else "") + ".\n"])
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(to_json(s, args), indent=1, default=float))
    if not args.no_plot:
        from _se.plot import plot

        if args.plot is None:
            args.plot = (Path(tempfile.gettempdir()) / "sample_efficiency_quick.png" if args.quick
                         else ROOT / "docs/img/sample_efficiency.png")

        plot(s, args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
