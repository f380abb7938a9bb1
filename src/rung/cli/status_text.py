"""``rung status`` as text: ``format_status`` lays out a ``ProjectStatus`` (see
``rung.cli.status``, which computes it) as the lines the command prints."""

from __future__ import annotations

from rung.cli.status import ProjectStatus, RungStatus, SearchState
from rung.oracles.plan import ReplacedBracket
from rung.storage.table import UNRECORDED, folded_formula, objective_parts

__all__ = ["format_status", "search_lines"]


def _of(done: int, planned: int | None, note: str = "") -> str:
    if not planned:
        return f"{done}"
    return f"{done} of {planned} planned ({done / planned:.0%}{note})"


def _count(n: int, noun: str) -> str:
    """``1 epoch``, ``2 epochs``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


_MAX_VALUE = 60  # characters of a text value on the best: line


def _values(values: dict[str, object]) -> str:
    """The best trial's values as a dict, a long text value cut with "…" (``rung best`` shows
    them whole)."""
    cut = {k: v[:_MAX_VALUE - 1] + "…" if isinstance(v, str) and len(v) > _MAX_VALUE else v
           for k, v in values.items()}
    return f"{cut}" + (" (whole: rung best)" if cut != values else "")


def _rung_line(r: RungStatus) -> str:
    parts = [f"{r.completed} completed"]
    parts += [f"{n} {name}" for name, n in (("pruned", r.pruned), ("failed", r.failed),
                                             ("running", r.running)) if n]
    filled = f"{r.started}/{r.planned}" if r.planned is not None else f"{r.started}"
    jobs = "job" if r.planned is None and r.started == 1 else "jobs"  # "0/1 jobs", "1 job"
    mark = " done" if r.planned is not None and r.started >= r.planned and not r.running else ""
    head = f"rung {r.rung} ({r.epochs:>4} {'epoch' if r.epochs == 1 else 'epochs'}):"
    width = len(f"rung {r.rung} ({r.epochs:>4} epochs):")  # aligned with "epochs" lines
    return f"    {head:<{width}} {filled:>7} {jobs}{mark}  ({', '.join(parts)})"


def _bracket_lines(rungs: list[RungStatus], replaced: list[ReplacedBracket],
                   stopping: bool = False) -> list[str]:
    """Brackets in progress rung by rung; finished and not yet started ones counted. A bracket
    run as full-budget jobs is done with bracket s=0 of its iteration, which lists its jobs."""
    brackets: dict[tuple[int, int], list[RungStatus]] = {}
    for r in rungs:
        brackets.setdefault((r.iteration, r.bracket), []).append(r)
    guests: dict[int, list[ReplacedBracket]] = {}
    for b in replaced:
        guests.setdefault(b.iteration, []).append(b)
    lines, done, waiting = [], 0, 0
    for (iteration, s), members in brackets.items():
        hosted = guests.get(iteration, []) if s == 0 else []
        if all(r.planned is not None and r.started >= r.planned and not r.running
               for r in members):
            done += 1 + len(hosted)
        elif not any(r.started for r in members):
            waiting += 1
        else:
            extra = ", ".join(f"bracket s={b.s} ({b.jobs} jobs)" for b in hosted)
            extra = f", with full-budget jobs in place of {extra}" if extra else ""
            lines.append(f"  bracket s={s} (iteration {iteration}){extra}:")
            lines += [_rung_line(r) for r in members]
    if not brackets:
        return []
    if stopping:
        return ["jobs by the last rung each reached (ASHA stopping: one job per configuration):",
                *lines]
    if not any(r.planned is not None for r in rungs):  # ASHA: no rung has a planned size
        return ["jobs by rung (the plan fixes no rung sizes):", *lines]
    head = f"brackets: {done} of {len(brackets) + len(replaced)} done"
    head += f", {waiting} not started" if waiting else ""
    if replaced:
        jobs = sum(b.jobs for b in replaced)
        head += (f"; {len(replaced)} run as {jobs} full-budget job{'s' * (jobs != 1)} instead, "
                 "as the jobs planned count them (BOHB: their first rung's epochs ranked "
                 "configurations unlike max_epochs)")
    return [head, *lines]


def search_lines(state: SearchState) -> list[str]:
    """Who is searching the project: its live driver, or running jobs left by a search that
    ended (interrupted) and the driver lock a dead one left behind (what ``rung status`` prints
    and the HTML report shows)."""
    lines = []
    if state.driver is not None:
        lines.append(f"driver: {state.driver} (a live one is searching; a dead one is taken "
                     "over by the next search)")
    elif state.running:  # the search that ran them ended (Ctrl-C, FatalError, SIGKILL)
        lines.append(f"interrupted: the {state.running} running job(s) belong to a search that "
                     "is no longer running; running it again re-runs them")
        if state.last_error is not None:
            lines.append(f"  last error of a job left running: trial {state.last_error}")
    if state.driver_gone is not None:
        lines.append(f"dead driver: {state.driver_gone} (killed, or its machine went down; the "
                     "next search takes the project over)")
    return lines


def format_status(status: ProjectStatus, path: str) -> str:
    """``status`` as the text ``rung status`` prints."""
    parts = objective_parts(status.objective)
    if len(parts) > 1:  # folded into one loss, minimised: say how
        name = folded_formula(parts)
        said = f"{name}, minimised ({', '.join(f'{n} {d}' for n, d in parts)})"
    elif parts:
        name, direction = parts[0]
        said = f"{name} {direction}".rstrip()
    else:  # none stored (a storage written directly): the jobs' stored losses rank them
        name, said = "loss", UNRECORDED
    lines = [f"project {path}: {status.oracle}, objective {said}"]
    by = ", ".join(f"{n} {s.lower()}" for s, n in sorted(status.counts.items()))
    lines.append(f"jobs: {_of(status.jobs, status.jobs_planned)}" + (f": {by}" if by else ""))
    if status.epochs_spent == 0 and status.epochs_planned is None:
        lines.append("epochs: none reported (no budget in epochs: each trial trains as long "
                     "as its code decides)")
    else:
        running = (f", {status.epochs_running} of them by running jobs"
                   if status.epochs_running else "")
        upper = ("; planned: an upper bound, full-budget jobs train fewer"
                 if status.replaced and status.epochs_planned else "")
        lines.append(f"epochs: {_of(status.epochs_spent, status.epochs_planned, upper)}{running}")
    if status.first_created is not None and status.last_change is not None:
        seconds = int(status.last_change - status.first_created)
        lines.append(f"time: {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d} "
                     "from the first job to the last change")
    if status.best is None:
        lines.append("best: no completed job yet")
    else:
        best = status.best
        value = "-" if best["value"] is None else f"{best['value']:.6g}"
        after = f"after {_count(best['epochs'], 'epoch')} " if best["epochs"] else ""
        lines.append(f"best: trial {best['trial_id']} {name}={value} {after}"
                     f"{_values(best['hyperparameters'])}")
    lines += search_lines(SearchState(status.counts.get("RUNNING", 0), status.driver,
                                      status.driver_gone, status.last_error))
    lines += _bracket_lines(status.rungs, status.replaced, status.stopping)
    return "\n".join(lines)
