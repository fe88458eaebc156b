"""Extraction, validation and review of 绩效自评 submissions."""

__version__ = "0.1.0"
