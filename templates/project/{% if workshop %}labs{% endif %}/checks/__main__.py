"""Run the labs' checkpoints.

    python -m labs.checks 3        is lab 3 done? (make check LAB=3)
    python -m labs.checks --all    every lab, as a table for the class (make progress)
    python -m labs.checks --json   every lab, as JSON (for CI, or a teacher collecting results)

A lab is `done`, `todo` (its checkpoint found something to fix and says what) or `error` (the
exercise's code raised an exception: the message names the line). `python -m labs.checks N`
exits 0 when lab N is done and 1 otherwise; `--all` and `--json` exit 0.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from .kit import LABS, ROOT, Incomplete

NUMBERS = sorted(int(path.stem[3:]) for path in Path(__file__).parent.glob("lab[0-9][0-9].py"))


@dataclass
class Result:
    lab: int
    title: str
    page: str
    status: str  # done, todo or error
    message: str


def check(number: int) -> Result:
    """Run lab `number`'s checkpoint."""
    module = importlib.import_module(f"labs.checks.lab{number:02d}")
    page = str((LABS / module.PAGE).relative_to(ROOT))
    try:
        summary = module.check()
    except Incomplete as error:
        return Result(number, module.TITLE, page, "todo", str(error))
    except NotImplementedError as error:
        message = str(error) or "the exercise is not written yet"
        return Result(number, module.TITLE, page, "todo", message)
    except Exception as error:  # the student's code crashed: say where, not a traceback
        return Result(number, module.TITLE, page, "error", _crash(error))
    return Result(number, module.TITLE, page, "done", summary)


def _crash(error: Exception) -> str:
    """`error` in one line, at the last line of an exercise (or a check) it went through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(LABS)]
    where = ""
    if ours:
        frame = next((f for f in reversed(ours) if "exercises" in Path(f.filename).parts), ours[-1])
        where = f" at {Path(frame.filename).resolve().relative_to(ROOT)}:{frame.lineno}"
    return f"your code raised {type(error).__name__}{where}: {error}"


def _print_one(result: Result) -> None:
    state = {"done": "done", "todo": "not done yet", "error": "your code fails"}[result.status]
    print(f"Lab {result.lab}, {result.title}: {state}")
    for line in result.message.splitlines():
        print(f"  {line}")
    if result.status != "done":
        print(f"  Read: {result.page}")


def _print_table(results: list[Result]) -> None:
    width = max(len(r.title) for r in results)
    states = {"done": "done", "todo": "to do", "error": "your code fails"}
    print(f"Workshop progress in {ROOT.name}")
    for r in results:
        print(f"  {r.lab:>2}  {r.title:<{width}}  {states[r.status]}")
    done = sum(r.status == "done" for r in results)
    waiting = [r for r in results if r.status != "done"]
    print(f"{done} of {len(results)} labs done.", end="")
    if waiting:
        print(f" Next: lab {waiting[0].lab}; `make check LAB={waiting[0].lab}` says what to fix.")
    else:
        print(" All done!")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.checks", description=__doc__)
    parser.add_argument(
        "lab", nargs="?", type=int, help=f"the lab's number ({NUMBERS[0]}-{NUMBERS[-1]})"
    )
    parser.add_argument("--all", action="store_true", help="every lab, as a table")
    parser.add_argument("--json", action="store_true", help="every lab, as JSON")
    args = parser.parse_args(argv)
    if args.json or args.all:
        results = [check(n) for n in NUMBERS]
        if args.json:
            print(json.dumps([asdict(r) for r in results], indent=2))
        else:
            _print_table(results)
        return 0
    if args.lab not in NUMBERS:
        parser.error(f"which lab? give its number, {NUMBERS[0]} to {NUMBERS[-1]}: make check LAB=2")
    result = check(args.lab)
    _print_one(result)
    return 0 if result.status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
