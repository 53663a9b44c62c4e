"""A cheaper Argon2id for the test suite only.

The production cost is the point in production; in tests it only slows the
suite. This is the same algorithm and code path with smaller parameters,
and it is named only by faced.settings_test.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
