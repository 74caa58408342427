"""Maintenir's settings with the scale benchmark's baseline view mounted (`benchmarks.scale_urls`); only the
benchmark's own server uses them."""

from maintenir.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.scale_urls"
