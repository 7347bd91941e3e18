"""Password hashing at sign-in: 20 people signing in at the same moment, on this machine.

Run: .venv/bin/python bench/signin.py [--people 20] [--rounds 3]

Each round starts `--people` threads at once, each checking one password (what a sign-in costs
beyond its two or three queries), first with the production hasher (Argon2id, m = 19 MiB, t = 2,
p = 1: motcua.accounts.hashers), then with the PBKDF2 hasher used before, as the baseline in the
same run. argon2-cffi releases the GIL, so the threads share the cores as processes would.
Memory is the process's peak resident size after the Argon2 rounds minus before them (a worker
process pays it). Ends with one line:
  BENCH signin argon2_ms=.. argon2_p_max_ms=.. pbkdf2_ms=.. pbkdf2_p_max_ms=.. peak_extra_mib=.. people=20
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402

from motcua.accounts.hashers import Argon2idHasher  # noqa: E402

PASSWORD = "Mat-khau-cua-cong-dan-2026"  # noqa: S105 (a benchmark's password)


def round_of(hasher, encoded: str, people: int) -> list[float]:
    times: list[float] = [0.0] * people
    start = threading.Barrier(people)

    def sign_in(i: int) -> None:
        start.wait()
        t = time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        times[i] = time.perf_counter() - t

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = {}
    before = peak_mib()
    for name, hasher in (("argon2", Argon2idHasher()), ("pbkdf2", PBKDF2PasswordHasher())):
        encoded = hasher.encode(PASSWORD, hasher.salt())
        times = [t for _ in range(args.rounds) for t in round_of(hasher, encoded, args.people)]
        results[name] = (statistics.median(times) * 1000, max(times) * 1000)
        if name == "argon2":
            extra = peak_mib() - before
    print(f"cores={os.cpu_count()} hash: {Argon2idHasher().encode(PASSWORD, 'saltsaltsalt')[:40]}…")
    print(f"BENCH signin argon2_ms={results['argon2'][0]:.0f} argon2_p_max_ms={results['argon2'][1]:.0f} "
          f"pbkdf2_ms={results['pbkdf2'][0]:.0f} pbkdf2_p_max_ms={results['pbkdf2'][1]:.0f} "
          f"peak_extra_mib={extra:.0f} people={args.people}")


if __name__ == "__main__":
    main()
