"""The router factory every resource uses (problem-details error handling on each route)."""

from __future__ import annotations

from fastapi import APIRouter

from api.problems import ProblemRoute


def make_router(tag: str) -> APIRouter:
    """A router whose routes answer every exception with a problem document."""
    return APIRouter(tags=[tag], route_class=ProblemRoute)
