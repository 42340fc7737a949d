"""Tests for the record-linkage core."""
