package io.iploop.server.pool;

/** How an import treats the upstreams already stored (docs/upstream-pool.md#upstreams-import-and-reload). */
public enum ImportMode {
    /** Keep every stored upstream; add the new ones, update the credentials of known ones. */
    ADD,
    /** The import becomes the whole list: known upstreams keep their ports, the others are removed. */
    REPLACE
}
