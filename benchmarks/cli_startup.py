"""Benchmark: `holdspace --help` against `python -c "import typer, rich"`, interleaved.

The baseline is the least a Typer-and-rich CLI can start in, measured in the same run and
alternated with the measured command so that a busy machine slows both alike. Run:

    uv run python benchmarks/cli_startup.py [ROUNDS]

The target (docs/benchmarks.md) is a median ratio of at most 4.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "baseline": [sys.executable, "-c", "import typer, rich"],
    "holdspace --help": [sys.executable, "-c", "from holdspace.cli import main; main()", "--help"],
}


# Bytecode is cached as in any installed deployment: with PYTHONDONTWRITEBYTECODE set
# every start would compile rich's help modules again, which measures the compiler.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main(rounds: int) -> None:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        _once(command)  # warm the file cache and the bytecode
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(_once(command))
    base = statistics.median(times["baseline"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:18} median {median * 1000:6.0f} ms  ratio {median / base:4.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
