"""API keys in memory: the key store of the unit tests and of the in-memory wiring."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime

from domain.workspaces import Role
from infrastructure.auth.api_keys import IssuedSecret, KeyStore, KeyUse, StoredKey


class InMemoryKeyStore(KeyStore):
    def __init__(self) -> None:
        self._keys: dict[bytes, StoredKey] = {}
        self._ids = itertools.count(1)
        self.last_used: dict[int, datetime] = {}
        """``last_used_at`` by key id, as ``touch`` recorded it."""

    def add(self, issued: IssuedSecret, workspace_id: int, role: Role) -> StoredKey:
        key = StoredKey(next(self._ids), workspace_id, role, issued.key_hash)
        self._keys[key.key_hash] = key
        return key

    def revoke(self, key_id: int) -> bool:
        """Forget the key; ``False`` when there was none with this id."""
        for key_hash, key in self._keys.items():
            if key.id == key_id:
                del self._keys[key_hash]
                return True
        return False

    async def find(self, key_hash: bytes) -> StoredKey | None:
        return self._keys.get(key_hash)

    async def touch(self, last_used: Mapping[KeyUse, datetime]) -> None:
        live = {KeyUse(key.workspace_id, key.id) for key in self._keys.values()}
        for key, used in last_used.items():
            recorded = self.last_used.get(key.key_id)
            if key in live and (recorded is None or used > recorded):
                self.last_used[key.key_id] = used
