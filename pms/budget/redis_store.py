"""Budget state in Redis: Lua scripts make each step atomic on the server."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from . import pacing
from .pacing import Turn

# Times are whole microseconds on the Redis server's clock: milliseconds would
# round a 20 ms interval (a scaled-down benchmark) by a twentieth.
# KEYS: state hash, waiting zset (score lane*1e12 + arrival), expiry zset, arrivals
# ARGV: token, lane, interval, lease, ttl, poll, reserve horizon (all in us), owner
# Returns {1, us until the reserved start, 1 if the last call was the owner's}
# or {0, us until asking again}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local token = ARGV[1]
local interval = tonumber(ARGV[3])
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, d in ipairs(dead) do
  redis.call('ZREM', KEYS[2], d)
  redis.call('ZREM', KEYS[3], d)
end
if not redis.call('ZSCORE', KEYS[2], token) then
  local seq = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) * 1e12 + seq, token)
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), token)
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], 3600000) end
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local busy = redis.call('HGET', KEYS[1], 'busy') or ''
local busy_until = tonumber(redis.call('HGET', KEYS[1], 'busy_until') or '0')
local poll = tonumber(ARGV[6])
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if head ~= token then
  return {0, math.max(1000, math.min(poll, interval),
    math.min(nxt - now, tonumber(ARGV[5]) / 3))}
end
if busy ~= '' and busy_until > now then
  return {0, math.max(1000, math.min(poll, math.floor(interval / 4)))}
end
local wait = math.max(0, nxt - now)
local horizon = math.min(tonumber(ARGV[7]), interval)
if wait > horizon then return {0, wait - math.floor(horizon / 2)} end
local start = now + wait
local last = redis.call('HGET', KEYS[1], 'last')
local own = 0
if ARGV[8] ~= '' and last == ARGV[8] then own = 1 end
redis.call('HSET', KEYS[1], 'next', start + interval, 'busy', token,
  'busy_until', start + tonumber(ARGV[4]), 'last', '')
redis.call('ZREM', KEYS[2], token)
redis.call('ZREM', KEYS[3], token)
return {1, wait, own}
"""

# ARGV: token[, us from now before the next call may start, owner]
_RELEASE = """
if redis.call('HGET', KEYS[1], 'busy') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'busy', '', 'busy_until', 0)
  if ARGV[2] then
    redis.call('HSET', KEYS[1], 'last', ARGV[3])
    local t = redis.call('TIME')
    local at = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[2])
    if at > tonumber(redis.call('HGET', KEYS[1], 'next') or '0') then
      redis.call('HSET', KEYS[1], 'next', at)
    end
  end
end
return 0
"""

# ARGV: us from now before any call may start
_DEFER = """
local t = redis.call('TIME')
local until_us = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if nxt < until_us then redis.call('HSET', KEYS[1], 'next', until_us) end
redis.call('HSET', KEYS[1], 'last', '')
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
"""


def _us(seconds: float) -> int:
    """Return `seconds` in whole microseconds, rounded up: never shorter."""
    return math.ceil(seconds * 1_000_000)


_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


class RedisStore:
    """Budget state in Redis; Lua scripts make each step atomic on the server."""

    prefix = "pbnsync:budget:"

    def __init__(self, url: str) -> None:
        import redis

        with _CLIENTS_LOCK:
            if url not in _CLIENTS:
                _CLIENTS[url] = redis.Redis.from_url(url)
            self.client = _CLIENTS[url]
        self._acquire = self.client.register_script(_ACQUIRE)
        self._release = self.client.register_script(_RELEASE)
        self._defer = self.client.register_script(_DEFER)

    @contextmanager
    def session(self) -> Iterator[RedisStore]:
        yield self

    def close(self) -> None:
        """Nothing to release: the client's pool is shared by the process."""

    def _keys(self, key: str) -> list[str]:
        base = f"{self.prefix}{key}:"
        return [base + "state", base + "waiting", base + "expiry", base + "arrivals"]

    def try_acquire(
        self,
        key: str,
        lane: int,
        token: str,
        interval: float,
        lease: float,
        owner: str = "",
    ) -> Turn:
        granted, us, *own = self._acquire(
            keys=self._keys(key),
            args=[
                token,
                lane,
                _us(interval),
                _us(lease),
                _us(pacing.WAITER_TTL_S),
                _us(pacing.POLL_S),
                _us(pacing.RESERVE_S),
                owner,
            ],
        )
        # Redis read its clock before this one: the local start is never early.
        until = time.monotonic() + int(us) / 1_000_000
        return Turn(bool(granted), until, bool(own and own[0]))

    def release(
        self, key: str, token: str, next_in: float | None = None, owner: str = ""
    ) -> None:
        args = [token] if next_in is None else [token, _us(next_in), owner]
        self._release(keys=self._keys(key)[:1], args=args)

    def leave(self, key: str, token: str) -> None:
        keys = self._keys(key)
        pipe = self.client.pipeline()
        pipe.zrem(keys[1], token)
        pipe.zrem(keys[2], token)
        pipe.execute()

    def defer(self, key: str, seconds: float) -> None:
        self._defer(keys=self._keys(key)[:1], args=[_us(seconds)])


# --- choosing a store ---------------------------------------------------------------
