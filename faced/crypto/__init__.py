"""faced's cryptography, in pure Python over libsodium.

Nothing here imports Django or any other part of faced, so that it can be
read, tested and reviewed on its own; a test enforces it.
"""
