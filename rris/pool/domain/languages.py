"""The languages the regional pool exists for (ISO 639-3), in the order people look for them."""

from __future__ import annotations

POOL_LANGUAGES: tuple[str, ...] = (
    "arb",  # Standard Arabic
    "apc",  # Levantine Arabic
    "acm",  # Mesopotamian (Iraqi) Arabic
    "pes",  # Farsi
    "prs",  # Dari
    "pus",  # Pashto
    "urd",  # Urdu
    "ckb",  # Kurdish, Sorani
    "kmr",  # Kurdish, Kurmanji
    "ben",  # Bengali
    "tir",  # Tigrinya
    "som",  # Somali
    "fra",  # French
)

RELAY_LANGUAGE = "eng"
