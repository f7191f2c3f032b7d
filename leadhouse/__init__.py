"""Shared pieces of Leadhouse that every part uses: paths and settings, the published warehouse."""
