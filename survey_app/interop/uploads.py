"""Files sent from the browser, kept between the report and the confirmation.

An upload is a folder named by a random token under ``CLS_INTEROP_UPLOAD_DIR``
(default: ``<instance>/interop``), with the file(s) and a ``meta.json`` saying whose it
is (campaign, account), what it is for and its original name. A Kobo/ODK export holds
residents' answers: its data file is removed as soon as it has been imported, and every
upload older than :data:`MAX_AGE` is removed when the next one arrives. The job
consumers read the same folder: on several machines it must be shared storage.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

__all__ = ["Upload", "save", "find", "MAX_AGE", "upload_folder"]

MAX_AGE = 24 * 3600  # seconds
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def upload_folder() -> Path:
    configured = current_app.config.get("CLS_INTEROP_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "interop"


@dataclass
class Upload:
    token: str
    kind: str
    campaign_id: int
    user_id: int
    original: str  #: the name the file had on the coordinator's computer (shown, never used as a path)
    main: str  #: stored name of the file to read
    created: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return upload_folder() / self.token

    @property
    def path(self) -> Path:
        return self.folder / self.main

    @property
    def has_data(self) -> bool:
        return self.path.is_file()

    def write_meta(self) -> None:
        data = {k: getattr(self, k) for k in ("token", "kind", "campaign_id", "user_id", "original",
                                                 "main", "created", "extra")}
        tmp = self.folder / "meta.json.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.folder / "meta.json")

    def write_json(self, name: str, value) -> None:
        (self.folder / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")

    def read_json(self, name: str):
        try:
            return json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def drop_data(self) -> None:
        """Remove the uploaded file(s), keep what the pages still show (meta, report)."""
        for item in self.folder.iterdir():
            if item.suffix.lower() in (".csv", ".xlsx", ".xls"):
                item.unlink(missing_ok=True)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _purge_old(root: Path, now: float) -> None:
    if not root.is_dir():
        return
    for item in root.iterdir():
        try:
            if item.is_dir() and now - item.stat().st_mtime > MAX_AGE:
                shutil.rmtree(item, ignore_errors=True)
        except OSError:
            continue


def save(kind: str, campaign_id: int, user_id: int, files: list[tuple[str, bytes]], *,
         original: str, main: str, extra: dict | None = None) -> Upload:
    """Store ``files`` (stored name, content) as a new upload; ``main`` is the one to read."""
    root = upload_folder()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = time.time()
    _purge_old(root, now)
    token = secrets.token_urlsafe(24)
    upload = Upload(token, kind, campaign_id, user_id, original, main, now, dict(extra or {}))
    upload.folder.mkdir(mode=0o700)
    for name, content in files:
        (upload.folder / name).write_bytes(content)
    upload.write_meta()
    return upload


def find(token: str, *, kind: str, campaign_id: int, user_id: int | None = None) -> Upload | None:
    """The upload ``token`` of this kind and campaign (and account, when given), or ``None``."""
    if not _TOKEN.match(token or ""):
        return None
    meta = upload_folder() / token / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    upload = Upload(**data)
    if upload.kind != kind or upload.campaign_id != campaign_id:
        return None
    if user_id is not None and upload.user_id != user_id:
        return None
    return upload
