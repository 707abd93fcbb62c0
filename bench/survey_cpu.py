"""CPU accounting of the benchmark, from /proc: the server's process tree, PostgreSQL's
backends, the whole machine."""
from __future__ import annotations

from pathlib import Path

from survey_settings import TICK

def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def tree_cpu(master: int) -> float:
    """CPU seconds of a gunicorn master and its live workers."""
    total = proc_cpu(master)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == master:
                total += proc_cpu(int(entry.name))
    return total


def database_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL server process (none when serving SQLite: in-process)."""
    cpu = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    cpu[int(entry.name)] = proc_cpu(int(entry.name))
            except OSError:
                continue
    return cpu


def system_busy() -> tuple[float, float]:
    """CPU seconds spent busy by the whole machine since boot (all cores), and of it in irq/softirq."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK, (fields[5] + fields[6]) / TICK
