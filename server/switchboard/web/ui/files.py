"""Any rules file, edited through its schema form or as YAML: /ui/files/<path>."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from switchboard.web.ui import editing
from switchboard.web.ui.auth import require_user


class FileController(Controller):
    path = "/ui/files"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/{path:path}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        path: FromPath[PurePosixPath],
        mode: FromQuery[str] = "form",
    ) -> Response[Any]:
        return await editing.show(request, editing.file_page(_clean(path)), mode)

    @post("/{path:path}")
    async def save(
        self, request: Request[Any, Any, Any], path: FromPath[PurePosixPath]
    ) -> Response[Any]:
        return await editing.save(request, editing.file_page(_clean(path)))


def _clean(path: PurePosixPath) -> str:
    return str(path).lstrip("/")
