"""What the browser tests share with their fixtures: the users' passwords and the running stack."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORDS = {"erika": "erika-browser-1", "rolf": "rolf-browser-22"}


@dataclass
class Stack:
    base: str
    key: str
    repo: Path
    data: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def inquiry(self, text: str, email: str = "einkauf@hydro-kraft.example") -> dict[str, Any]:
        body = {"channel": "email", "text": text, "identifiers": {"email": email}}
        response = httpx.post(
            f"{self.base}/v1/inquiries",
            json=body,
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision
