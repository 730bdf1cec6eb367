# Seed 002's four sources on the test servers (test/util/seed002_world.py).
from seed002_world import world  # noqa: F401
