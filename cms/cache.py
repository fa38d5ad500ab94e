"""A Redis cache that treats an unreachable Redis as a cache miss.

Django's RedisCache raises when Redis is down, and Wagtail reads its site root paths from the
cache on every public page: a dead cache server would turn the whole site into 500s. A cache is
an optimisation, so here a Redis error is logged and answered as "not cached" instead.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What each operation answers when Redis cannot be reached.
_FALLBACKS = {
    "get": lambda key, default=None, *args, **kwargs: default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda keys, *args, **kwargs: list(keys),
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}


def _forgiving(name, method):
    fallback = _FALLBACKS[name]

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("cache %s failed, answered as a miss: %s", name, error)
            return fallback(*args, **kwargs)

    return wrapper


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is unreachable.
    `incr`/`decr` still raise: counters (throttles) must not silently reset."""


for _name in _FALLBACKS:
    setattr(ForgivingRedisCache, _name, _forgiving(_name, getattr(RedisCache, _name)))


# --- Process-local copies ----------------------------------------------------------------------


class LocalMemo:
    """Values read from the shared cache, kept in this process for a few seconds.

    Why: a Redis round trip costs ≈ 0.3 ms; the public home read six small values from Redis
    on every request (the navigation version three times), which was most of its time. Copies
    held here are at most `seconds` old. A change made in this process clears them at once
    (the invalidation receivers call `clear()`); other processes see it when their copy
    expires, so `seconds` bounds how long another worker may show the old value.
    """

    instances = []

    def __init__(self, seconds, *, max_entries=1024):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries = {}
        LocalMemo.instances.append(self)

    def get(self, key, default=None):
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return default
        return entry[1]

    def set(self, key, value, *, seconds=None):
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # bounded memory; refilled from the shared cache
        ttl = self.seconds if seconds is None else min(seconds, self.seconds)
        self._entries[key] = (time.monotonic() + ttl, value)

    def clear(self):
        self._entries.clear()

    @classmethod
    def clear_all(cls):
        for memo in cls.instances:
            memo.clear()
