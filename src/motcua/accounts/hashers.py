"""Password hashing: Argon2id with parameters for a 2-core server.

Django's Argon2PasswordHasher defaults to 100 MiB and 8 lanes per hash; twenty people signing in
at once would then ask for 2 GiB. OWASP's first recommended setting (m = 19 MiB, t = 2, p = 1)
costs about 20-40 ms of one core and 19 MiB for the length of one sign-in. Hashes made with other
parameters, or with PBKDF2 (what this project used before), are re-made with these at the next
successful sign-in (Django's `must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    # The algorithm name stays "argon2": stored hashes carry their own parameters.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
