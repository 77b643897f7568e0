"""Run every benchmark in turn (`make bench`); each prints its own figures and aims."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("bench_generate.py", "bench_pipeline.py", "bench_serving.py", "bench_loop.py"):
    print(f"\n# {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], check=True)
